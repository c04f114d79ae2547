import { sql, type SQL } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { CongestionPointKind } from '../../schema/flexibility';
import type { Database, Transaction } from '../kit/db';
import { consentFor, contractOf } from '../kit/point-access.sql';

/**
 * Who sees a flexibility request: the DSO every one; an organisation the requests it was
 * published to (flex_request_recipients); anyone else none, as if they did not exist.
 */
export function mayViewRequest(identity: Identity, requestId: SQL): SQL {
  if (identity.role === 'dso') return sql`true`;
  return sql`EXISTS (SELECT 1 FROM flexibility.flex_request_recipients recipient
    WHERE recipient.request_id = ${requestId} AND recipient.organisation_id = ${identity.organisationId})`;
}

/** The grid connection column that puts a metering point behind a congestion point of that kind. */
const behindColumn = (kind: CongestionPointKind) => sql.raw(kind === 'FEEDER' ? 'feeder_id' : 'secondary_substation_id');

/** Some metering point behind the congestion point is `isCustomer`'s (grid's published connections). */
const customerBehind = (kind: CongestionPointKind, congestionPointId: SQL, isCustomer: (point: SQL) => SQL) => sql`EXISTS (
  SELECT 1 FROM grid.metering_point_connections_v behind_point
  WHERE behind_point.${behindColumn(kind)} = ${congestionPointId} AND ${isCustomer(sql.raw('behind_point.metering_point_id'))})`;

/**
 * Whom a request at the congestion point is published to: the retailers supplying a metering
 * point behind it now, and the aggregators holding a metering:read consent in force for one
 * (those with customers who can help; the same rule as the grid's areas, by congestion point).
 * The DSO is not listed: it receives every flexibility event anyway.
 */
export async function congestionPointRecipients(db: Database | Transaction, kind: CongestionPointKind, congestionPointId: string): Promise<string[]> {
  const point = sql`${congestionPointId}`;
  const candidate = sql.raw('candidate.id');
  const result = await db.execute<{ id: string }>(sql`
    WITH candidate (id, kind) AS (
      SELECT DISTINCT contract.retailer_id, 'retailer'
      FROM grid.metering_point_connections_v behind
      JOIN metering.supply_contracts_v contract ON contract.metering_point_id = behind.metering_point_id
      WHERE behind.${behindColumn(kind)} = ${point}
      UNION SELECT id, kind FROM hub.organisations WHERE kind = 'aggregator')
    SELECT id FROM candidate
    WHERE (kind = 'retailer' AND ${customerBehind(kind, point, (metered) => contractOf(candidate, metered, sql`now()`))})
       OR (kind = 'aggregator' AND ${customerBehind(kind, point, (metered) => consentFor(candidate, metered, 'metering:read', null))})
    ORDER BY 1`);
  return result.rows.map((row) => row.id);
}

import { sql, type SQL } from 'drizzle-orm';
import { hasScope } from '../../schema/access';
import { DSO_ORGANISATION_ID, type Identity } from '../../schema/identity';
import type { Database, Transaction } from '../kit/db';
import { consentFor, contractOf, mayReadPresent } from '../kit/point-access.sql';

/**
 * Who may see the grid's results for an area (constraints, power-flow summaries, flexibility
 * needs), per secondary substation:
 * - the DSO, and any key with grid:read (the TSO, say): every area;
 * - a retailer or an aggregator whose key has flex:trade (those who can offer flexibility):
 *   the secondary substations where it has customers now: a retailer the points it supplies
 *   now, an aggregator the points whose customer's metering:read consent is in force now
 *   (kit/point-access.sql.ts decides both, as for the points themselves);
 * - anyone else: nothing.
 * Fields answering with such results take `@Authorized('grid:read', 'flex:trade')`, so that a
 * key this rule shows nothing to is refused rather than answered with empty lists.
 * areaAudience is the same rule read the other way: whom to push an area's events to.
 */
export function mayViewArea(identity: Identity, secondarySubstationId: SQL): SQL {
  if (identity.role === 'dso' || hasScope(identity, 'grid:read')) return sql`true`;
  if ((identity.role !== 'retailer' && identity.role !== 'aggregator') || !hasScope(identity, 'flex:trade')) return sql`false`;
  return customerBehind(secondarySubstationId, (point) => mayReadPresent(identity, point, 'metering:read'));
}

/** Some metering point behind the secondary substation is `isCustomer`'s. */
const customerBehind = (secondarySubstationId: SQL, isCustomer: (point: SQL) => SQL) => sql`EXISTS (
  SELECT 1 FROM grid.metering_point_connections_v area_point
  WHERE area_point.secondary_substation_id = ${secondarySubstationId} AND ${isCustomer(sql.raw('area_point.metering_point_id'))})`;

/**
 * The organisations mayViewArea shows the secondary substation to by their customers (retailers
 * supplying a point behind it now, aggregators holding a metering:read consent in force for
 * one), and the DSO, so that the list is never empty: an empty audience addresses every party.
 */
export async function areaAudience(db: Database | Transaction, secondarySubstationId: string): Promise<string[]> {
  const substation = sql`${secondarySubstationId}`;
  const candidate = sql.raw('candidate.id');
  const result = await db.execute<{ id: string }>(sql`
    WITH candidate (id, kind) AS (
      SELECT DISTINCT contract.retailer_id, 'retailer'
      FROM grid.metering_point_connections_v behind
      JOIN metering.supply_contracts_v contract ON contract.metering_point_id = behind.metering_point_id
      WHERE behind.secondary_substation_id = ${substation}
      UNION SELECT id, kind FROM hub.organisations WHERE kind = 'aggregator')
    SELECT id FROM candidate
    WHERE (kind = 'retailer' AND ${customerBehind(substation, (point) => contractOf(candidate, point, sql`now()`))})
       OR (kind = 'aggregator' AND ${customerBehind(substation, (point) => consentFor(candidate, point, 'metering:read', null))})
    UNION SELECT ${DSO_ORGANISATION_ID}::text
    ORDER BY 1`);
  return result.rows.map((row) => row.id);
}

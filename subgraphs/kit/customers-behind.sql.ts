import { sql, type SQL } from 'drizzle-orm';
import type { Database, Transaction } from './db';
import { consentFor, contractOf } from './point-access.sql';

/** Grid's connection column (grid.metering_point_connections_v) that puts a metering point behind a feeder or a secondary substation. */
export type BehindColumn = 'feeder_id' | 'secondary_substation_id';

/** Some metering point connected behind the feeder or secondary substation `id` (by `column`) is `isCustomer`'s. */
export const customerBehind = (column: BehindColumn, id: SQL, isCustomer: (point: SQL) => SQL) => sql`EXISTS (
  SELECT 1 FROM grid.metering_point_connections_v behind_point
  WHERE behind_point.${sql.raw(column)} = ${id} AND ${isCustomer(sql.raw('behind_point.metering_point_id'))})`;

/**
 * The organisations with customers behind the feeder or secondary substation now, by id: the
 * retailers supplying a point behind it, and the aggregators holding a metering:read consent in
 * force for one (kit/point-access.sql.ts decides both, as for the points themselves). Whom grid
 * pushes an area's events to, and whom flexibility publishes a request at a congestion point to.
 */
export async function customersBehind(db: Database | Transaction, column: BehindColumn, id: string): Promise<string[]> {
  const behind = sql`${id}`;
  const candidate = sql.raw('candidate.id');
  const result = await db.execute<{ id: string }>(sql`
    WITH candidate (id, kind) AS (
      SELECT DISTINCT contract.retailer_id, 'retailer'
      FROM grid.metering_point_connections_v connection
      JOIN metering.supply_contracts_v contract ON contract.metering_point_id = connection.metering_point_id
      WHERE connection.${sql.raw(column)} = ${behind}
      UNION SELECT id, kind FROM hub.organisations WHERE kind = 'aggregator')
    SELECT id FROM candidate
    WHERE (kind = 'retailer' AND ${customerBehind(column, behind, (point) => contractOf(candidate, point, sql`now()`))})
       OR (kind = 'aggregator' AND ${customerBehind(column, behind, (point) => consentFor(candidate, point, 'metering:read', null))})
    ORDER BY 1`);
  return result.rows.map((row) => row.id);
}

import { sql, type SQL } from 'drizzle-orm';

/**
 * Keeps only the rows inside `retailerId`'s own supply contracts (a retailer sees the periods it
 * supplied, nothing else); no restriction for null. `mp` must be metering.metering_points and
 * `timestamp` the row's time column.
 */
export function withinContractsOf(retailerId: string | null, timestamp: string): SQL {
  if (!retailerId) return sql``;
  const at = sql.raw(timestamp);
  return sql`JOIN metering.supply_contracts sc ON sc.metering_point_id = mp.id AND sc.retailer_id = ${retailerId}
    AND ${at} >= sc.valid_from AND (sc.valid_to IS NULL OR ${at} < sc.valid_to)`;
}

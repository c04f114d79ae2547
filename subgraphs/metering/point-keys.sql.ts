import { sql, type SQL } from 'drizzle-orm';
import { anyText } from '../kit/sql';

/**
 * `<key column> = ANY(the keys of these CPE codes)`, the keys taken as one array: PostgreSQL then
 * reads readings and events by their index, where a join on the codes had it scan the whole
 * month's partition (measured: a day of 1,000 points out of a week's partition, 650 → 190 ms).
 */
export function ofPoints(keyColumn: string, pointIds: readonly string[]): SQL {
  return sql`${sql.raw(keyColumn)} = ANY(ARRAY(SELECT key FROM metering.metering_points WHERE ${anyText(sql.raw('id'), pointIds)}))`;
}

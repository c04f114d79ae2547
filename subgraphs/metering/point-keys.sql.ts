import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';

/**
 * `<key column> = ANY(the keys of these CPE codes)`, the keys looked up first and sent as one
 * array parameter. Read by key, PostgreSQL uses the readings' and events' index, where a join on
 * the codes scanned the whole month's partition (a day of 1,000 points out of a week: 650 → 190
 * ms); sent as a value, not a sub-select, the planner knows how many keys there are: for a
 * sub-select it assumed a handful and nested-looped over a thousand points' 96,000 readings
 * (a portfolio's `demand` day: 168 → 40 ms).
 */
export async function ofPoints(db: Database, keyColumn: string, pointIds: readonly string[]): Promise<SQL> {
  const result = await db.execute<{ key: number }>(sql`SELECT key FROM metering.metering_points WHERE ${anyText(sql.raw('id'), pointIds)}`);
  return sql`${sql.raw(keyColumn)} = ANY(${sql.param(result.rows.map((row) => row.key))}::int[])`;
}

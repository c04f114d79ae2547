import { sql, type SQL } from 'drizzle-orm';

/**
 * The compact key (readings and events are keyed by it) of each existing point among the CPE
 * codes given. The request's one is metering.loader's `keysOf`: each point's key is looked up
 * once per request, however many fields of a page read its readings or events.
 */
export type PointKeys = (pointIds: readonly string[]) => Promise<Map<string, number>>;

/**
 * `<key column> = ANY(the keys of these CPE codes)`, the keys looked up first and sent as one
 * array parameter. Read by key, PostgreSQL uses the readings' and events' index, where a join on
 * the codes scanned the whole month's partition (a day of 1,000 points out of a week: 650 → 190
 * ms); sent as a value, not a sub-select, the planner knows how many keys there are: for a
 * sub-select it assumed a handful and nested-looped over a thousand points' 96,000 readings
 * (a portfolio's `demand` day: 168 → 40 ms).
 */
export async function ofPoints(keysOf: PointKeys, keyColumn: string, pointIds: readonly string[]): Promise<SQL> {
  const keys = await keysOf(pointIds);
  return sql`${sql.raw(keyColumn)} = ANY(${sql.param([...keys.values()])}::int[])`;
}

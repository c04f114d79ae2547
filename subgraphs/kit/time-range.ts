/**
 * The span of time the hub deals in: smart meters, tariffs and orders of this century. Outside
 * it a time is a typo (year 0, year 20260), and a typo must not reach the database, where it
 * would make a partition per month of the gap or read back as another date.
 */
export const TIME_RANGE_MS = [Date.UTC(2000, 0, 1), Date.UTC(2100, 0, 1)] as const;

export function timeInRange(ms: number): boolean {
  return ms >= TIME_RANGE_MS[0] && ms < TIME_RANGE_MS[1];
}

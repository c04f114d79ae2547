/**
 * The span of time the hub deals in: smart meters, tariffs and orders of this century. Outside
 * it a time is a typo (year 0, year 20260), and a typo must not reach the database, where it
 * would make a partition per month of the gap or read back as another date.
 */
export const TIME_RANGE_MS = [Date.UTC(2000, 0, 1), Date.UTC(2100, 0, 1)] as const;

export function timeInRange(ms: number): boolean {
  return ms >= TIME_RANGE_MS[0] && ms < TIME_RANGE_MS[1];
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** TIME_RANGE_MS as dates, for messages: its first day and the first day after it. */
export const TIME_RANGE_DAYS = [dayOf(TIME_RANGE_MS[0]), dayOf(TIME_RANGE_MS[1])] as const;

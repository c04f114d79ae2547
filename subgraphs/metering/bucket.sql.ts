import { sql, type SQL } from 'drizzle-orm';
import { Resolution } from './demand.rules';

/** Lisbon local days: what a retailer or the regulator calls "a day" in Portugal. */
const LOCAL_ZONE = 'Europe/Lisbon';

/**
 * Hours are UTC hours, as seriesFrame and bucketOf (demand.rules.ts) count them. date_trunc of a
 * timestamptz truncates in the session's TimeZone, which in a half-hour zone (Asia/Kolkata) would
 * start every hour at :30 UTC; truncated as UTC wall time, no session setting moves a bucket.
 */
const utcHour = (ts: SQL) => sql`(date_trunc('hour', ${ts} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

/** The start of the bucket `column` falls in. */
export function bucketStart(column: SQL | string, resolution: Resolution): SQL {
  const ts = typeof column === 'string' ? sql.raw(column) : column;
  switch (resolution) {
    case Resolution.PT15M:
      return sql`${ts}`;
    case Resolution.PT1H:
      return utcHour(ts);
    case Resolution.P1D:
      return sql`(date_trunc('day', ${ts} AT TIME ZONE ${LOCAL_ZONE}) AT TIME ZONE ${LOCAL_ZONE})`;
  }
}

/** Length of the bucket starting at `start`, in hours (23 or 25 on DST days). */
export function bucketHours(start: SQL, resolution: Resolution): SQL {
  switch (resolution) {
    case Resolution.PT15M:
      return sql`0.25`;
    case Resolution.PT1H:
      return sql`1.0`;
    case Resolution.P1D:
      return sql`(extract(epoch FROM ((${start} AT TIME ZONE ${LOCAL_ZONE} + interval '1 day') AT TIME ZONE ${LOCAL_ZONE}) - ${start}) / 3600.0)`;
  }
}

/** The position of bucket `start` from the first bucket of `window` (see seriesFrame). */
export function bucketIndex(start: SQL, window: { fromMs: number; resolution: Resolution }): SQL {
  const from = new Date(window.fromMs);
  switch (window.resolution) {
    case Resolution.PT15M:
      return sql`((extract(epoch FROM ${start}) - extract(epoch FROM ${from}::timestamptz)) / 900)::int`;
    case Resolution.PT1H:
      return sql`((extract(epoch FROM ${start}) - extract(epoch FROM ${utcHour(sql`${from}::timestamptz`)})) / 3600)::int`;
    case Resolution.P1D:
      return sql`((${start} AT TIME ZONE ${LOCAL_ZONE})::date - (${from}::timestamptz AT TIME ZONE ${LOCAL_ZONE})::date)`;
  }
}

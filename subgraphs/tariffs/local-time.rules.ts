/**
 * Local calendar days and wall-clock windows as tariffs take them (`2026-10-25`, `18:00`-`21:00`):
 * Lisbon time, parsed strictly, turned into UTC instants. Pure.
 */
import { DAY_MS, HOUR_MS, lisbonLocalDay, lisbonMidnightUtcMs, lisbonWallToUtcMs, MINUTE_MS } from '../kit/calendar';
import { parseLocalDay } from '../kit/local-day';

/** Minutes after local midnight of `HH:MM` on the quarter-hour grid (`24:00` allowed as an end), or what is wrong with it. */
function parseQuarterTime(text: string, name: string): number | string {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || Number(match[2]) >= 60 || minutes > 24 * 60) return `${name} must be a local time, HH:MM`;
  if (minutes % 15 !== 0) return `${name} ${text} is not on the quarter-hour`;
  return minutes;
}

export interface LocalWindow {
  localDay: number;
  startMs: number;
  endMs: number;
}

/**
 * The UTC window of local `day` from `start` to `end` (wall-clock, on the quarter-hour, end after
 * start, `24:00` for the next midnight). On the autumn change a wall-clock time in the repeated
 * hour means its first occurrence, so a window over it holds both.
 */
export function parseLocalWindow(day: string, start: string, end: string): LocalWindow | string {
  const localDay = parseLocalDay(day, 'day');
  if (typeof localDay === 'string') return localDay;
  const from = parseQuarterTime(start, 'start');
  if (typeof from === 'string') return from;
  const to = parseQuarterTime(end, 'end');
  if (typeof to === 'string') return to;
  if (to <= from) return `end ${end} must be after start ${start}`;
  const at = (minutes: number) => (minutes === 24 * 60 ? lisbonMidnightUtcMs(localDay + 1) : lisbonWallToUtcMs(localDay * DAY_MS + minutes * MINUTE_MS));
  return { localDay, startMs: at(from), endMs: at(to) };
}

/** Whether `utcMs` is a Lisbon local midnight. */
export const isLocalMidnight = (utcMs: number): boolean => lisbonMidnightUtcMs(lisbonLocalDay(utcMs)) === utcMs;

/** The next Lisbon local midnight strictly after `utcMs`. */
export const nextLocalMidnight = (utcMs: number): number => lisbonMidnightUtcMs(lisbonLocalDay(utcMs) + 1);

/** The local `hour`:00 of the day before `localDay`, UTC: the default critical-peak notice cut-off is 18:00 the day before. */
export const dayBeforeAt = (localDay: number, hour: number): number => lisbonWallToUtcMs((localDay - 1) * DAY_MS + hour * HOUR_MS);

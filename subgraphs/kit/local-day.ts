/** Lisbon local days as the API takes and gives them (`2026-10-25`): parsed strictly, as epoch days (kit/calendar.ts). Pure. */
import { DAY_MS, epochDay } from './calendar';

/** The local day (epoch day) of `YYYY-MM-DD`, or what is wrong with it. */
export function parseLocalDay(text: string, name: string): number | string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return `${name} must be a local date, YYYY-MM-DD`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const localDay = epochDay(year, month, day);
  const back = new Date(localDay * DAY_MS);
  if (back.getUTCMonth() + 1 !== month || back.getUTCDate() !== day) return `${name} ${text} is not a calendar date`;
  return localDay;
}

/** `YYYY-MM-DD` of a local day. */
export const localDayText = (localDay: number): string => new Date(localDay * DAY_MS).toISOString().slice(0, 10);

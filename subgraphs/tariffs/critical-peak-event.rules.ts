/**
 * What a critical-peak announcement must satisfy before anything is written: a wall-clock window
 * of one local day on the quarter-hour, at most MAX_CRITICAL_PEAK_HOURS long, announced by the
 * notice cut-off (CRITICAL_PEAK_NOTICE_HOUR the day before), on a published critical-peak scheme
 * valid that day, overlapping none of the scheme's events. Pure.
 */
import type { SchemeStatus, TariffKind } from '../../schema/tariffs';
import { DAY_MS, HOUR_MS, lisbonLocalDay, lisbonOffsetMs } from '../kit/calendar';
import { TIME_RANGE_DAYS, timeInRange } from '../kit/time-range';
import { localDayText } from '../kit/local-day';
import { dayBeforeAt, parseLocalWindow, type LocalWindow } from './local-time.rules';

/**
 * The longest event, in real hours (so 00:00-12:00 is 13 h on the autumn change day and refused):
 * a critical peak prices the evening or midday peak, not a whole day of use.
 */
export const MAX_CRITICAL_PEAK_HOURS = 12;

export interface Problem {
  field: string;
  message: string;
}

export interface AnnouncementInput {
  day: string;
  start: string;
  end: string;
}

/** What the rules need of the scheme an event is announced on. */
export interface SchemeFacts {
  id: string;
  kind: TariffKind;
  status: SchemeStatus;
  /** Local days, YYYY-MM-DD; validTo exclusive, null open-ended. */
  validFrom: string;
  validTo: string | null;
}

export interface EventWindow {
  startMs: number;
  endMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const wallText = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Whether `utcMs` reads as `HH:MM` of `localDay` on a Lisbon clock: false for a time the spring change skips. */
function showsWallTime(utcMs: number, localDay: number, text: string): boolean {
  if (text === '24:00') return true;
  const wallMs = utcMs + lisbonOffsetMs(utcMs);
  return Math.floor(wallMs / DAY_MS) === localDay && wallText(Math.round((wallMs - localDay * DAY_MS) / 60_000)) === text;
}

/** The notice cut-off for an event on `localDay`: the day before at `noticeHour`:00 local, UTC. */
export const noticeCutOffMs = (localDay: number, noticeHour: number): number => dayBeforeAt(localDay, noticeHour);

/**
 * The event's UTC window, or what is wrong with the day and times asked for: the window itself
 * (parseLocalWindow's rules, times that do not exist on the spring change day, the longest
 * event), then the time of asking (a past day, the notice cut-off).
 */
export function announcementWindow(input: AnnouncementInput, nowMs: number, noticeHour: number): LocalWindow | Problem {
  const window = parseLocalWindow(input.day, input.start, input.end);
  if (typeof window === 'string') {
    const field = window.startsWith('day') ? 'day' : window.startsWith('start') ? 'start' : 'end';
    return { field, message: window };
  }
  for (const [field, text, ms] of [['start', input.start, window.startMs], ['end', input.end, window.endMs]] as const) {
    if (!showsWallTime(ms, window.localDay, text)) return { field, message: `${field} ${text} does not exist on ${input.day}: the clocks go forward from 01:00 to 02:00 that night` };
  }
  const hours = (window.endMs - window.startMs) / HOUR_MS;
  if (hours > MAX_CRITICAL_PEAK_HOURS) return { field: 'end', message: `a critical-peak event lasts at most ${MAX_CRITICAL_PEAK_HOURS} h; ${input.start}-${input.end} on ${input.day} is ${hours} h` };
  if (!timeInRange(window.startMs) || !timeInRange(window.endMs)) return { field: 'day', message: `day ${input.day} is not between ${TIME_RANGE_DAYS[0]} and ${TIME_RANGE_DAYS[1]}` };
  const today = lisbonLocalDay(nowMs);
  if (window.localDay < today) return { field: 'day', message: `day ${input.day} is in the past (today is ${localDayText(today)})` };
  const cutOffMs = noticeCutOffMs(window.localDay, noticeHour);
  if (nowMs > cutOffMs) {
    return {
      field: 'day',
      message: `too short notice: an event on ${input.day} must be announced by ${localDayText(window.localDay - 1)} ${wallText(noticeHour * 60)} local time (${iso(cutOffMs)}); the earliest day you may announce now is ${localDayText(earliestDay(nowMs, noticeHour))}`,
    };
  }
  return window;
}

/** The first local day whose notice cut-off has not passed at `nowMs`. */
export function earliestDay(nowMs: number, noticeHour: number): number {
  let day = lisbonLocalDay(nowMs) + 1;
  while (nowMs > noticeCutOffMs(day, noticeHour)) day++;
  return day;
}

/** Why the scheme does not apply on `localDay` (its local validity days), if it does not. */
export function schemeDayProblem(scheme: Pick<SchemeFacts, 'id' | 'validFrom' | 'validTo'>, localDay: number): string | null {
  const day = localDayText(localDay);
  // YYYY-MM-DD compare as the days they name.
  if (day >= scheme.validFrom && (scheme.validTo === null || day < scheme.validTo)) return null;
  return `scheme ${scheme.id} applies from ${scheme.validFrom}${scheme.validTo ? ` until ${scheme.validTo}` : ''}, not on ${day}`;
}

/** Why an event cannot be announced on the scheme on `localDay`, if it cannot. */
export function schemeProblem(scheme: SchemeFacts, localDay: number): Problem | null {
  if (scheme.kind !== 'CRITICAL_PEAK') return { field: 'schemeId', message: `scheme ${scheme.id} is ${scheme.kind}: critical-peak events are announced on CRITICAL_PEAK schemes only` };
  if (scheme.status !== 'PUBLISHED') return { field: 'schemeId', message: `scheme ${scheme.id} is a draft: publish it before announcing its events` };
  const notThatDay = schemeDayProblem(scheme, localDay);
  return notThatDay ? { field: 'day', message: notThatDay } : null;
}

/** The scheme's events that overlap `window` (touching is not overlapping), as a problem. */
export function overlapProblem(window: EventWindow, existing: readonly EventWindow[]): Problem | null {
  const clash = existing.find((event) => event.startMs < window.endMs && window.startMs < event.endMs);
  return clash ? { field: 'start', message: `the scheme already has a critical-peak event from ${iso(clash.startMs)} to ${iso(clash.endMs)} overlapping this one` } : null;
}

/**
 * Whom the announcement is pushed to besides the DSO (which receives every one): the retailers
 * supplying the scheme's points during the event and those points' customers (a customer's
 * organisation is its metering point), each once. Empty when nobody is on the scheme: the event
 * type is addressed-only (schema/events.ts), so that reaches the DSO alone, never every party.
 */
export function announcementAudience(retailerIds: readonly string[], meteringPointIds: readonly string[]): string[] {
  return [...new Set(retailerIds)].sort().concat([...new Set(meteringPointIds)].sort());
}

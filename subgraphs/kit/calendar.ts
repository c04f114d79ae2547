/**
 * Lisbon civil time and the day types of the E-REDES standard profiles.
 *
 * Days are counted as whole days since 1970-01-01 ("epoch days"); a local day is the epoch day
 * of the Lisbon wall-clock date. Quarter-hours are counted from 1970-01-01T00:00Z, so that one
 * integer names an interval without a Date object on the hot path of the load-curve generator.
 */

export const MINUTE_MS = 60_000;
export const QUARTER_MS = 15 * MINUTE_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const QUARTERS_PER_DAY = 96;

/** Day types of the profiles, in the order the coefficients file indexes them. */
export const DAY_TYPES = ['WORKING', 'SATURDAY', 'SUNDAY_HOLIDAY'] as const;
export type DayType = (typeof DAY_TYPES)[number];
export const WORKING = 0;
export const SATURDAY = 1;
export const SUNDAY_HOLIDAY = 2;
export type DayTypeIndex = typeof WORKING | typeof SATURDAY | typeof SUNDAY_HOLIDAY;

// ---------------------------------------------------------------------------------------------
// Summer time: mainland Portugal follows the EU rule, +1 h from 01:00 UTC on the last Sunday of
// March to 01:00 UTC on the last Sunday of October (Lisbon is UTC+0 in winter).

/** 01:00 UTC on the last Sunday of `month` (1-12). */
function lastSundayOneAmUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month, 0);
  return lastDay - new Date(lastDay).getUTCDay() * DAY_MS + HOUR_MS;
}

const summerTimeCache = new Map<number, readonly [number, number]>();

/** [start, end) of summer time in `year`, UTC ms. */
export function summerTime(year: number): readonly [number, number] {
  let bounds = summerTimeCache.get(year);
  if (!bounds) {
    bounds = [lastSundayOneAmUtc(year, 3), lastSundayOneAmUtc(year, 10)];
    summerTimeCache.set(year, bounds);
  }
  return bounds;
}

/** How far Lisbon's wall clock is ahead of UTC at instant `utcMs`: 0 or 1 h. */
export function lisbonOffsetMs(utcMs: number): number {
  const [start, end] = summerTime(new Date(utcMs).getUTCFullYear());
  return utcMs >= start && utcMs < end ? HOUR_MS : 0;
}

/**
 * The UTC instant of Lisbon wall-clock time `wallMs` (a local time written as if it were UTC).
 * A time in the skipped spring hour reads as winter time; one in the repeated autumn hour as its first, summer, occurrence.
 */
export function lisbonWallToUtcMs(wallMs: number): number {
  return lisbonOffsetMs(wallMs - HOUR_MS) === HOUR_MS ? wallMs - HOUR_MS : wallMs;
}

/** The local day (epoch day of the Lisbon wall-clock date) instant `utcMs` falls in. */
export function lisbonLocalDay(utcMs: number): number {
  return Math.floor((utcMs + lisbonOffsetMs(utcMs)) / DAY_MS);
}

/** The UTC instant of the local midnight that starts local day `localDay`. */
export function lisbonMidnightUtcMs(localDay: number): number {
  return lisbonWallToUtcMs(localDay * DAY_MS);
}

/**
 * The local quarter-hour (wall-clock quarters since the epoch) of the UTC quarter-hour `utcQuarter`.
 * Both quarters of the autumn repeated hour map to the same local quarter.
 */
export function lisbonQuarter(utcQuarter: number): number {
  return utcQuarter + lisbonOffsetMs(utcQuarter * QUARTER_MS) / QUARTER_MS;
}

/** UTC quarter-hours of local day `localDay`: 96, or 92 and 100 on the summer-time days. */
export function quartersInLocalDay(localDay: number): number {
  return (lisbonMidnightUtcMs(localDay + 1) - lisbonMidnightUtcMs(localDay)) / QUARTER_MS;
}

// ---------------------------------------------------------------------------------------------
// Holidays and day types

export interface CivilDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export const epochDay = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) / DAY_MS;

export function civilDate(epochDayNumber: number): CivilDate {
  const date = new Date(epochDayNumber * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** Easter Sunday (Gregorian; the anonymous "Meeus/Jones/Butcher" computus) as an epoch day. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return epochDay(year, month, day);
}

const FIXED_HOLIDAYS: readonly (readonly [number, number])[] = [
  [1, 1], // Ano Novo
  [4, 25], // Dia da Liberdade
  [5, 1], // Dia do Trabalhador
  [6, 10], // Dia de Portugal
  [8, 15], // Assunção
  [10, 5], // Implantação da República
  [11, 1], // Todos os Santos
  [12, 1], // Restauração da Independência
  [12, 8], // Imaculada Conceição
  [12, 25], // Natal
];

/** Days after Easter Sunday of the movable days the profiles treat as holidays. */
const EASTER_OFFSETS: readonly number[] = [
  // Carnival is not a statutory holiday, but the 2023 profiles shape Shrove Tuesday as one.
  -47,
  -2, // Sexta-feira Santa
  0, // Páscoa
  60, // Corpo de Deus
];

const holidayCache = new Map<number, ReadonlySet<number>>();

/**
 * Mainland national holidays plus Carnival, as epoch days. These are exactly the days the 2023
 * E-REDES profiles shape as Sundays; Lisbon's municipal holiday (13 June) is not among them, so
 * the profiles, being national, treat it as a working day and so do we.
 */
export function portugueseHolidays(year: number): ReadonlySet<number> {
  let days = holidayCache.get(year);
  if (!days) {
    const easter = easterSunday(year);
    days = new Set([...FIXED_HOLIDAYS.map(([month, day]) => epochDay(year, month, day)), ...EASTER_OFFSETS.map((offset) => easter + offset)]);
    holidayCache.set(year, days);
  }
  return days;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekday = (epochDayNumber: number): number => (((epochDayNumber + 4) % 7) + 7) % 7;

export function dayType(localDay: number): DayTypeIndex {
  const dow = weekday(localDay);
  if (dow === 0 || portugueseHolidays(civilDate(localDay).year).has(localDay)) return SUNDAY_HOLIDAY;
  return dow === 6 ? SATURDAY : WORKING;
}

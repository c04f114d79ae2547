/**
 * The ERSE time-of-use periods for mainland Portugal, as the hub classifies quarter-hours with
 * them. Pure: the committed table (erse-periods.table.ts) is compiled from ERSE's chart by
 * `npm run tariffs:derive`, and `npm run validate` checks it against the chart again.
 *
 * - A quarter-hour is classified by its Lisbon wall-clock time, so a day with a summer-time change
 *   has 92 or 100 quarter-hours and each is classified (and billed) exactly once: the two
 *   quarter-hours of the repeated autumn hour both take the period of that wall-clock time.
 * - The season follows legal time: summer while Lisbon keeps summer time (last Sunday of March to
 *   last Sunday of October), winter otherwise.
 * - The weekly cycle's days: Monday to Friday, Saturday, Sunday. The one holiday rule: a mainland
 *   national holiday (and Carnival), as kit/calendar.ts lists them, is a Sunday, as the
 *   E-REDES profiles shape it and as pyerse-derived tools do; ERSE's chart itself is silent.
 */
import { civilDate, lisbonLocalDay, lisbonOffsetMs, MINUTE_MS, portugueseHolidays, QUARTERS_PER_DAY, weekday } from '../kit/calendar';

export const ERSE_PERIODS = ['ponta', 'cheias', 'vazio_normal', 'super_vazio'] as const;
export type ErsePeriod = (typeof ERSE_PERIODS)[number];
export const TOU_CYCLES = ['DAILY', 'WEEKLY'] as const;
export type TouCycle = (typeof TOU_CYCLES)[number];
export const SEASONS = ['SUMMER', 'WINTER'] as const;
export type Season = (typeof SEASONS)[number];
export const WEEK_DAYS = ['WEEKDAY', 'SATURDAY', 'SUNDAY'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

/** One day's chart: each period's [start, end) ranges as `HH:MM` local time, `24:00` for midnight at the end. */
export type DayChart = Readonly<Record<ErsePeriod, readonly (readonly [string, string])[]>>;

/** The compiled chart: the daily cycle by season, the weekly one by season and day. */
export interface ErsePeriodTable {
  source: string;
  daily: Readonly<Record<Season, DayChart>>;
  weekly: Readonly<Record<Season, Readonly<Record<WeekDay, DayChart>>>>;
}

const minutesOf = (hhmm: string): number | null => {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return Number(match[2]) < 60 && minutes <= 24 * 60 ? minutes : null;
};

/** Each local quarter-hour of the day (0..95) with its period, and the chart's gaps and overlaps. */
export function compileDay(chart: DayChart, where: string): { quarters: (ErsePeriod | undefined)[]; problems: string[] } {
  const quarters = new Array<ErsePeriod | undefined>(QUARTERS_PER_DAY);
  const problems: string[] = [];
  for (const period of ERSE_PERIODS) {
    for (const [from, to] of chart[period]) {
      const [start, end] = [minutesOf(from), minutesOf(to)];
      if (start === null || end === null || start >= end || start % 15 !== 0 || end % 15 !== 0) {
        problems.push(`${where}: ${period} ${from}-${to} is not a range of whole quarter-hours`);
        continue;
      }
      for (let q = start / 15; q < end / 15; q++) {
        if (quarters[q]) problems.push(`${where}: ${period} ${from}-${to} overlaps ${quarters[q]} at ${hhmm(q * 15)}`);
        else quarters[q] = period;
      }
    }
  }
  for (let q = 0; q < QUARTERS_PER_DAY; q++) if (!quarters[q]) problems.push(`${where}: no period at ${hhmm(q * 15)}`);
  return { quarters, problems };
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The table's days, each compiled; throws listing every gap and overlap. */
export interface CompiledPeriods {
  daily: Record<Season, ErsePeriod[]>;
  weekly: Record<Season, Record<WeekDay, ErsePeriod[]>>;
}

export function compilePeriods(table: ErsePeriodTable): CompiledPeriods {
  const problems: string[] = [];
  const day = (chart: DayChart, where: string): ErsePeriod[] => {
    const compiled = compileDay(chart, where);
    problems.push(...compiled.problems);
    // Every quarter-hour has its period once no problem is left: the partition is checked below.
    return compiled.quarters as ErsePeriod[];
  };
  const bySeason = <T>(make: (season: Season) => T) => ({ SUMMER: make('SUMMER'), WINTER: make('WINTER') });
  const compiled: CompiledPeriods = {
    daily: bySeason((season) => day(table.daily[season], `daily ${season}`)),
    weekly: bySeason((season) => ({
      WEEKDAY: day(table.weekly[season].WEEKDAY, `weekly ${season} WEEKDAY`),
      SATURDAY: day(table.weekly[season].SATURDAY, `weekly ${season} SATURDAY`),
      SUNDAY: day(table.weekly[season].SUNDAY, `weekly ${season} SUNDAY`),
    })),
  };
  if (problems.length > 0) throw new RangeError(`the ERSE period chart is not a partition of the day: ${problems.join('; ')}`);
  return compiled;
}

/** The weekly cycle's day of local day `localDay`: holidays are Sundays. */
export function weekDayOf(localDay: number): WeekDay {
  const dow = weekday(localDay);
  if (dow === 0 || portugueseHolidays(civilDate(localDay).year).has(localDay)) return 'SUNDAY';
  return dow === 6 ? 'SATURDAY' : 'WEEKDAY';
}

/** The period of the quarter-hour starting at `utcMs` in `cycle`. */
export function periodAt(periods: CompiledPeriods, cycle: TouCycle, utcMs: number): ErsePeriod {
  const offsetMs = lisbonOffsetMs(utcMs);
  const season: Season = offsetMs > 0 ? 'SUMMER' : 'WINTER';
  const localDay = lisbonLocalDay(utcMs);
  const minuteOfDay = Math.floor((utcMs + offsetMs) / MINUTE_MS) - localDay * 24 * 60;
  const quarter = Math.floor(minuteOfDay / 15);
  const day = cycle === 'DAILY' ? periods.daily[season] : periods.weekly[season][weekDayOf(localDay)];
  return day[quarter]!;
}

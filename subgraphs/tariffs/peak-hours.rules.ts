/**
 * Peak hours from measured consumption: a scope's import summed per quarter-hour (one row per
 * quarter-hour with data, whatever the number of points), grouped by Lisbon local hour of the
 * day, by day of the week and by ERSE period. Pure.
 *
 * - The mean power of a group is its energy over the time its quarter-hours cover: Wh × 4 /
 *   quarter-hours / 1000 kW. The autumn day's repeated 01:00 hour adds 8 quarter-hours to hour 1,
 *   the spring day's skipped one none, so a day with a change weighs what it measured.
 * - Days of the week follow the weekly cycle's one holiday rule (erse-periods.rules weekDayOf):
 *   a national holiday counts as a Sunday.
 * - Groups are ranked by mean power (the network's use, whatever their number of quarter-hours),
 *   highest first, ties by order; a group without data has no mean and no rank.
 */
import { DAY_MS, HOUR_MS, lisbonLocalDay, lisbonOffsetMs, weekday } from '../kit/calendar';
import type { QuarterEnergy } from './bill.rules';
import { ERSE_PERIODS, periodAt, weekDayOf, type CompiledPeriods, type ErsePeriod, type TouCycle } from './erse-periods.rules';

export const DAYS_OF_WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

export const MAX_TOP_HOURS = 24;

export interface LoadGroup {
  energyWh: number;
  quarterHours: number;
  /** kW; null without quarter-hours. */
  meanKw: number | null;
  /** 1 for the highest mean power; null without quarter-hours. */
  rank: number | null;
}

export interface HourLoad extends LoadGroup {
  /** Local hour of the day, 0..23. */
  hour: number;
  /** Among the `topHours` highest. */
  top: boolean;
}

export interface WeekDayLoad extends LoadGroup {
  day: DayOfWeek;
}

export interface PeriodShare {
  period: ErsePeriod;
  energyWh: number;
  quarterHours: number;
  /** Of the scope's energy in the window; null when it has none. */
  sharePct: number | null;
}

export interface PeakHoursResult {
  quarterHours: number;
  energyWh: number;
  hours: HourLoad[];
  weekDays: WeekDayLoad[];
  periods: PeriodShare[];
}

/** Why `topHours` cannot be taken, or null. */
export function topHoursProblem(topHours: number): string | null {
  return Number.isInteger(topHours) && topHours >= 1 && topHours <= MAX_TOP_HOURS ? null : `topHours must be a whole number from 1 to ${MAX_TOP_HOURS}`;
}

/** Local hour of the day (0..23) of the quarter-hour starting at `utcMs`. */
export const localHourOf = (utcMs: number): number => Math.floor(((utcMs + lisbonOffsetMs(utcMs)) % DAY_MS) / HOUR_MS);

/** Index in DAYS_OF_WEEK of local day `localDay`, a holiday being a Sunday. */
export function dayOfWeekIndex(localDay: number): number {
  return weekDayOf(localDay) === 'SUNDAY' ? 6 : (weekday(localDay) + 6) % 7;
}

const meanKw = (energyWh: number, quarterHours: number) => (quarterHours === 0 ? null : (energyWh * 4) / quarterHours / 1000);

/** Each group's mean power and rank among those with data. */
function ranked(sums: readonly { energyWh: number; quarterHours: number }[]): LoadGroup[] {
  const groups = sums.map(({ energyWh, quarterHours }) => ({ energyWh, quarterHours, meanKw: meanKw(energyWh, quarterHours), rank: null as number | null }));
  const order = groups.map((group, i) => ({ kw: group.meanKw, i })).filter((entry): entry is { kw: number; i: number } => entry.kw !== null);
  order.sort((a, b) => b.kw - a.kw || a.i - b.i);
  order.forEach(({ i }, position) => (groups[i]!.rank = position + 1));
  return groups;
}

export function peakHours(periods: CompiledPeriods, cycle: TouCycle, quarters: readonly QuarterEnergy[], topHours: number): PeakHoursResult {
  const zero = () => ({ energyWh: 0, quarterHours: 0 });
  const hours = Array.from({ length: 24 }, zero);
  const days = Array.from({ length: 7 }, zero);
  const byPeriod = new Map<ErsePeriod, { energyWh: number; quarterHours: number }>(ERSE_PERIODS.map((period) => [period, zero()]));
  let energyWh = 0;
  for (const { startMs, importWh } of quarters) {
    for (const group of [hours[localHourOf(startMs)]!, days[dayOfWeekIndex(lisbonLocalDay(startMs))]!, byPeriod.get(periodAt(periods, cycle, startMs))!]) {
      group.energyWh += importWh;
      group.quarterHours += 1;
    }
    energyWh += importWh;
  }
  return {
    quarterHours: quarters.length,
    energyWh,
    hours: ranked(hours).map((group, hour) => ({ ...group, hour, top: group.rank !== null && group.rank <= topHours })),
    weekDays: ranked(days).map((group, i) => ({ ...group, day: DAYS_OF_WEEK[i]! })),
    periods: ERSE_PERIODS.map((period) => {
      const group = byPeriod.get(period)!;
      return { period, ...group, sharePct: energyWh === 0 ? null : (group.energyWh / energyWh) * 100 };
    }),
  };
}

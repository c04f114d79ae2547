import { BTN_A, BTN_B, BTN_C, IP, type ProfileClassIndex } from '../../tools/profiles/coefficients';
import { DAY_MS, QUARTER_MS, QUARTERS_PER_DAY, WORKING, dayType, lisbonLocalDay, lisbonMidnightUtcMs, lisbonQuarter, quartersInLocalDay } from '../kit/calendar';
import { TIME_RANGE_DAYS, timeInRange } from '../kit/time-range';

/**
 * Day-ahead forecasts of a metering point's load (import) and PV surplus (export) at 15 minutes,
 * and their backtest against a seasonal-naive forecast. Pure: history in, figures out.
 *
 * Load, for each Lisbon local quarter-hour s of target day T, is a weighted mean over the
 * HISTORY_DAYS days before T of what the point drew at s, each day of another profile day type
 * than T's (working day, Saturday, Sunday or holiday) carried over by the class profile: h_d(s) ·
 * P_T(s) / P_d(s). The profile carries what recent days alone get wrong (a Sunday after a week of
 * working days, a holiday); the point's readings carry what the profile does not know (its level,
 * its time shift, an evening EV session), and days of T's own type are taken as measured, so a
 * load the profile does not describe is not rescaled by it. Weights fall by RECENCY per day of
 * age, and days of the other group (working days against weekends and holidays) count
 * OTHER_DAY_TYPE_WEIGHT as much. Days are aligned on local time, so the same local quarter-hour
 * is compared across summer-time changes (92- and 100-quarter days).
 * PV surplus follows the sun, not the clock: it is the recency-weighted mean of the same UTC
 * quarter-hour on the days before.
 */

/** Days of readings a forecast draws on. */
export const HISTORY_DAYS = 14;
/** Weight of a day of history relative to the day after it. */
export const RECENCY = 0.9;
/** Weight of a day of the other day type relative to one of the target's. */
export const OTHER_DAY_TYPE_WEIGHT = 0.5;
/** The longest forecast window, and how far ahead it may start. */
export const MAX_FORECAST_DAYS = 7;
export const MAX_LEAD_DAYS = 7;
export const MAX_BACKTEST_DAYS = 28;
/**
 * MAPE leaves out intervals whose actual is below this share of the mean absolute actual: a
 * substation whose PV balances its load at noon has a net near zero, and a percentage of nearly
 * nothing says nothing about the forecast. NRMSE keeps every interval.
 */
export const MAPE_FLOOR_SHARE = 0.05;

/** Power per UTC quarter-hour from startMs (a quarter-hour), kW; NaN where nothing is known. */
export interface PowerSeries {
  startMs: number;
  importKw: Float64Array;
  exportKw: Float64Array;
}

/** What the forecast knows of a point besides its readings. */
export interface LoadModel {
  /** The standard profile its load follows; null for one that follows none (a public charging station). */
  profileClass: ProfileClassIndex | null;
  annualConsumptionKwh: number;
}

/** The standard profiles of a local day: StandardProfiles (tools/profiles/coefficients.ts), or a small one in tests. */
export interface ClassProfiles {
  day(localDay: number): { readonly fraction: ArrayLike<number>; readonly shapes: readonly ArrayLike<number>[] };
}

const CLASS_OF: Readonly<Record<string, ProfileClassIndex>> = { BTN_A, BTN_B, BTN_C };

/** Public lighting follows the IP profile and a charging station its sessions; every other point its class's profile. */
export function profileClassOf(customerClass: string, usage: string): ProfileClassIndex | null {
  if (usage === 'PUBLIC_LIGHTING') return IP;
  if (usage === 'EV_CHARGING') return null;
  return CLASS_OF[customerClass] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Local days

// Hot loops read these through module constants: an imported binding is a property lookup each time.
const SLOTS = QUARTERS_PER_DAY;

/** A local day as UTC quarter-hours: where it starts, how many it has, each one's local quarter-hour of the day. */
export interface DayLayout {
  localDay: number;
  startMs: number;
  /** 96, or 92 and 100 on the summer-time days. */
  count: number;
  slot: Uint8Array;
}

const layouts = new Map<number, DayLayout>();
const LAYOUT_CACHE_LIMIT = 4_096;

export function dayLayout(localDay: number): DayLayout {
  let layout = layouts.get(localDay);
  if (!layout) {
    if (layouts.size >= LAYOUT_CACHE_LIMIT) layouts.clear();
    const startMs = lisbonMidnightUtcMs(localDay);
    const count = quartersInLocalDay(localDay);
    const slot = new Uint8Array(count);
    for (let j = 0; j < count; j++) slot[j] = lisbonQuarter(startMs / QUARTER_MS + j) - localDay * QUARTERS_PER_DAY;
    layout = { localDay, startMs, count, slot };
    layouts.set(localDay, layout);
  }
  return layout;
}

/** The local days [fromMs, toMs) touches. */
export function localDaysOf(fromMs: number, toMs: number): number[] {
  const days: number[] = [];
  for (let day = lisbonLocalDay(fromMs); day <= lisbonLocalDay(toMs - 1); day++) days.push(day);
  return days;
}

/** `values` of local day `localDay` by local quarter-hour: the repeated autumn hour averaged, the skipped spring hour and missing readings NaN. */
export function localDaySlots(series: PowerSeries, values: Float64Array, localDay: number): Float64Array {
  const layout = dayLayout(localDay);
  const sum = new Float64Array(SLOTS);
  const n = new Uint8Array(SLOTS);
  const offset = (layout.startMs - series.startMs) / QUARTER_MS;
  for (let j = 0; j < layout.count; j++) {
    const v = values[offset + j];
    if (v === undefined || Number.isNaN(v)) continue;
    sum[layout.slot[j]!] += v;
    n[layout.slot[j]!]++;
  }
  for (let s = 0; s < SLOTS; s++) sum[s] = n[s] === 0 ? Number.NaN : sum[s]! / n[s]!;
  return sum;
}

const isWorkingDay = (localDay: number) => dayType(localDay) === WORKING;

/** Weight of each age of history (index: days before the target), recency only. */
const RECENCY_WEIGHTS = Float64Array.from({ length: HISTORY_DAYS + 1 }, (_, age) => (age === 0 ? 0 : RECENCY ** (age - 1)));

// ---------------------------------------------------------------------------------------------
// Forecasts

/** The class's share of the year's energy in each local quarter-hour of the day. */
function shares(profiles: ClassProfiles, localDay: number, profileClass: ProfileClassIndex): Float64Array {
  const profile = profiles.day(localDay);
  const fraction = profile.fraction[profileClass]!;
  const shape = profile.shapes[profileClass]!;
  const out = new Float64Array(SLOTS);
  for (let s = 0; s < SLOTS; s++) out[s] = fraction * shape[s]!;
  return out;
}

/** The load forecast of local day `localDay` by local quarter-hour (see the module's comment). */
function loadByLocalSlot(history: PowerSeries, model: LoadModel, profiles: ClassProfiles, localDay: number): Float64Array {
  const weighted = new Float64Array(SLOTS);
  const weights = new Float64Array(SLOTS);
  const type = dayType(localDay);
  const working = type === WORKING;
  const { profileClass } = model;
  const target = profileClass === null ? null : shares(profiles, localDay, profileClass);
  for (let age = 1; age <= HISTORY_DAYS; age++) {
    const day = localDay - age;
    const w = RECENCY_WEIGHTS[age]! * (isWorkingDay(day) === working ? 1 : OTHER_DAY_TYPE_WEIGHT);
    const values = localDaySlots(history, history.importKw, day);
    // A day of the target's own type is taken as measured; another is carried over by the profile.
    const from = target && dayType(day) !== type ? shares(profiles, day, profileClass!) : null;
    for (let s = 0; s < SLOTS; s++) {
      const v = values[s]!;
      if (Number.isNaN(v)) continue;
      if (!from) weighted[s] += w * v;
      else if (from[s]! > 0) weighted[s] += (w * v * target![s]!) / from[s]!;
      else continue;
      weights[s] += w;
    }
  }
  for (let s = 0; s < SLOTS; s++) {
    // Nothing stored at this time of day: what the profile expects of the point's annual consumption.
    if (weights[s] === 0) weighted[s] = target ? target[s]! * model.annualConsumptionKwh * 4 : model.annualConsumptionKwh / 8_760;
    else weighted[s] = weighted[s]! / weights[s]!;
  }
  return weighted;
}

/** The PV surplus forecast of each UTC quarter-hour of the layout's day: only readings before the day count. */
function surplusByQuarter(history: PowerSeries, layout: DayLayout): Float64Array {
  const out = new Float64Array(layout.count);
  const dayIndex = (layout.startMs - history.startMs) / QUARTER_MS;
  for (let j = 0; j < layout.count; j++) {
    let weighted = 0;
    let weights = 0;
    // A UTC day is always 96 quarter-hours; the last ones of a 25-hour day are less than a day after its start.
    for (let age = Math.floor(j / SLOTS) + 1; age <= HISTORY_DAYS; age++) {
      const v = history.exportKw[dayIndex + j - age * SLOTS];
      if (v === undefined || Number.isNaN(v)) continue;
      weighted += RECENCY_WEIGHTS[age]! * v;
      weights += RECENCY_WEIGHTS[age]!;
    }
    out[j] = weights === 0 ? 0 : weighted / weights;
  }
  return out;
}

/** Fills [fromMs, toMs) of a new series day by day, from `day(layout)`'s import and export per UTC quarter-hour of the local day. */
function seriesByDay(fromMs: number, toMs: number, day: (layout: DayLayout) => { importKw: ArrayLike<number>; exportKw: ArrayLike<number> }): PowerSeries {
  const length = (toMs - fromMs) / QUARTER_MS;
  const out: PowerSeries = { startMs: fromMs, importKw: new Float64Array(length).fill(Number.NaN), exportKw: new Float64Array(length).fill(Number.NaN) };
  for (const localDay of localDaysOf(fromMs, toMs)) {
    const layout = dayLayout(localDay);
    const values = day(layout);
    const offset = (layout.startMs - fromMs) / QUARTER_MS;
    for (let j = Math.max(0, -offset); j < layout.count && offset + j < length; j++) {
      out.importKw[offset + j] = values.importKw[j]!;
      out.exportKw[offset + j] = values.exportKw[j]!;
    }
  }
  return out;
}

/** One point's forecast over [fromMs, toMs) (quarter-hours) from its `history`, of which only what precedes each target day is used. */
export function forecastPoint(history: PowerSeries, model: LoadModel, profiles: ClassProfiles, fromMs: number, toMs: number): PowerSeries {
  return seriesByDay(fromMs, toMs, (layout) => {
    const load = loadByLocalSlot(history, model, profiles, layout.localDay);
    return { importKw: Array.from(layout.slot, (s) => load[s]!), exportKw: surplusByQuarter(history, layout) };
  });
}

/** Whether any reading of local day `localDay` is stored. */
function hasDay(series: PowerSeries, localDay: number): boolean {
  const layout = dayLayout(localDay);
  const offset = (layout.startMs - series.startMs) / QUARTER_MS;
  for (let j = 0; j < layout.count; j++) {
    const i = offset + j;
    if (i >= 0 && i < series.importKw.length && !Number.isNaN(series.importKw[i]!) && !Number.isNaN(series.exportKw[i]!)) return true;
  }
  return false;
}

/** Seasonal-naive: each local quarter-hour as it was a week before, or the day before when that week is not stored; NaN when neither is. */
export function seasonalNaive(history: PowerSeries, fromMs: number, toMs: number): PowerSeries {
  return seriesByDay(fromMs, toMs, (layout) => {
    const source = hasDay(history, layout.localDay - 7) ? layout.localDay - 7 : layout.localDay - 1;
    const load = localDaySlots(history, history.importKw, source);
    const surplus = localDaySlots(history, history.exportKw, source);
    return { importKw: Array.from(layout.slot, (s) => load[s]!), exportKw: Array.from(layout.slot, (s) => surplus[s]!) };
  });
}

/** The sum of series over [startMs, startMs + length quarter-hours); an interval unknown in any of them is unknown. */
export function sumSeries(series: readonly PowerSeries[], startMs: number, length: number): PowerSeries {
  const out: PowerSeries = { startMs, importKw: new Float64Array(length), exportKw: new Float64Array(length) };
  for (const one of series) {
    const offset = (startMs - one.startMs) / QUARTER_MS;
    for (let i = 0; i < length; i++) {
      out.importKw[i] += one.importKw[offset + i] ?? Number.NaN;
      out.exportKw[i] += one.exportKw[offset + i] ?? Number.NaN;
    }
  }
  return out;
}

export const netKw = (series: PowerSeries): Float64Array => series.importKw.map((value, i) => value - series.exportKw[i]!);

// ---------------------------------------------------------------------------------------------
// Accuracy

export interface AccuracyMetrics {
  /** Mean absolute percentage error, %, over the intervals MAPE_FLOOR_SHARE lets in; null when none. */
  mapePercent: number | null;
  /** Root mean square error over the mean absolute actual, %; null when there is nothing to compare. */
  nrmsePercent: number | null;
}

export interface Comparison {
  /** Intervals compared: an actual and both forecasts known. */
  intervals: number;
  /** Of those, the ones MAPE counts. */
  mapeIntervals: number;
  method: AccuracyMetrics;
  seasonalNaive: AccuracyMetrics;
}

/** Both forecasts against the actuals, on the intervals where all three are known. */
export function compareForecasts(actual: ArrayLike<number>, method: ArrayLike<number>, naive: ArrayLike<number>): Comparison {
  const kept: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    if (Number.isFinite(actual[i]) && Number.isFinite(method[i]) && Number.isFinite(naive[i])) kept.push(i);
  }
  const meanAbs = kept.reduce((sum, i) => sum + Math.abs(actual[i]!), 0) / kept.length;
  const floor = MAPE_FLOOR_SHARE * meanAbs;
  const inMape = kept.filter((i) => Math.abs(actual[i]!) >= floor && actual[i] !== 0);
  const metrics = (forecast: ArrayLike<number>): AccuracyMetrics => {
    if (kept.length === 0 || !(meanAbs > 0)) return { mapePercent: null, nrmsePercent: null };
    const squared = kept.reduce((sum, i) => sum + (actual[i]! - forecast[i]!) ** 2, 0) / kept.length;
    const ape = inMape.reduce((sum, i) => sum + Math.abs((actual[i]! - forecast[i]!) / actual[i]!), 0);
    return { mapePercent: inMape.length === 0 ? null : (100 * ape) / inMape.length, nrmsePercent: (100 * Math.sqrt(squared)) / meanAbs };
  };
  return { intervals: kept.length, mapeIntervals: inMape.length, method: metrics(method), seasonalNaive: metrics(naive) };
}

/** How much smaller the method's error is than seasonal-naive's, % of the latter; null when either is unknown or naive's is 0. */
export function improvementPercent(method: number | null, naive: number | null): number | null {
  return method === null || naive === null || naive === 0 ? null : (100 * (naive - method)) / naive;
}

export interface BacktestPoint {
  history: PowerSeries;
  model: LoadModel;
}

export interface Backtest extends Comparison {
  /** Local days that had something to compare. */
  days: number;
}

/** The local days a backtest of `days` days run at `nowMs` covers: the complete ones before today, oldest first. */
export function backtestDays(nowMs: number, days: number): number[] {
  const today = lisbonLocalDay(nowMs);
  return Array.from({ length: days }, (_, i) => today - days + i);
}

/** The readings a backtest of those days needs: each day's history, and the days themselves. */
export function backtestHistoryWindow(days: readonly number[]): { fromMs: number; toMs: number } {
  return { fromMs: lisbonMidnightUtcMs(days[0]! - HISTORY_DAYS), toMs: lisbonMidnightUtcMs(days[days.length - 1]! + 1) };
}

/**
 * The method and seasonal-naive, day by day, for the scope the points make up: each day forecast
 * from the days before it only, both compared on the scope's net power (import − export, what a
 * power flow takes), whose actual is known only where every point's reading is.
 */
export function backtest(points: readonly BacktestPoint[], profiles: ClassProfiles, days: readonly number[]): Backtest {
  // No point, no actuals (a sum over none would read as a measured zero).
  if (points.length === 0) return { days: 0, ...compareForecasts([], [], []) };
  const { fromMs, toMs } = backtestHistoryWindow(days);
  const historyLength = (toMs - fromMs) / QUARTER_MS;
  const scope = sumSeries(
    points.map((point) => point.history),
    fromMs,
    historyLength,
  );
  const actual: number[] = [];
  const method: number[] = [];
  const naive: number[] = [];
  let daysCompared = 0;
  for (const day of days) {
    const dayFromMs = lisbonMidnightUtcMs(day);
    const dayToMs = lisbonMidnightUtcMs(day + 1);
    const length = (dayToMs - dayFromMs) / QUARTER_MS;
    const forecast = sumSeries(
      points.map((point) => forecastPoint(point.history, point.model, profiles, dayFromMs, dayToMs)),
      dayFromMs,
      length,
    );
    const dayActual = netKw(sumSeries([scope], dayFromMs, length));
    const dayNaive = netKw(seasonalNaive(scope, dayFromMs, dayToMs));
    if (dayActual.some((kw, i) => Number.isFinite(kw) && Number.isFinite(dayNaive[i]))) daysCompared++;
    actual.push(...dayActual);
    method.push(...netKw(forecast));
    naive.push(...dayNaive);
  }
  return { days: daysCompared, ...compareForecasts(actual, method, naive) };
}

// ---------------------------------------------------------------------------------------------
// Requests

export type ForecastScope = { kind: 'meteringPoint' | 'feeder' | 'secondarySubstation'; id: string };

export interface ForecastScopeFields {
  meteringPointId?: string | null;
  feederId?: string | null;
  secondarySubstationId?: string | null;
}

/** The scope, or what is wrong with it. */
export function parseForecastScope(fields: ForecastScopeFields): ForecastScope | string {
  const given = (['meteringPointId', 'feederId', 'secondarySubstationId'] as const).filter((field) => fields[field] != null);
  if (given.length !== 1) return 'give exactly one of meteringPointId, feederId, secondarySubstationId';
  const field = given[0]!;
  const id = fields[field]!;
  if (id === '') return `${field} is empty`;
  return { kind: field === 'meteringPointId' ? 'meteringPoint' : field === 'feederId' ? 'feeder' : 'secondarySubstation', id };
}

/** What is wrong with a forecast window asked at `nowMs`, or null. */
export function forecastWindowProblem(fromMs: number, toMs: number, nowMs: number): string | null {
  if (!timeInRange(fromMs) || !timeInRange(toMs)) return `from and to must lie between ${TIME_RANGE_DAYS[0]} and ${TIME_RANGE_DAYS[1]}`;
  if (fromMs % QUARTER_MS !== 0 || toMs % QUARTER_MS !== 0) return 'from and to must be aligned to 15 minutes';
  if (toMs <= fromMs) return 'to must be after from';
  if (toMs - fromMs > MAX_FORECAST_DAYS * DAY_MS) return `a forecast covers at most ${MAX_FORECAST_DAYS} days`;
  if (fromMs > nowMs + MAX_LEAD_DAYS * DAY_MS) return `a forecast starts at most ${MAX_LEAD_DAYS} days ahead`;
  return null;
}

export function backtestDaysProblem(days: number): string | null {
  return Number.isInteger(days) && days >= 1 && days <= MAX_BACKTEST_DAYS ? null : `days must be a whole number from 1 to ${MAX_BACKTEST_DAYS}`;
}

/** The readings a forecast of [fromMs, toMs) draws on: the HISTORY_DAYS local days before its first day, up to its last day. */
export function forecastHistoryWindow(fromMs: number, toMs: number): { fromMs: number; toMs: number } {
  const days = localDaysOf(fromMs, toMs);
  return { fromMs: lisbonMidnightUtcMs(days[0]! - HISTORY_DAYS), toMs: lisbonMidnightUtcMs(days[days.length - 1]!) };
}

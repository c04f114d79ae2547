/**
 * Settling a flex order from metered data. Pure. The method is fixed by issue 12:
 *
 * - The ISPs settled: the offer's ISPs that start before the request's restore when the DSO closed
 *   it early (BY_DSO: FLEX_RESTORE told the offerer to let its loads go then, so what it did not
 *   shift after is obedience, not deficiency), all of them when its period ended (PERIOD_ENDED).
 *   Closing cancels the orders with no ISP before the restore; one left from before that rule
 *   settles with no ISPs and nothing to pay.
 * - The order's metering points are those of its HEMS (the HEMS its offerer sent a FLEX_ORDER
 *   command for it, not rejected or expired). An order never commanded has none: it delivered
 *   nothing, and settles at once with baseline and actual 0, its whole ordered power as
 *   deficiency, and no baseline days.
 * - actualKw of an ISP: the points' summed import in it (Wh × 4 / 1000). Every point must have
 *   its reading in every ISP of the order, or the order waits ("readings not all in").
 * - baselineKw of an ISP: the mean, over the baseline days, of the points' summed import at the
 *   same Lisbon wall-clock quarter-hour. The baseline days are the most recent local days before
 *   the order's day (the local day of its first ISP), at most BASELINE_LOOKBACK_DAYS back, of the
 *   same day type (a working day, or not: Saturdays, Sundays and holidays are one type, from
 *   kit/calendar.ts), skipping
 *     - activation days: a day with an ISP of any non-cancelled flex order on one of the points,
 *       or a contracted-power order capping one (the order's own days are never candidates,
 *       being not before its day), and
 *     - incomplete days: a day counts only when every point has its reading at every ISP's
 *       quarter-hour on it (a quarter-hour the day does not have, in the hour skipped in spring,
 *       makes the day incomplete; in the hour repeated in autumn its first, summer, occurrence is taken);
 *   up to BASELINE_MAX_DAYS days. With fewer than BASELINE_MIN_DAYS the order waits ("too few baseline days").
 *   The same days serve every ISP; an order spanning midnight takes each ISP's wall-clock
 *   quarter-hour on them, its day type and look-back from its first ISP's day.
 * - orderedKw = offered kW × activation factor; deliveredKw = max(0, baseline − actual);
 *   deficiencyKw = max(0, ordered − delivered). Figures are in whole watts.
 * - The amount paid to the offerer: per ISP, min(delivered, ordered) × 0.25 h at the offer's
 *   price, less deficiency × 0.25 h × price × DEFICIENCY_PENALTY_RATIO; each term rounded to the
 *   micro-euro, summed exactly. Negative: the offerer owes it.
 */
import { dayType, DAY_MS, lisbonLocalDay, lisbonQuarter, lisbonWallToUtcMs, QUARTER_MS, QUARTERS_PER_DAY, WORKING } from '../kit/calendar';
import { localDayText } from '../kit/local-day';

/** Non-delivered energy is charged back at the offer's price: what the DSO had to find elsewhere costs it at least that. */
export const DEFICIENCY_PENALTY_RATIO = 1;
export const BASELINE_MAX_DAYS = 5;
export const BASELINE_MIN_DAYS = 2;
export const BASELINE_LOOKBACK_DAYS = 30;

/** Quarter-hours per hour: 15-minute Wh to average W (× 4), and W to kWh in 15 minutes (÷ 4000). */
const QUARTERS_PER_HOUR = 4;

export interface OrderToSettle {
  /** The offer's ISPs to settle (ispsToSettle) and their offered kW. */
  isps: readonly { startMs: number; offeredKw: number }[];
  activationFactor: number;
  priceEurPerKwh: number;
  meteringPointIds: readonly string[];
  /** Instants the order's points were under an order (flex orders' ISPs, contracted-power caps), this one included or not: their local days are activation days. */
  activationStartsMs: readonly number[];
}

/** At one reading instant: the order's points' summed import, and how many of its points have a reading there. */
export interface PointsAt {
  importWh: number;
  points: number;
}

export interface SettlementIspFigures {
  startMs: number;
  baselineKw: number;
  orderedKw: number;
  actualKw: number;
  deliveredKw: number;
  deficiencyKw: number;
}

export interface SettlementFigures {
  /** YYYY-MM-DD, most recent first. */
  baselineDays: string[];
  meteringPointIds: string[];
  amountMicroEur: number;
  isps: SettlementIspFigures[];
}

export type SettlementOutcome = { settled: true; figures: SettlementFigures } | { settled: false; reason: string };

/** [fromMs, toMs): readings to read for an order. */
export interface ReadingWindow {
  fromMs: number;
  toMs: number;
}

const orderDay = (order: Pick<OrderToSettle, 'isps'>): number => lisbonLocalDay(Math.min(...order.isps.map((isp) => isp.startMs)));

/** The Lisbon wall-clock quarter-hour of the day (0-95) an instant falls in. */
function quarterOfDay(utcMs: number): number {
  return lisbonQuarter(Math.floor(utcMs / QUARTER_MS)) - lisbonLocalDay(utcMs) * QUARTERS_PER_DAY;
}

/** The UTC start of wall-clock quarter-hour `quarter` (0-95) of local day `localDay`; null when that day does not have it (spring). */
export function quarterOnDay(localDay: number, quarter: number): number | null {
  const utcMs = lisbonWallToUtcMs(localDay * DAY_MS + quarter * QUARTER_MS);
  return lisbonQuarter(utcMs / QUARTER_MS) === localDay * QUARTERS_PER_DAY + quarter ? utcMs : null;
}

const isWorking = (localDay: number) => dayType(localDay) === WORKING;

/**
 * The days the baseline may use, most recent first: before the order's day, within the look-back,
 * of its day type, not activation days. Which of them are complete the readings tell.
 */
export function baselineCandidateDays(order: Pick<OrderToSettle, 'isps' | 'activationStartsMs'>): number[] {
  const day = orderDay(order);
  const working = isWorking(day);
  const activationDays = new Set(order.activationStartsMs.map(lisbonLocalDay));
  const days: number[] = [];
  for (let candidate = day - 1; candidate >= day - BASELINE_LOOKBACK_DAYS; candidate--) {
    if (isWorking(candidate) === working && !activationDays.has(candidate)) days.push(candidate);
  }
  return days;
}

const quartersOf = (order: Pick<OrderToSettle, 'isps'>) => order.isps.map((isp) => quarterOfDay(isp.startMs));

/** What to read of each of an order's points for its actuals: the span of its ISPs. */
export function ispWindow(order: Pick<OrderToSettle, 'isps'>): ReadingWindow {
  const starts = order.isps.map((isp) => isp.startMs);
  return { fromMs: Math.min(...starts), toMs: Math.max(...starts) + QUARTER_MS };
}

/** What to read of each of an order's points on baseline days: on each, the span of its ISPs' quarter-hours (readings in it at other quarter-hours are ignored). */
export function baselineWindows(order: Pick<OrderToSettle, 'isps'>, days: readonly number[]): ReadingWindow[] {
  const quarters = quartersOf(order);
  const [first, last] = [Math.min(...quarters), Math.max(...quarters)];
  return days.map((day) => ({
    fromMs: lisbonWallToUtcMs(day * DAY_MS + first * QUARTER_MS),
    toMs: lisbonWallToUtcMs(day * DAY_MS + last * QUARTER_MS) + QUARTER_MS,
  }));
}

/** Everything a settlement of the order may read of each of its points: its ISPs and every candidate day. */
export function readingWindows(order: Pick<OrderToSettle, 'isps' | 'activationStartsMs'>): ReadingWindow[] {
  return [ispWindow(order), ...baselineWindows(order, baselineCandidateDays(order))];
}

/** The order's distinct points, and whether every one has its reading at an instant (null: a quarter-hour the day lacks). */
function coverage(order: OrderToSettle, readings: ReadonlyMap<number, PointsAt>) {
  const points = [...new Set(order.meteringPointIds)].sort();
  const complete = (utcMs: number | null) => utcMs !== null && readings.get(utcMs)?.points === points.length;
  const quarters = quartersOf(order);
  return {
    points,
    ispsComplete: () => order.isps.every((isp) => complete(isp.startMs)),
    completeDays: (days: readonly number[]) => days.filter((day) => quarters.every((quarter) => complete(quarterOnDay(day, quarter)))),
  };
}

/**
 * Whether, with the readings of the first `daysRead` candidate days, a settlement could still
 * take more baseline days from the later ones: its ISPs' readings are in, fewer than
 * BASELINE_MAX_DAYS of those days are complete, and there are more. Reading the most recent
 * candidates first, and the rest only then, is what keeps a day of orders fast.
 */
export function wantsMoreBaselineDays(order: OrderToSettle, readings: ReadonlyMap<number, PointsAt>, daysRead: number): boolean {
  const { points, ispsComplete, completeDays } = coverage(order, readings);
  const candidates = baselineCandidateDays(order);
  return points.length > 0 && candidates.length > daysRead && ispsComplete() && completeDays(candidates.slice(0, daysRead)).length < BASELINE_MAX_DAYS;
}

const microEur = (watts: number, priceMicroEurPerKwh: number, ratio: number) => Math.round((watts * priceMicroEurPerKwh * ratio) / (1000 * QUARTERS_PER_HOUR));

/** The ISPs to settle (see above): those starting before `restoredByDsoAtMs`, or all when the DSO did not close the request early (null). */
export function ispsToSettle<T extends { startMs: number }>(isps: readonly T[], restoredByDsoAtMs: number | null): T[] {
  return restoredByDsoAtMs === null ? [...isps] : isps.filter((isp) => isp.startMs < restoredByDsoAtMs);
}

/** Settles an order from its points' summed readings by instant (`readings`, keyed by UTC ms), or says why it must wait. */
export function settleOrder(order: OrderToSettle, readings: ReadonlyMap<number, PointsAt>): SettlementOutcome {
  const { points, ispsComplete, completeDays } = coverage(order, readings);
  if (order.isps.length === 0) return { settled: true, figures: { baselineDays: [], meteringPointIds: points, amountMicroEur: 0, isps: [] } };
  const isps = [...order.isps].sort((a, b) => a.startMs - b.startMs);
  const wattsAt = (utcMs: number) => (readings.get(utcMs)?.importWh ?? 0) * QUARTERS_PER_HOUR;

  let days: number[] = [];
  if (points.length > 0) {
    if (!ispsComplete()) return { settled: false, reason: 'readings not all in: a point of the order lacks a reading in one of its ISPs' };
    days = completeDays(baselineCandidateDays(order)).slice(0, BASELINE_MAX_DAYS);
    if (days.length < BASELINE_MIN_DAYS) return { settled: false, reason: `too few baseline days: ${days.length} of the ${BASELINE_MIN_DAYS} needed` };
  }

  const priceMicroEurPerKwh = Math.round(order.priceEurPerKwh * 1_000_000);
  let amountMicroEur = 0;
  const figures = isps.map((isp) => {
    const quarter = quarterOfDay(isp.startMs);
    const baselineW = days.length === 0 ? 0 : Math.round(days.reduce((sum, day) => sum + wattsAt(quarterOnDay(day, quarter)!), 0) / days.length);
    const actualW = points.length === 0 ? 0 : wattsAt(isp.startMs);
    const orderedW = Math.round(isp.offeredKw * order.activationFactor * 1000);
    const deliveredW = Math.max(0, baselineW - actualW);
    const deficiencyW = Math.max(0, orderedW - deliveredW);
    amountMicroEur += microEur(Math.min(deliveredW, orderedW), priceMicroEurPerKwh, 1) - microEur(deficiencyW, priceMicroEurPerKwh, DEFICIENCY_PENALTY_RATIO);
    return { startMs: isp.startMs, baselineKw: baselineW / 1000, orderedKw: orderedW / 1000, actualKw: actualW / 1000, deliveredKw: deliveredW / 1000, deficiencyKw: deficiencyW / 1000 };
  });
  return { settled: true, figures: { baselineDays: days.map(localDayText), meteringPointIds: points, amountMicroEur, isps: figures } };
}

/**
 * Revenue-neutral calibration, exactly: the prices of a new scheme, in a given ratio to each other,
 * for which a sample of metering points would have paid over a window what it paid on the schemes
 * it was on. Pure: the caller reads the sample's energy per quarter-hour and scheme, its
 * assignments and contracted power.
 *
 * Revenue before: each scheme's bill on the quarter-hours the sample spent on it (energy, with that
 * scheme's critical-peak events), plus each point's contracted power for every local day it was
 * billed, on the scheme in force at that day's first billed quarter-hour (billSegments' rule).
 * Revenue after: the same quarter-hours and the same point-days on the new scheme, so that only the
 * prices differ. Energy cost is linear in the scale s of the prices (p = s × ratio), so
 * s = (before − power after) / Σ energy × ratio; each price is then rounded to a nano-euro and the
 * revenue after is computed again, exactly, with the rounded prices.
 */
import { PRICED_PERIODS, type PricedPeriod, type TariffCycle, type TariffKind } from '../../schema/tariffs';
import { lisbonLocalDay, QUARTER_MS } from '../kit/calendar';
import { bill, type BillScheme, type CriticalPeakWindow, type QuarterEnergy, type SchemeSpan } from './bill.rules';
import type { CompiledPeriods } from './erse-periods.rules';
import { pointDaysProblem } from './tariff-sample.rules';
import { MAX_PRICE_EUR, priceNanoEur, schemeShapeProblem } from './tariff-scheme.rules';

/** Hypothetical critical-peak events one calibration may price: a year's worth of daily evenings and more. */
export const MAX_CALIBRATION_EVENTS = 500;
/** The largest ratio: ratios are relative, so any scale fits below it. */
export const MAX_RATIO = 1_000_000;
/** Why a sample of `points` over `days` local days is too large to read in one calibration (tariff-sample.rules' bound), or null. */
export const sampleSizeProblem = (points: number, days: number): string | null => pointDaysProblem(points, days, 'fewer points or a shorter window');

/** How far from revenue-neutral a calibration may land once its prices are rounded to the nano-euro. */
export const MAX_RELATIVE_DIFFERENCE = 1e-6;

/** A point's contracted power, kVA. */
export interface PointPower {
  meteringPointId: string;
  contractedPowerKva: number;
}

/**
 * Contracted power charged per scheme over the window: Σ over points and local days billed of
 * the point's kVA in hundredths (ERSE's power steps: 3.45, 6.9 ...), an integer, on the scheme in
 * force at the day's first billed quarter-hour. `total` is the sum over schemes.
 */
export interface ChargedPower {
  centiKvaDaysByScheme: Map<string, number>;
  total: number;
}

const centiKva = (kva: number) => Math.round(kva * 100);

/**
 * The local days each point is billed on, from its assignment spans over [fromMs, toMs): a day
 * with a quarter-hour in a span counts once, on the earliest span that touches it.
 */
export function chargedPower(spans: readonly (SchemeSpan & { meteringPointId: string })[], powers: readonly PointPower[], fromMs: number, toMs: number): ChargedPower {
  const kvaOf = new Map(powers.map((power) => [power.meteringPointId, power.contractedPowerKva]));
  const byPoint = new Map<string, SchemeSpan[]>();
  for (const span of spans) byPoint.set(span.meteringPointId, [...(byPoint.get(span.meteringPointId) ?? []), span]);
  const centiKvaDaysByScheme = new Map<string, number>();
  let total = 0;
  for (const [pointId, pointSpans] of byPoint) {
    const kva = kvaOf.get(pointId);
    if (kva === undefined) continue;
    let lastDay = -Infinity;
    for (const span of [...pointSpans].sort((a, b) => a.fromMs - b.fromMs)) {
      const first = Math.ceil(Math.max(fromMs, span.fromMs) / QUARTER_MS) * QUARTER_MS;
      const last = Math.ceil(Math.min(toMs, span.toMs) / QUARTER_MS) * QUARTER_MS - QUARTER_MS;
      if (last < first) continue;
      const firstDay = Math.max(lisbonLocalDay(first), lastDay + 1);
      lastDay = lisbonLocalDay(last);
      if (lastDay < firstDay) continue;
      const centiKvaDays = centiKva(kva) * (lastDay - firstDay + 1);
      centiKvaDaysByScheme.set(span.schemeId, (centiKvaDaysByScheme.get(span.schemeId) ?? 0) + centiKvaDays);
      total += centiKvaDays;
    }
  }
  return { centiKvaDaysByScheme, total };
}

/** hundredths of kVA-days × nEUR/kVA/day: 10⁻¹¹ EUR, as pico-euros. */
const powerPicoEur = (centiKvaDays: number, nanoEurPerKvaDay: number) => BigInt(centiKvaDays) * BigInt(nanoEurPerKvaDay) * 10n;

export interface CalibrationTarget {
  kind: TariffKind;
  cycle: TariffCycle | null;
  /** The ratio of each priced base period's price to the scale. */
  ratios: readonly { period: string; ratio: number }[];
  powerPriceEurPerKvaDay: number;
  /** CRITICAL_PEAK only: the critical_peak ratio and the hypothetical events it is charged in. */
  criticalPeak: { ratio: number; events: readonly CriticalPeakWindow[] } | null;
}

export interface Problem {
  field: string;
  message: string;
}

/** The new scheme's shape, validated: ratios by priced period, the power price in nano-euros. */
export interface ParsedTarget {
  cycle: TariffCycle | null;
  ratios: Partial<Record<PricedPeriod, number>>;
  powerNanoEurPerKvaDay: number;
  criticalPeaks: readonly CriticalPeakWindow[];
}

/** The target as a scheme to price, or what is wrong with it: ratios that do not fit the kind and cycle, non-positive ratios, a bad power price. */
export function parseCalibrationTarget(target: CalibrationTarget, window: { fromMs: number; toMs: number }): ParsedTarget | Problem[] {
  const problems: Problem[] = [];
  if (target.ratios.some((ratio) => ratio.period === 'critical_peak')) {
    problems.push({ field: 'priceRatios', message: "critical_peak's ratio is criticalPeak.ratio, not one of priceRatios" });
  } else if (target.kind === 'CRITICAL_PEAK' && !target.criticalPeak) {
    problems.push({ field: 'criticalPeak', message: 'a CRITICAL_PEAK scheme needs criticalPeak: its ratio and the events it is charged in' });
  } else if (target.kind !== 'CRITICAL_PEAK' && target.criticalPeak) {
    problems.push({ field: 'criticalPeak', message: `a ${target.kind} scheme has no critical peaks: leave criticalPeak out, or calibrate a CRITICAL_PEAK scheme` });
  } else {
    const periods = [...target.ratios.map((ratio) => ratio.period), ...(target.criticalPeak ? ['critical_peak'] : [])];
    const shape = schemeShapeProblem(target.kind, target.cycle, periods);
    if (shape) problems.push({ field: shape.on === 'cycle' ? 'cycle' : 'priceRatios', message: shape.message });
  }
  for (const [i, { ratio }] of target.ratios.entries()) {
    if (!Number.isFinite(ratio) || ratio <= 0 || ratio > MAX_RATIO) {
      problems.push({ field: `priceRatios[${i}].ratio`, message: `priceRatios[${i}].ratio must be above 0 and at most ${MAX_RATIO.toLocaleString('en')}` });
    }
  }
  const criticalPeak = target.criticalPeak;
  if (criticalPeak) {
    if (!Number.isFinite(criticalPeak.ratio) || criticalPeak.ratio <= 0 || criticalPeak.ratio > MAX_RATIO) {
      problems.push({ field: 'criticalPeak.ratio', message: `criticalPeak.ratio must be above 0 and at most ${MAX_RATIO.toLocaleString('en')}` });
    }
    if (criticalPeak.events.length > MAX_CALIBRATION_EVENTS) problems.push({ field: 'criticalPeak.events', message: `at most ${MAX_CALIBRATION_EVENTS} events` });
    const outside = criticalPeak.events.findIndex((event) => event.startMs < window.fromMs || event.endMs > window.toMs);
    if (outside >= 0) problems.push({ field: `criticalPeak.events[${outside}]`, message: `criticalPeak.events[${outside}] lies outside the calibration window` });
  }
  const power = priceNanoEur(target.powerPriceEurPerKvaDay, 'powerPriceEurPerKvaDay');
  if (typeof power === 'string') problems.push({ field: 'powerPriceEurPerKvaDay', message: power });
  if (problems.length > 0 || typeof power === 'string') return problems;
  const ratios: Partial<Record<PricedPeriod, number>> = Object.fromEntries(target.ratios.map(({ period, ratio }) => [period, ratio]));
  if (criticalPeak) ratios.critical_peak = criticalPeak.ratio;
  return { cycle: target.cycle, ratios, powerNanoEurPerKvaDay: power, criticalPeaks: criticalPeak?.events ?? [] };
}

/** What the sample spent on one scheme it was on: its quarter-hours summed over the points on it (TariffEnergyRepo.schemeQuarters). */
export interface AssignedEnergy {
  schemeId: string;
  quarters: readonly QuarterEnergy[];
}

export interface CalibrationLine {
  period: PricedPeriod;
  ratio: number;
  energyWh: number;
  energyNanoEurPerKwh: number;
  costPicoEur: bigint;
}

export interface Revenue {
  energyPicoEur: bigint;
  powerPicoEur: bigint;
  totalPicoEur: bigint;
}

export interface CalibrationResult {
  before: Revenue;
  after: Revenue;
  /** EUR/kWh of a period of ratio 1, before rounding. */
  scaleFactor: number;
  lines: CalibrationLine[];
  /** The new scheme's prices, rounded to the nano-euro. */
  energyNanoEurPerKwh: Partial<Record<PricedPeriod, number>>;
  /** |after − before| / before. */
  relativeDifference: number;
  /** Quarter-hours of the window with energy of the sample. */
  quarterHours: number;
}

const revenue = (energyPicoEur: bigint, powerPicoEur: bigint): Revenue => ({ energyPicoEur, powerPicoEur, totalPicoEur: energyPicoEur + powerPicoEur });

/**
 * The revenue-neutral prices of `target` for the sample, or why there are none. `schemes` holds
 * every scheme the sample was on (those of `assigned` and of `power`), with its critical-peak events.
 */
export function calibrate(
  periods: CompiledPeriods,
  schemes: ReadonlyMap<string, BillScheme>,
  assigned: readonly AssignedEnergy[],
  power: ChargedPower,
  target: ParsedTarget,
): CalibrationResult | Problem {
  const schemeOf = (schemeId: string) => {
    const scheme = schemes.get(schemeId);
    if (!scheme) throw new RangeError(`no scheme ${schemeId} for the revenue before`);
    return scheme;
  };
  let energyBefore = 0n;
  let powerBefore = 0n;
  const merged = new Map<number, number>();
  for (const { schemeId, quarters } of assigned) {
    energyBefore += bill(periods, schemeOf(schemeId), 0, quarters, schemeId).energyPicoEur;
    for (const quarter of quarters) merged.set(quarter.startMs, (merged.get(quarter.startMs) ?? 0) + quarter.importWh);
  }
  for (const [schemeId, centiKvaDays] of power.centiKvaDaysByScheme) powerBefore += powerPicoEur(centiKvaDays, schemeOf(schemeId).powerNanoEurPerKvaDay);
  const before = revenue(energyBefore, powerBefore);
  if (merged.size === 0) return { field: 'sample', message: 'no metering point of the sample has readings on a scheme it was on in the window' };
  const quarters = [...merged].sort(([a], [b]) => a - b).map(([startMs, importWh]) => ({ startMs, importWh }));
  const shaped = (energyNanoEurPerKwh: Partial<Record<PricedPeriod, number>>): BillScheme => ({
    cycle: target.cycle,
    energyNanoEurPerKwh,
    powerNanoEurPerKvaDay: target.powerNanoEurPerKvaDay,
    criticalPeaks: target.criticalPeaks,
  });
  const priced = PRICED_PERIODS.filter((period) => target.ratios[period] !== undefined);
  const energyWh = new Map(bill(periods, shaped(Object.fromEntries(priced.map((period) => [period, 0]))), 0, quarters).lines.map((line) => [line.period, line.energyWh]));
  const powerAfter = powerPicoEur(power.total, target.powerNanoEurPerKvaDay);
  const energyTarget = before.totalPicoEur - powerAfter;
  if (energyTarget <= 0n) {
    return {
      field: 'powerPriceEurPerKvaDay',
      message:
        `the contracted power alone would bring ${eurText(powerAfter)} EUR at ${target.powerNanoEurPerKvaDay / 1e9} EUR/kVA/day, ` +
        `and the sample paid ${eurText(before.totalPicoEur)} EUR in all: lower powerPriceEurPerKvaDay`,
    };
  }
  const weightedWh = priced.reduce((sum, period) => sum + (energyWh.get(period) ?? 0) * target.ratios[period]!, 0);
  if (weightedWh <= 0) return { field: 'sample', message: 'the sample used no energy in the window: there is nothing to scale' };
  // Wh × s EUR/kWh = Wh × s × 10⁹ pEUR.
  const scaleFactor = Number(energyTarget) / (weightedWh * 1e9);
  const energyNanoEurPerKwh: Partial<Record<PricedPeriod, number>> = Object.fromEntries(priced.map((period) => [period, Math.round(scaleFactor * target.ratios[period]! * 1e9)]));
  const tooHigh = priced.find((period) => energyNanoEurPerKwh[period]! > MAX_PRICE_EUR * 1e9);
  if (tooHigh) {
    return {
      field: 'priceRatios',
      message: `the ratios would price ${tooHigh} at ${(energyNanoEurPerKwh[tooHigh]! / 1e9).toFixed(2)} EUR/kWh, above the ${MAX_PRICE_EUR.toLocaleString('en')} EUR/kWh a price may be: bring the ratios closer together`,
    };
  }
  const result = bill(periods, shaped(energyNanoEurPerKwh), 0, quarters);
  const after = revenue(result.energyPicoEur, powerAfter);
  const lines = result.lines.map((line) => ({ period: line.period, ratio: target.ratios[line.period]!, energyWh: line.energyWh, energyNanoEurPerKwh: line.energyNanoEurPerKwh, costPicoEur: line.costPicoEur }));
  const difference = after.totalPicoEur - before.totalPicoEur;
  const relativeDifference = Number(difference < 0n ? -difference : difference) / Number(before.totalPicoEur);
  if (!(relativeDifference < MAX_RELATIVE_DIFFERENCE)) {
    return {
      field: 'priceRatios',
      message: `rounded to the nano-euro, these ratios land ${relativeDifference.toExponential(1)} from revenue-neutral (at most ${MAX_RELATIVE_DIFFERENCE}): bring them closer together`,
    };
  }
  return { before, after, scaleFactor, lines, energyNanoEurPerKwh, relativeDifference, quarterHours: quarters.length };
}

const eurText = (picoEur: bigint) => (Number(picoEur) / 1e12).toFixed(2);

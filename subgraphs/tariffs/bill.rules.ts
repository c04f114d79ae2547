/**
 * Bills, exactly: energy per priced period in whole Wh, each period's cost and the contracted
 * power's as integers, rounded once at the end. Pure: the caller reads the quarter-hours and the
 * schemes in force; this module classifies, sums and prices.
 *
 * Units: prices are held in micro-euros (per kWh, per kVA and day), so a period's cost is
 * Wh × µEUR/kWh, an integer of 10⁻⁹ EUR (nano-euros), summed in BigInt; the contracted power's
 * cost is kVA (to the 0.01 kVA of ERSE's power steps) × µEUR/kVA/day × days, an integer of
 * 10⁻⁸ EUR. Nothing is rounded before the total; amounts are given to the nano-euro.
 */
import { lisbonLocalDay, QUARTER_MS } from '../kit/calendar';
import { ERSE_PERIODS, periodAt, type CompiledPeriods, type ErsePeriod, type TouCycle } from './erse-periods.rules';

/** The periods a scheme prices: one (`all`), two-rate (`vazio`, `fora_vazio`), three-rate or four-period. */
export const PRICED_PERIODS = ['all', 'vazio', 'fora_vazio', 'ponta', 'cheias', 'vazio_normal', 'super_vazio'] as const;
export type PricedPeriod = (typeof PRICED_PERIODS)[number];

/** What a scheme is to the bill: its cycle (null for flat) and prices in micro-euros. */
export interface BillScheme {
  cycle: TouCycle | null;
  /** µEUR/kWh per priced period; the periods must tile the day (pricedPeriodOf). */
  energyMicroEurPerKwh: Partial<Record<PricedPeriod, number>>;
  powerMicroEurPerKvaDay: number;
}

/** The priced period an ERSE period falls in under a scheme that prices `priced`, or null when none does. */
export function pricedPeriodOf(period: ErsePeriod, priced: ReadonlySet<PricedPeriod>): PricedPeriod | null {
  if (priced.has('all')) return 'all';
  if (priced.has(period)) return period;
  // Two- and three-rate: vazio is vazio_normal + super_vazio, fora_vazio cheias + ponta.
  if ((period === 'vazio_normal' || period === 'super_vazio') && priced.has('vazio')) return 'vazio';
  if ((period === 'cheias' || period === 'ponta') && priced.has('fora_vazio')) return 'fora_vazio';
  return null;
}

/** Why the scheme's periods do not price every quarter-hour exactly once, or null. */
export function schemePeriodsProblem(periods: readonly PricedPeriod[]): string | null {
  const priced = new Set(periods);
  if (priced.size !== periods.length) return 'a period is priced twice';
  if (priced.has('all')) return priced.size === 1 ? null : '`all` prices the whole day: no other period goes with it';
  const covered = ERSE_PERIODS.map((period) => [period, coverage(period, priced)] as const);
  const gaps = covered.filter(([, n]) => n === 0).map(([period]) => period);
  const overlaps = covered.filter(([, n]) => n > 1).map(([period]) => period);
  if (gaps.length > 0) return `no price for ${gaps.join(', ')}`;
  if (overlaps.length > 0) return `${overlaps.join(', ')} priced twice (vazio already holds vazio_normal and super_vazio, fora_vazio cheias and ponta)`;
  return null;
}

function coverage(period: ErsePeriod, priced: ReadonlySet<PricedPeriod>): number {
  const group = period === 'vazio_normal' || period === 'super_vazio' ? 'vazio' : 'fora_vazio';
  return Number(priced.has(period)) + Number(priced.has(group));
}

export interface QuarterEnergy {
  /** Start of the quarter-hour, UTC ms. */
  startMs: number;
  importWh: number;
}

export interface BillLineResult {
  period: PricedPeriod;
  energyWh: number;
  energyMicroEurPerKwh: number;
  /** Wh × µEUR/kWh: 10⁻⁹ EUR. */
  costNanoEur: bigint;
}

export interface BillResult {
  quarterHours: number;
  lines: BillLineResult[];
  energyNanoEur: bigint;
  /** Local days begun in the window, each charged its contracted power. */
  powerDays: number;
  powerNanoEur: bigint;
  totalNanoEur: bigint;
}

/**
 * The bill of `quarters` (each once; the caller gives every quarter-hour of the window) under
 * `scheme`, the contracted power `kva` charged for every local day the window touches.
 */
export function bill(periods: CompiledPeriods, scheme: BillScheme, kva: number, quarters: readonly QuarterEnergy[]): BillResult {
  const priced = new Set(Object.keys(scheme.energyMicroEurPerKwh) as PricedPeriod[]);
  const problem = schemePeriodsProblem([...priced]);
  if (problem) throw new RangeError(problem);
  const energyWh = new Map<PricedPeriod, number>();
  const days = new Set<number>();
  for (const quarter of quarters) {
    const period = scheme.cycle === null ? 'all' : pricedPeriodOf(periodAt(periods, scheme.cycle, quarter.startMs), priced)!;
    energyWh.set(period, (energyWh.get(period) ?? 0) + quarter.importWh);
    days.add(lisbonLocalDay(quarter.startMs));
  }
  const lines = PRICED_PERIODS.filter((period) => priced.has(period)).map((period) => {
    const price = scheme.energyMicroEurPerKwh[period]!;
    const wh = energyWh.get(period) ?? 0;
    return { period, energyWh: wh, energyMicroEurPerKwh: price, costNanoEur: BigInt(wh) * BigInt(price) };
  });
  const energyNanoEur = lines.reduce((sum, line) => sum + line.costNanoEur, 0n);
  // kVA to the hundredth (ERSE's steps: 3.45, 6.9, 10.35 ...) × µEUR/kVA/day is 10⁻⁸ EUR a day.
  const powerNanoEur = BigInt(Math.round(kva * 100)) * BigInt(scheme.powerMicroEurPerKvaDay) * BigInt(days.size) * 10n;
  return { quarterHours: quarters.length, lines, energyNanoEur, powerDays: days.size, powerNanoEur, totalNanoEur: energyNanoEur + powerNanoEur };
}

/** A price in EUR as micro-euros; refuses one finer than a micro-euro rather than round it. */
export function microEur(eur: number): number {
  const micro = Math.round(eur * 1_000_000);
  if (Math.abs(micro - eur * 1_000_000) > 1e-6) throw new RangeError(`${eur} EUR is finer than a micro-euro`);
  return micro;
}

/** Nano-euros as EUR for display: exact to the nano-euro (a double holds 15 digits). */
export const eurOf = (nanoEur: bigint): number => Number(nanoEur) / 1e9;

/** The window's quarter-hours in UTC, every one once, whatever the DST changes in it. */
export function quarterStarts(fromMs: number, toMs: number): number[] {
  const starts: number[] = [];
  for (let t = fromMs; t < toMs; t += QUARTER_MS) starts.push(t);
  return starts;
}

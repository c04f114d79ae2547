/**
 * Bills, exactly: energy per priced period in whole Wh, each period's cost and the contracted
 * power's as integers, rounded once at the end. Pure: the caller reads the quarter-hours and the
 * schemes in force; this module classifies, sums and prices.
 *
 * Units: prices are integers of nano-euros (per kWh, per kVA and day), so a calibrated price keeps
 * nine decimals; a period's cost is Wh × nEUR/kWh, an integer of 10⁻¹² EUR (pico-euros), summed in
 * BigInt; the contracted power's is kVA (to the 0.01 kVA of ERSE's power steps) × nEUR/kVA/day,
 * per local day. Nothing is rounded before the total.
 */
import { PRICED_PERIODS, type PricedPeriod } from '../../schema/tariffs';
import { lisbonLocalDay, QUARTER_MS } from '../kit/calendar';
import { ERSE_PERIODS, periodAt, type CompiledPeriods, type ErsePeriod, type TouCycle } from './erse-periods.rules';
import { isLocalMidnight } from './local-time.rules';

/** The periods a time-of-use base prices: every priced period but `critical_peak`, which overrides them during events. */
export const BASE_PERIODS = PRICED_PERIODS.filter((period): period is Exclude<PricedPeriod, 'critical_peak'> => period !== 'critical_peak');
export type BasePeriod = (typeof BASE_PERIODS)[number];

/** A critical-peak event's window, UTC ms, [startMs, endMs). */
export interface CriticalPeakWindow {
  startMs: number;
  endMs: number;
}

/** What a scheme is to the bill: its cycle (null for flat), its prices in nano-euros, its critical-peak events. */
export interface BillScheme {
  cycle: TouCycle | null;
  /** nEUR/kWh per priced period; the base periods must tile the day (schemePeriodsProblem). */
  energyNanoEurPerKwh: Partial<Record<PricedPeriod, number>>;
  powerNanoEurPerKvaDay: number;
  /** The scheme's events; quarter-hours inside one are priced at `critical_peak` (a critical-peak scheme only). */
  criticalPeaks?: readonly CriticalPeakWindow[];
}

/** The base period an ERSE period falls in under a scheme that prices `priced`, or null when none does. */
export function pricedPeriodOf(period: ErsePeriod, priced: ReadonlySet<PricedPeriod>): BasePeriod | null {
  if (priced.has('all')) return 'all';
  if (priced.has(period)) return period;
  // Two- and three-rate: vazio is vazio_normal + super_vazio, fora_vazio cheias + ponta.
  if ((period === 'vazio_normal' || period === 'super_vazio') && priced.has('vazio')) return 'vazio';
  if ((period === 'cheias' || period === 'ponta') && priced.has('fora_vazio')) return 'fora_vazio';
  return null;
}

/** Why the scheme's base periods do not price every quarter-hour exactly once, or null. */
export function schemePeriodsProblem(periods: readonly PricedPeriod[]): string | null {
  const base = periods.filter((period) => period !== 'critical_peak');
  const priced = new Set(base);
  if (priced.size !== base.length) return 'a period is priced twice';
  if (priced.size === 0) return 'no period is priced';
  if (priced.has('all')) return priced.size === 1 ? null : '`all` prices the whole day: no other period goes with it';
  const covered = ERSE_PERIODS.map((period) => [period, coverage(period, priced)] as const);
  const gaps = covered.filter(([, n]) => n === 0).map(([period]) => period);
  const overlaps = covered.filter(([, n]) => n > 1).map(([period]) => period);
  if (gaps.length > 0) return `no price for ${gaps.join(', ')}`;
  if (overlaps.length === 0) return null;
  const groups = [...new Set(overlaps.map(groupOf))].map((group) => `${group} already covers ${GROUP_PERIODS[group].join(' and ')}`);
  return `${overlaps.join(', ')} priced twice: ${groups.join('; ')}`;
}

/** The two-rate periods, each the union of two ERSE periods. */
const GROUP_PERIODS = { vazio: ['vazio_normal', 'super_vazio'], fora_vazio: ['cheias', 'ponta'] } as const;

const groupOf = (period: ErsePeriod): keyof typeof GROUP_PERIODS => (period === 'vazio_normal' || period === 'super_vazio' ? 'vazio' : 'fora_vazio');

function coverage(period: ErsePeriod, priced: ReadonlySet<PricedPeriod>): number {
  return Number(priced.has(period)) + Number(priced.has(groupOf(period)));
}

/** The priced period of the quarter-hour at `startMs` under `scheme` (whose base periods tile the day). */
function classify(periods: CompiledPeriods, scheme: BillScheme, priced: ReadonlySet<PricedPeriod>, startMs: number): PricedPeriod {
  if (scheme.criticalPeaks?.some((event) => startMs >= event.startMs && startMs < event.endMs)) return 'critical_peak';
  return scheme.cycle === null ? 'all' : pricedPeriodOf(periodAt(periods, scheme.cycle, startMs), priced)!;
}

export interface QuarterEnergy {
  /** Start of the quarter-hour, UTC ms. */
  startMs: number;
  importWh: number;
}

export interface BillLineResult {
  /** The scheme the line is priced on: a bill split at assignment changes has lines of each. */
  schemeId: string;
  period: PricedPeriod;
  energyWh: number;
  energyNanoEurPerKwh: number;
  /** Wh × nEUR/kWh: 10⁻¹² EUR. */
  costPicoEur: bigint;
}

export interface BillResult {
  quarterHours: number;
  lines: BillLineResult[];
  energyPicoEur: bigint;
  /** Local days begun in the window, each charged its contracted power. */
  powerDays: number;
  powerPicoEur: bigint;
  totalPicoEur: bigint;
}

/** Part of a bill's window priced on one scheme: its quarter-hours, each once. */
export interface BillSegment {
  schemeId: string;
  scheme: BillScheme;
  quarters: readonly QuarterEnergy[];
}

/**
 * The bill of `segments` (the caller gives every quarter-hour of the window once, in the segment
 * of the scheme in force), the contracted power `kva` charged for every local day the window
 * touches, on the scheme in force at that day's first quarter-hour in the window.
 */
export function billSegments(periods: CompiledPeriods, segments: readonly BillSegment[], kva: number): BillResult {
  const lines: BillLineResult[] = [];
  /** Each local day: its first quarter-hour in the window and the power price of the scheme in force then. */
  const powerDay = new Map<number, { startMs: number; powerNanoEurPerKvaDay: number }>();
  let quarterHours = 0;
  for (const { schemeId, scheme, quarters } of segments) {
    const priced = new Set(Object.keys(scheme.energyNanoEurPerKwh) as PricedPeriod[]);
    const problem = schemePeriodsProblem([...priced]);
    if (problem) throw new RangeError(`${schemeId}: ${problem}`);
    if (scheme.criticalPeaks?.length && !priced.has('critical_peak')) throw new RangeError(`${schemeId}: critical-peak events without a critical_peak price`);
    const energyWh = new Map<PricedPeriod, number>();
    const firstQuarter = new Map<number, number>();
    for (const quarter of quarters) {
      const period = classify(periods, scheme, priced, quarter.startMs);
      energyWh.set(period, (energyWh.get(period) ?? 0) + quarter.importWh);
      const day = lisbonLocalDay(quarter.startMs);
      if ((firstQuarter.get(day) ?? Infinity) > quarter.startMs) firstQuarter.set(day, quarter.startMs);
    }
    for (const [day, startMs] of firstQuarter) {
      const held = powerDay.get(day);
      if (held === undefined || startMs < held.startMs) powerDay.set(day, { startMs, powerNanoEurPerKvaDay: scheme.powerNanoEurPerKvaDay });
    }
    for (const period of PRICED_PERIODS) {
      if (!priced.has(period)) continue;
      const price = scheme.energyNanoEurPerKwh[period]!;
      const wh = energyWh.get(period) ?? 0;
      lines.push({ schemeId, period, energyWh: wh, energyNanoEurPerKwh: price, costPicoEur: BigInt(wh) * BigInt(price) });
    }
    quarterHours += quarters.length;
  }
  let powerPicoEur = 0n;
  // kVA to the hundredth (3.45, 6.9, 10.35 ...) × nEUR/kVA/day is 10⁻¹¹ EUR a day.
  for (const { powerNanoEurPerKvaDay } of powerDay.values()) powerPicoEur += BigInt(Math.round(kva * 100)) * BigInt(powerNanoEurPerKvaDay) * 10n;
  const energyPicoEur = lines.reduce((sum, line) => sum + line.costPicoEur, 0n);
  return { quarterHours, lines, energyPicoEur, powerDays: powerDay.size, powerPicoEur, totalPicoEur: energyPicoEur + powerPicoEur };
}

/** The bill of `quarters` on one scheme. */
export function bill(periods: CompiledPeriods, scheme: BillScheme, kva: number, quarters: readonly QuarterEnergy[], schemeId = 'scheme'): BillResult {
  return billSegments(periods, [{ schemeId, scheme, quarters }], kva);
}

/** A price in EUR as nano-euros; refuses one finer than a nano-euro rather than round it. */
export function nanoEur(eur: number): number {
  const nano = Math.round(eur * 1e9);
  if (Math.abs(nano - eur * 1e9) > 1e-3) throw new RangeError(`${eur} EUR is finer than a nano-euro`);
  return nano;
}

/** Pico-euros as EUR for display: a double holds 15 to 16 digits, so to 10⁻⁹ EUR below a million euros. */
export const eurOf = (picoEur: bigint): number => Number(picoEur) / 1e12;

/** A line's amounts as clients read them: kWh, EUR/kWh and EUR, from Wh, nano- and pico-euros. */
export const lineAmounts = (line: { energyWh: number; energyNanoEurPerKwh: number; costPicoEur: bigint }) => ({
  energyKwh: line.energyWh / 1000,
  energyPriceEurPerKwh: line.energyNanoEurPerKwh / 1e9,
  costEur: eurOf(line.costPicoEur),
});

/** The window's quarter-hours in UTC, every one once, whatever the DST changes in it. */
export function quarterStarts(fromMs: number, toMs: number): number[] {
  const starts: number[] = [];
  for (let t = fromMs; t < toMs; t += QUARTER_MS) starts.push(t);
  return starts;
}

/** The longest window a bill or a calibration covers, in local days: a year and a month of slack. */
export const MAX_BILL_DAYS = 400;

/**
 * Why [fromMs, toMs) is not a window of whole Lisbon local days, at most MAX_BILL_DAYS, or null:
 * contracted power is charged per local day, so a bill's window starts and ends on local midnights.
 */
export function billWindowProblem(fromMs: number, toMs: number): string | null {
  if (!isLocalMidnight(fromMs)) return 'from must be a local midnight in Lisbon (e.g. 2026-10-01T00:00:00+01:00 in summer, 2026-11-01T00:00:00Z in winter)';
  if (!isLocalMidnight(toMs)) return 'to must be a local midnight in Lisbon (e.g. 2026-11-01T00:00:00Z in winter, 2026-10-01T00:00:00+01:00 in summer)';
  if (toMs <= fromMs) return 'to must be after from';
  const days = lisbonLocalDay(toMs) - lisbonLocalDay(fromMs);
  if (days > MAX_BILL_DAYS) return `the window holds ${days} local days: at most ${MAX_BILL_DAYS}`;
  return null;
}

/** A scheme in force on a point, UTC ms, [fromMs, toMs); toMs Infinity while current. */
export interface SchemeSpan {
  schemeId: string;
  fromMs: number;
  toMs: number;
}

export interface PointSegments {
  segments: BillSegment[];
  /** Quarter-hours of the window on no scheme: not billed. */
  unbilled: number;
  /** Quarter-hours billed without a reading: priced at 0 Wh. */
  missing: number;
}

/**
 * One point's bill segments over [fromMs, toMs): every quarter-hour of the window in the span in
 * force at its start (as TariffEnergyRepo.schemeQuarters takes them), one segment per span; a
 * quarter-hour in no span is left out (there is no scheme to bill it on), one without a reading
 * is billed as 0 Wh, so that every local day still bears its contracted power.
 */
export function pointSegments(
  fromMs: number,
  toMs: number,
  spans: readonly SchemeSpan[],
  readings: readonly QuarterEnergy[],
  schemes: ReadonlyMap<string, BillScheme>,
): PointSegments {
  const metered = new Map(readings.map((reading) => [reading.startMs, reading.importWh]));
  const ordered = [...spans].sort((a, b) => a.fromMs - b.fromMs);
  const segments: BillSegment[] = [];
  let billed = 0;
  let missing = 0;
  for (const span of ordered) {
    const scheme = schemes.get(span.schemeId);
    if (!scheme) throw new RangeError(`no scheme ${span.schemeId} for a span of the bill`);
    const first = Math.ceil(Math.max(fromMs, span.fromMs) / QUARTER_MS) * QUARTER_MS;
    const quarters: QuarterEnergy[] = [];
    for (let startMs = first; startMs < Math.min(toMs, span.toMs); startMs += QUARTER_MS) {
      const importWh = metered.get(startMs);
      if (importWh === undefined) missing++;
      quarters.push({ startMs, importWh: importWh ?? 0 });
    }
    if (quarters.length === 0) continue;
    billed += quarters.length;
    segments.push({ schemeId: span.schemeId, scheme, quarters });
  }
  return { segments, unbilled: (toMs - fromMs) / QUARTER_MS - billed, missing };
}

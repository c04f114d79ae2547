/**
 * What a scope's customers pay on a network tariff scheme over a window, scheme by scheme, and on
 * the schemes they are on. Pure, exact, on the scope's import summed per quarter-hour: energy
 * cost is linear in energy, so each summed quarter-hour is classified and priced once
 * (bill.rules.ts billSegments), and only the contracted power is counted point by point (as
 * centi-kVA-days: kVA to the 0.01 of ERSE's power steps, times the local days charged).
 *
 * These schemes are network (access) tariffs: what customers pay on them is what the DSO bills,
 * so a scheme's DSO revenue over a scope is its customers' cost on it; nothing here splits it.
 */
import { lisbonLocalDay, lisbonMidnightUtcMs } from '../kit/calendar';
import { billSegments, eurOf, type BillLineResult, type BillScheme, type BillSegment, type QuarterEnergy, type SchemeSpan } from './bill.rules';
import type { CompiledPeriods } from './erse-periods.rules';

export const MAX_COMPARED_SCHEMES = 10;

/** Why the scheme ids cannot be compared, or null. */
export function schemeIdsProblem(schemeIds: readonly string[]): string | null {
  if (schemeIds.length === 0 || schemeIds.length > MAX_COMPARED_SCHEMES) return `schemeIds must hold 1 to ${MAX_COMPARED_SCHEMES} ids`;
  if (new Set(schemeIds).size !== schemeIds.length) return 'schemeIds must not repeat an id';
  return null;
}

/** kVA × nEUR/kVA/day × days: 10⁻² kVA × 10⁻⁹ EUR = 10 pico-euros per centi-kVA-day and nano-euro (bill.rules' units). */
export const powerPicoEur = (centiKvaDays: number, powerNanoEurPerKvaDay: number): bigint => BigInt(centiKvaDays) * BigInt(powerNanoEurPerKvaDay) * 10n;

/** A point's contracted power as centi-kVA, as bill.rules rounds it. */
export const centiKva = (kva: number): number => Math.round(kva * 100);

export interface SchemeCost {
  lines: BillLineResult[];
  energyWh: number;
  quarterHours: number;
  energyPicoEur: bigint;
  powerPicoEur: bigint;
  /** What the scope's customers pay on the scheme: energy + contracted power; also the DSO's revenue from them. */
  totalPicoEur: bigint;
}

/** The scope's cost on one scheme over the whole window (whatever its validity dates: a what-if). */
export function schemeCost(periods: CompiledPeriods, schemeId: string, scheme: BillScheme, quarters: readonly QuarterEnergy[], centiKvaDays: number): SchemeCost {
  const energy = billSegments(periods, [{ schemeId, scheme, quarters }], 0);
  const power = powerPicoEur(centiKvaDays, scheme.powerNanoEurPerKvaDay);
  return {
    lines: energy.lines,
    energyWh: energy.lines.reduce((sum, line) => sum + line.energyWh, 0),
    quarterHours: energy.quarterHours,
    energyPicoEur: energy.energyPicoEur,
    powerPicoEur: power,
    totalPicoEur: energy.energyPicoEur + power,
  };
}

/** The local days of a window of whole local days, by the UTC instants of their midnights. */
export function localDayStarts(fromMs: number, toMs: number): number[] {
  const days: number[] = [];
  for (let day = lisbonLocalDay(fromMs); lisbonMidnightUtcMs(day) < toMs; day++) days.push(lisbonMidnightUtcMs(day));
  return days;
}

/** Of the local days (by their midnights), those whose midnight lies in one of the spans [fromMs, toMs); all of them, as given, when a span covers them all. */
export function daysWithin(dayStartsMs: readonly number[], spans: readonly { fromMs: number; toMs: number }[]): readonly number[] {
  if (dayStartsMs.length === 0) return dayStartsMs;
  const first = dayStartsMs[0]!;
  const last = dayStartsMs[dayStartsMs.length - 1]!;
  if (spans.some((span) => span.fromMs <= first && span.toMs > last)) return dayStartsMs;
  return dayStartsMs.filter((dayStartMs) => spans.some((span) => span.fromMs <= dayStartMs && span.toMs > dayStartMs));
}

/**
 * The scheme a point is charged contracted power on for the local day [dayStartMs, dayEndMs): the
 * one in force at its first quarter-hour, else the first one that begins in it; null on none.
 */
export function schemeOfDay(spans: readonly SchemeSpan[], dayStartMs: number, dayEndMs: number): string | null {
  let found: SchemeSpan | null = null;
  for (const span of spans) {
    if (span.fromMs >= dayEndMs || span.toMs <= dayStartMs) continue;
    if (found === null || span.fromMs < found.fromMs) found = span;
  }
  return found?.schemeId ?? null;
}

/** A point as its contracted power is charged: centi-kVA, and the local days (by their midnights) it is charged. */
export interface ChargedPoint {
  meteringPointId: string;
  centiKva: number;
  dayStartsMs: readonly number[];
}

/**
 * Centi-kVA-days per scheme: each point's every charged day on the scheme `schemeOf` names for
 * it (days on no scheme are not charged).
 */
export function powerDaysByScheme(points: readonly ChargedPoint[], schemeOf: (meteringPointId: string, dayStartMs: number) => string | null): Map<string, number> {
  const byScheme = new Map<string, number>();
  for (const point of points) {
    for (const dayStartMs of point.dayStartsMs) {
      const schemeId = schemeOf(point.meteringPointId, dayStartMs);
      if (schemeId !== null) byScheme.set(schemeId, (byScheme.get(schemeId) ?? 0) + point.centiKva);
    }
  }
  return byScheme;
}

/**
 * What the scope pays on the schemes it is on: each scheme's summed quarter-hours (`segments`,
 * the import of the points on it at each quarter-hour) priced on it, and its centi-kVA-days
 * (powerDaysByScheme) at its power price.
 */
export function assignedCost(
  periods: CompiledPeriods,
  segments: readonly BillSegment[],
  schemes: ReadonlyMap<string, BillScheme>,
  powerDays: ReadonlyMap<string, number>,
): Omit<SchemeCost, 'lines' | 'quarterHours'> {
  const energy = billSegments(periods, segments, 0);
  let power = 0n;
  for (const [schemeId, centiKvaDays] of powerDays) {
    const scheme = schemes.get(schemeId);
    if (!scheme) throw new RangeError(`no scheme ${schemeId} for contracted power`);
    power += powerPicoEur(centiKvaDays, scheme.powerNanoEurPerKvaDay);
  }
  return {
    energyWh: energy.lines.reduce((sum, line) => sum + line.energyWh, 0),
    energyPicoEur: energy.energyPicoEur,
    powerPicoEur: power,
    totalPicoEur: energy.energyPicoEur + power,
  };
}

/** A scheme's cost against the current one's: the difference in EUR and in % of the current; null % when the current costs nothing. */
export function changeVs(cost: bigint, current: bigint): { eur: number; pct: number | null } {
  const difference = cost - current;
  return { eur: eurOf(difference), pct: current === 0n ? null : (Number(difference) / Number(current)) * 100 };
}

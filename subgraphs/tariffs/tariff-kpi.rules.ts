/**
 * The dynamic-tariff pilot's KPIs: the pilot group against its own baseline and against a control
 * group over the same windows. Pure. Peak means the ERSE `ponta` period of the chosen cycle.
 *
 * For a group G and a window X (the period W or the baseline B), of whole local days:
 *   E(G,X) its import, P(G,X) its import in ponta quarter-hours, s(G,X) = P/E its peak share,
 *   d(G,X) = days(X) × (quarter-hours of X with readings of G) / (quarter-hours of X) the days
 *   its readings cover (a DST day counts its 92 or 100), p(G,X) = P / d(G,X) its peak energy per
 *   covered day: windows of different lengths, or with days missing, compare per day of data.
 *   A window without any reading of the group has no per-day figure: coverageProblem refuses it.
 * - peakChangePct          = (p(pilot,W) / p(pilot,B) − 1) × 100
 * - controlPeakChangePct   = the same for the control
 * - peakChangeVsControlPct = peakChangePct − controlPeakChangePct: the difference in differences,
 *   in percentage points; what the pilot changed beyond what the control changed anyway.
 * - expectedPeakSharePct   = (s(pilot,B) + s(control,W) − s(control,B)) × 100: the peak share
 *   the pilot would have had in W without the tariff, its baseline share moved as the control's.
 * - loadShiftedOutOfPeakKwh = E(pilot,W) × expected share − P(pilot,W): how much less of the
 *   pilot's energy fell in peak than that share predicts (negative: more fell in peak).
 * - loadShiftedOutOfPeakPct = loadShiftedOutOfPeakKwh / (E(pilot,W) × expected share) × 100:
 *   the part of the expected peak energy that moved out.
 * - customerSavingsEur     = C_baseline(pilot,W) − C(pilot,W): what the pilot would have paid for
 *   its consumption in W on the schemes it was on in the baseline's last quarter-hour, minus what
 *   it pays on the schemes assigned in W; energy and contracted power. A point on no scheme in
 *   that quarter-hour is priced on its schemes of W.
 * - dsoRevenueChangeEur    = R(pilot,W) − R(pilot,B) × d(pilot,W) / d(pilot,B): its revenue in W
 *   (which is C(pilot,W): the schemes are network tariffs, what customers pay on them is the
 *   DSO's revenue) minus its baseline revenue on the schemes assigned then, scaled to W's covered days.
 * A ratio whose denominator is zero is null.
 */
import { QUARTER_MS } from '../kit/calendar';
import { eurOf, type QuarterEnergy } from './bill.rules';
import { localDayStarts } from './compare.rules';
import { periodAt, type CompiledPeriods, type TouCycle } from './erse-periods.rules';

export interface WindowEnergy {
  energyWh: number;
  peakWh: number;
  /** Quarter-hours with readings, of the window's `windowQuarterHours`. */
  quarterHours: number;
  windowQuarterHours: number;
  /** Local days of the window. */
  days: number;
  /** d: days × quarterHours / windowQuarterHours. */
  coveredDays: number;
}

/** A group's import per quarter-hour over a window [fromMs, toMs) of whole local days, and the part of it in ponta. */
export function windowEnergy(periods: CompiledPeriods, cycle: TouCycle, quarters: readonly QuarterEnergy[], window: { fromMs: number; toMs: number }): WindowEnergy {
  let energyWh = 0;
  let peakWh = 0;
  for (const { startMs, importWh } of quarters) {
    energyWh += importWh;
    if (periodAt(periods, cycle, startMs) === 'ponta') peakWh += importWh;
  }
  const days = localDayStarts(window.fromMs, window.toMs).length;
  const windowQuarterHours = (window.toMs - window.fromMs) / QUARTER_MS;
  return { energyWh, peakWh, quarterHours: quarters.length, windowQuarterHours, days, coveredDays: (days * quarters.length) / windowQuarterHours };
}

export interface GroupEnergy {
  period: WindowEnergy;
  baseline: WindowEnergy;
}

export interface KpiInputs {
  pilot: GroupEnergy;
  control: GroupEnergy;
  /** C(pilot,W): on the schemes assigned in the period. */
  pilotPeriodCostPicoEur: bigint;
  /** C_baseline(pilot,W): the period's consumption on the schemes of the baseline's last quarter-hour. */
  pilotCounterfactualCostPicoEur: bigint;
  /** R(pilot,B): the baseline on the schemes assigned in it. */
  pilotBaselineRevenuePicoEur: bigint;
}

export interface KpiResult {
  peakChangePct: number | null;
  controlPeakChangePct: number | null;
  peakChangeVsControlPct: number | null;
  expectedPeakSharePct: number | null;
  loadShiftedOutOfPeakKwh: number | null;
  loadShiftedOutOfPeakPct: number | null;
  customerSavingsEur: number;
  dsoRevenueChangeEur: number;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const share = (energy: WindowEnergy) => ratio(energy.peakWh, energy.energyWh);
const perDay = (energy: WindowEnergy) => ratio(energy.peakWh, energy.coveredDays);

function peakChange(group: GroupEnergy): number | null {
  const [period, baseline] = [perDay(group.period), perDay(group.baseline)];
  const r = period === null || baseline === null ? null : ratio(period, baseline);
  return r === null ? null : (r - 1) * 100;
}

/** Which group has no reading at all in which window, or null: such a window has no per-day figure (callers refuse it before costing anything). */
export function coverageProblem(pilot: GroupEnergy, control: GroupEnergy): { window: 'period' | 'baseline'; message: string } | null {
  for (const [name, group] of [['the pilot', pilot], ['the control group', control]] as const) {
    for (const window of ['period', 'baseline'] as const) {
      if (group[window].quarterHours === 0) return { window, message: `${name} has no readings in the ${window}: its figures per day of data cannot be computed` };
    }
  }
  return null;
}

/** Why the baseline cannot be compared with the period, or null: they must not overlap (the baseline ends on or before the period's start, or starts on or after its end). */
export function windowsOverlapProblem(period: { fromMs: number; toMs: number }, baseline: { fromMs: number; toMs: number }): string | null {
  return baseline.fromMs < period.toMs && period.fromMs < baseline.toMs
    ? 'baseline: the baseline must not overlap the period: end it on or before from, or start it on or after to'
    : null;
}

export function tariffKpis(inputs: KpiInputs): KpiResult {
  const { pilot, control } = inputs;
  const peakChangePct = peakChange(pilot);
  const controlPeakChangePct = peakChange(control);
  const [pilotBaseline, controlPeriod, controlBaseline] = [share(pilot.baseline), share(control.period), share(control.baseline)];
  const expected = pilotBaseline === null || controlPeriod === null || controlBaseline === null ? null : pilotBaseline + controlPeriod - controlBaseline;
  const expectedPeakWh = expected === null ? null : pilot.period.energyWh * expected;
  const shiftedWh = expectedPeakWh === null ? null : expectedPeakWh - pilot.period.peakWh;
  const shiftedPct = shiftedWh === null || expectedPeakWh === null || expectedPeakWh <= 0 ? null : (shiftedWh / expectedPeakWh) * 100;
  return {
    peakChangePct,
    controlPeakChangePct,
    peakChangeVsControlPct: peakChangePct === null || controlPeakChangePct === null ? null : peakChangePct - controlPeakChangePct,
    expectedPeakSharePct: expected === null ? null : expected * 100,
    loadShiftedOutOfPeakKwh: shiftedWh === null ? null : shiftedWh / 1000,
    loadShiftedOutOfPeakPct: shiftedPct,
    customerSavingsEur: eurOf(inputs.pilotCounterfactualCostPicoEur - inputs.pilotPeriodCostPicoEur),
    // The caller has refused a baseline without readings (coverageProblem): coveredDays is above 0.
    dsoRevenueChangeEur: eurOf(inputs.pilotPeriodCostPicoEur) - (eurOf(inputs.pilotBaselineRevenuePicoEur) * pilot.period.coveredDays) / pilot.baseline.coveredDays,
  };
}

/** Why the pilot and the control cannot be compared, or null: both non-empty, no point in both. */
export function groupsProblem(pilot: readonly string[], control: readonly string[]): string | null {
  if (pilot.length === 0) return 'the pilot holds no metering point';
  if (control.length === 0) return 'the control group holds no metering point';
  const inPilot = new Set(pilot);
  const shared = control.filter((id) => inPilot.has(id)).length;
  return shared === 0 ? null : `the pilot and the control group must be disjoint: ${shared.toLocaleString('en')} metering point${shared === 1 ? ' is' : 's are'} in both`;
}

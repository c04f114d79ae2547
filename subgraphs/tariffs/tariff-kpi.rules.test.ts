import { ERSE_TOU_PERIODS } from './erse-periods.table';
import { coverageProblem, groupsProblem, tariffKpis, windowEnergy, windowsOverlapProblem, type WindowEnergy } from './tariff-kpi.rules';

/** A window of `days` winter days (96 quarter-hours each) with readings on `coveredDays` of them. */
const kwh = (energyKwh: number, peakKwh: number, days: number, coveredDays = days): WindowEnergy => ({
  energyWh: energyKwh * 1000,
  peakWh: peakKwh * 1000,
  quarterHours: coveredDays * 96,
  windowQuarterHours: days * 96,
  days,
  coveredDays,
});
const EUR = 1_000_000_000_000n;

/**
 * Worked by hand: a 28-day baseline and a 30-day period, both with readings on every day.
 * - pilot: baseline 2,800 kWh, 560 in peak (20 kWh a day, 20 %); period 3,000 kWh, 450 in peak
 *   (15 a day, 15 %): peak per day −25 %.
 * - control: baseline 5,600 kWh, 1,120 in peak (40 a day, 20 %); period 6,000 kWh, 1,140 in peak
 *   (38 a day, 19 %): −5 %. Difference in differences: −25 − (−5) = −20 points.
 * - expected pilot peak share: 20 % + (19 % − 20 %) = 19 %, so 3,000 × 0.19 = 570 kWh expected in
 *   peak, 450 there: 120 kWh shifted out, 120 / 570 = 21.05 % of the expected peak energy.
 * - costs: 500.00 EUR on the period's schemes, 530.25 EUR on the baseline's: 30.25 EUR saved.
 *   Baseline revenue 470.40 EUR over 28 days is 504.00 EUR over 30: revenue −4.00 EUR.
 */
describe('the pilot KPIs', () => {
  const inputs = {
    pilot: { baseline: kwh(2_800, 560, 28), period: kwh(3_000, 450, 30) },
    control: { baseline: kwh(5_600, 1_120, 28), period: kwh(6_000, 1_140, 30) },
    pilotPeriodCostPicoEur: 500n * EUR,
    pilotCounterfactualCostPicoEur: 53_025n * (EUR / 100n),
    pilotBaselineRevenuePicoEur: 47_040n * (EUR / 100n),
  };

  it('measures the peak change per day against the baseline and against the control', () => {
    const kpis = tariffKpis(inputs);
    expect(kpis.peakChangePct).toBeCloseTo(-25, 10);
    expect(kpis.controlPeakChangePct).toBeCloseTo(-5, 10);
    expect(kpis.peakChangeVsControlPct).toBeCloseTo(-20, 10);
  });

  it("measures the load shifted out of peak net of the control's change", () => {
    const kpis = tariffKpis(inputs);
    expect(kpis.expectedPeakSharePct).toBeCloseTo(19, 10);
    expect(kpis.loadShiftedOutOfPeakKwh).toBeCloseTo(120, 9);
    expect(kpis.loadShiftedOutOfPeakPct).toBeCloseTo((120 / 570) * 100, 10);
  });

  it("measures the customers' savings and the DSO's revenue change scaled to the period's length", () => {
    const kpis = tariffKpis(inputs);
    expect(kpis.customerSavingsEur).toBeCloseTo(30.25, 10);
    expect(kpis.dsoRevenueChangeEur).toBeCloseTo(-4, 10);
  });

  /**
   * The pilot's baseline is 15 days with readings on 2 of them: 200 kWh, 40 in peak (20 a day of
   * data, 20 %), 33.60 EUR. Per day of data the peak change is 15 / 20 − 1 = −25 % again, and the
   * baseline revenue is 16.80 EUR a day, 504.00 EUR over 30: −4.00 EUR. Per calendar day it would
   * be 40 / 15 = 2.67 kWh a day (+462.5 %) and 67.20 EUR over 30 (+432.80 EUR).
   */
  it('counts per day of data when a window has days without readings', () => {
    const kpis = tariffKpis({ ...inputs, pilot: { baseline: kwh(200, 40, 15, 2), period: kwh(3_000, 450, 30) }, pilotBaselineRevenuePicoEur: 3_360n * (EUR / 100n) });
    expect(kpis.peakChangePct).toBeCloseTo(-25, 10);
    expect(kpis.peakChangeVsControlPct).toBeCloseTo(-20, 10);
    expect(kpis.expectedPeakSharePct).toBeCloseTo(19, 10);
    expect(kpis.loadShiftedOutOfPeakKwh).toBeCloseTo(120, 9);
    expect(kpis.dsoRevenueChangeEur).toBeCloseTo(-4, 10);
  });

  it('refuses a window in which a group has no reading, naming the group and the window', () => {
    expect(coverageProblem(inputs.pilot, inputs.control)).toBeNull();
    expect(coverageProblem({ ...inputs.pilot, baseline: kwh(0, 0, 28, 0) }, inputs.control)).toEqual({
      window: 'baseline',
      message: 'the pilot has no readings in the baseline: its figures per day of data cannot be computed',
    });
    expect(coverageProblem(inputs.pilot, { ...inputs.control, period: kwh(0, 0, 30, 0) })).toEqual({
      window: 'period',
      message: 'the control group has no readings in the period: its figures per day of data cannot be computed',
    });
  });

  it('refuses a baseline that overlaps the period, and takes one just before or just after it', () => {
    const period = { fromMs: Date.parse('2026-11-23T00:00:00Z'), toMs: Date.parse('2026-11-25T00:00:00Z') };
    const at = (from: string, to: string) => windowsOverlapProblem(period, { fromMs: Date.parse(from), toMs: Date.parse(to) });
    expect(at('2026-11-16T00:00:00Z', '2026-11-23T00:00:00Z')).toBeNull();
    expect(at('2026-11-25T00:00:00Z', '2026-11-27T00:00:00Z')).toBeNull();
    const overlap = 'baseline: the baseline must not overlap the period: end it on or before from, or start it on or after to';
    expect(at('2026-11-16T00:00:00Z', '2026-11-24T00:00:00Z')).toBe(overlap);
    expect(at('2026-11-24T00:00:00Z', '2026-11-27T00:00:00Z')).toBe(overlap);
    expect(at('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toBe(overlap);
  });

  it('gives no ratio without a denominator', () => {
    const kpis = tariffKpis({ ...inputs, pilot: { baseline: kwh(0, 0, 28), period: kwh(3_000, 450, 30) } });
    expect([kpis.peakChangePct, kpis.peakChangeVsControlPct, kpis.expectedPeakSharePct, kpis.loadShiftedOutOfPeakKwh, kpis.loadShiftedOutOfPeakPct]).toEqual([null, null, null, null, null]);
    expect(kpis.controlPeakChangePct).toBeCloseTo(-5, 10);
  });

  it("counts as peak the cycle's ponta: 18:00 on a winter Saturday is ponta daily, not weekly", () => {
    const quarters = [
      { startMs: Date.parse('2026-12-05T18:00:00Z'), importWh: 300 },
      { startMs: Date.parse('2026-12-05T03:00:00Z'), importWh: 100 },
    ];
    const day = { fromMs: Date.parse('2026-12-05T00:00:00Z'), toMs: Date.parse('2026-12-06T00:00:00Z') };
    expect(windowEnergy(ERSE_TOU_PERIODS, 'DAILY', quarters, day)).toEqual({ energyWh: 400, peakWh: 300, quarterHours: 2, windowQuarterHours: 96, days: 1, coveredDays: 2 / 96 });
    expect(windowEnergy(ERSE_TOU_PERIODS, 'WEEKLY', quarters, day)).toMatchObject({ energyWh: 400, peakWh: 0 });
  });

  it('covers the days the readings cover: 2 of 15, half of a 100-quarter-hour DST day', () => {
    const from = Date.parse('2026-11-01T00:00:00Z');
    const twoDays = Array.from({ length: 192 }, (_, i) => ({ startMs: from + 3 * 86_400_000 + i * 900_000, importWh: 10 }));
    expect(windowEnergy(ERSE_TOU_PERIODS, 'DAILY', twoDays, { fromMs: from, toMs: from + 15 * 86_400_000 })).toMatchObject({ quarterHours: 192, windowQuarterHours: 1_440, days: 15, coveredDays: 2 });
    // 25 October 2026, the last Sunday of October: local midnight 23:00 UTC the day before, 25 hours long.
    const dst = { fromMs: Date.parse('2026-10-24T23:00:00Z'), toMs: Date.parse('2026-10-26T00:00:00Z') };
    const half = Array.from({ length: 50 }, (_, i) => ({ startMs: dst.fromMs + i * 900_000, importWh: 10 }));
    expect(windowEnergy(ERSE_TOU_PERIODS, 'DAILY', half, dst)).toMatchObject({ quarterHours: 50, windowQuarterHours: 100, days: 1, coveredDays: 0.5 });
  });

  it('wants a pilot and a control group, non-empty and disjoint', () => {
    expect(groupsProblem(['A', 'B'], ['C'])).toBeNull();
    expect(groupsProblem([], ['C'])).toBe('the pilot holds no metering point');
    expect(groupsProblem(['A'], [])).toBe('the control group holds no metering point');
    expect(groupsProblem(['A', 'B'], ['B', 'C'])).toBe('the pilot and the control group must be disjoint: 1 metering point is in both');
    expect(groupsProblem(['A', 'B'], ['A', 'B'])).toBe('the pilot and the control group must be disjoint: 2 metering points are in both');
  });
});

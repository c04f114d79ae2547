import { ERSE_TOU_PERIODS } from './erse-periods.table';
import { groupsProblem, tariffKpis, windowEnergy, type WindowEnergy } from './tariff-kpi.rules';

const kwh = (energyKwh: number, peakKwh: number, days: number): WindowEnergy => ({ energyWh: energyKwh * 1000, peakWh: peakKwh * 1000, quarterHours: days * 96, days });
const EUR = 1_000_000_000_000n;

/**
 * Worked by hand: a 28-day baseline and a 30-day period.
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
    expect(windowEnergy(ERSE_TOU_PERIODS, 'DAILY', quarters, 1)).toEqual({ energyWh: 400, peakWh: 300, quarterHours: 2, days: 1 });
    expect(windowEnergy(ERSE_TOU_PERIODS, 'WEEKLY', quarters, 1)).toEqual({ energyWh: 400, peakWh: 0, quarterHours: 2, days: 1 });
  });

  it('wants a pilot and a control group, non-empty and disjoint', () => {
    expect(groupsProblem(['A', 'B'], ['C'])).toBeNull();
    expect(groupsProblem([], ['C'])).toBe('the pilot holds no metering point');
    expect(groupsProblem(['A'], [])).toBe('the control group holds no metering point');
    expect(groupsProblem(['A', 'B'], ['B', 'C'])).toBe('the pilot and the control group must be disjoint: 1 metering point is in both');
    expect(groupsProblem(['A', 'B'], ['A', 'B'])).toBe('the pilot and the control group must be disjoint: 2 metering points are in both');
  });
});

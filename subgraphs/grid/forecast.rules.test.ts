import { BTN_A, BTN_C, IP } from '../../tools/profiles/coefficients';
import { DAY_MS, QUARTER_MS, SATURDAY, SUNDAY_HOLIDAY, dayType, epochDay, lisbonMidnightUtcMs } from '../kit/calendar';
import {
  backtest,
  compareForecasts,
  dayLayout,
  forecastPoint,
  forecastWindowProblem,
  backtestDaysProblem,
  improvementPercent,
  localDaySlots,
  parseForecastScope,
  profileClassOf,
  seasonalNaive,
  type ClassProfiles,
  type LoadModel,
  type PowerSeries,
} from './forecast.rules';

/** A flat profile whose day's share is `dayShare(localDay)` for every class. */
function flatProfiles(dayShare: (localDay: number) => number = () => 1): ClassProfiles {
  const shape = new Float64Array(96).fill(1 / 96);
  return { day: (localDay) => ({ fraction: [1, 1, 1, 1].map(() => dayShare(localDay)), shapes: [shape, shape, shape, shape] }) };
}

/** A series over the local days [firstDay, lastDay], each local quarter-hour's import from `importAt(localDay, slot)`. */
function seriesOver(firstDay: number, lastDay: number, importAt: (localDay: number, slot: number) => number, exportAt: (utcMs: number) => number = () => 0): PowerSeries {
  const startMs = lisbonMidnightUtcMs(firstDay);
  const length = (lisbonMidnightUtcMs(lastDay + 1) - startMs) / QUARTER_MS;
  const series: PowerSeries = { startMs, importKw: new Float64Array(length), exportKw: new Float64Array(length) };
  for (let day = firstDay; day <= lastDay; day++) {
    const layout = dayLayout(day);
    const offset = (layout.startMs - startMs) / QUARTER_MS;
    for (let j = 0; j < layout.count; j++) {
      series.importKw[offset + j] = importAt(day, layout.slot[j]!);
      series.exportKw[offset + j] = exportAt(layout.startMs + j * QUARTER_MS);
    }
  }
  return series;
}

const dayWindow = (localDay: number): [number, number] => [lisbonMidnightUtcMs(localDay), lisbonMidnightUtcMs(localDay + 1)];
const household: LoadModel = { profileClass: BTN_C, annualConsumptionKwh: 3_504 };

// Thursday 26 November 2026, a working day after working days.
const THURSDAY = epochDay(2026, 11, 26);

describe('forecast.rules', () => {
  it('maps metering points to the profile their load follows', () => {
    expect(profileClassOf('BTN_C', 'RESIDENTIAL')).toBe(BTN_C);
    expect(profileClassOf('BTN_A', 'COMMERCIAL')).toBe(BTN_A);
    expect(profileClassOf('BTN_B', 'PUBLIC_LIGHTING')).toBe(IP);
    expect(profileClassOf('BTN_A', 'EV_CHARGING')).toBeNull();
  });

  it('lays the summer-time days out as 92 and 100 quarter-hours on local time', () => {
    const spring = dayLayout(epochDay(2026, 3, 29));
    expect(spring.count).toBe(92);
    // 01:00 UTC is 02:00 local: local 01:00-02:00 does not occur.
    expect([...spring.slot.slice(0, 6)]).toEqual([0, 1, 2, 3, 8, 9]);
    const autumn = dayLayout(epochDay(2026, 10, 25));
    expect(autumn.count).toBe(100);
    expect(new Date(autumn.startMs).toISOString()).toBe('2026-10-24T23:00:00.000Z');
    // Local 01:00-02:00 twice: at 00:00 UTC in summer time, at 01:00 UTC in winter time.
    expect([...autumn.slot.slice(0, 13)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8]);
  });

  it('reads a local day by local quarter-hour, averaging the repeated autumn hour', () => {
    const day = epochDay(2026, 10, 25);
    const series = seriesOver(day, day, (_, slot) => slot);
    const layout = dayLayout(day);
    // The second 01:00-01:15 read 10 kW instead of 4.
    series.importKw[8] = 10;
    expect(layout.slot[8]).toBe(4);
    const slots = localDaySlots(series, series.importKw, day);
    expect(slots[4]).toBe(7);
    expect(slots[8]).toBe(8);
  });

  it('forecasts a working day as the recency-weighted mean of the days before when the profile is flat', () => {
    // Tuesday 1 kW, Wednesday 2 kW: (1 × 2 + 0.9 × 1) / 1.9.
    const history = seriesOver(THURSDAY - 2, THURSDAY - 1, (day) => (day === THURSDAY - 1 ? 2 : 1));
    const forecast = forecastPoint(history, household, flatProfiles(), ...dayWindow(THURSDAY));
    expect(forecast.importKw).toHaveLength(96);
    for (const kw of forecast.importKw) expect(kw).toBeCloseTo(2.9 / 1.9, 12);
  });

  it('counts a holiday before a working day as the other day type', () => {
    // Thursday 3 December 2026 from Tuesday 1 December (a holiday, 1 kW, weight 0.9 × 0.5) and Wednesday (2 kW).
    const thursday = epochDay(2026, 12, 3);
    expect(dayType(thursday - 2)).toBe(SUNDAY_HOLIDAY);
    const history = seriesOver(thursday - 2, thursday - 1, (day) => (day === thursday - 1 ? 2 : 1));
    const forecast = forecastPoint(history, household, flatProfiles(), ...dayWindow(thursday));
    for (const kw of forecast.importKw) expect(kw).toBeCloseTo(2.45 / 1.45, 12);
  });

  it('scales the recent level by the class profile on a holiday', () => {
    // Tuesday 8 December 2026 (Imaculada Conceição) is shaped as a Sunday: twice a working day's energy here.
    const holiday = epochDay(2026, 12, 8);
    expect(dayType(holiday)).toBe(SUNDAY_HOLIDAY);
    const profiles = flatProfiles((day) => (dayType(day) === SUNDAY_HOLIDAY ? 2 : 1));
    const history = seriesOver(holiday - 1, holiday - 1, () => 1);
    const forecast = forecastPoint(history, household, profiles, ...dayWindow(holiday));
    for (const kw of forecast.importKw) expect(kw).toBeCloseTo(2, 12);
  });

  it('carries days of another day type over by the profile and weighs the other group half', () => {
    // Sunday 13 December 2026 from Saturday (1.5 kW, weekend: weight 1) and Friday (1.2 kW, working: 0.9 × 0.5);
    // shares: working 1, Saturday 1.5, Sunday 2. (1.5 × 2 / 1.5 + 0.45 × 1.2 × 2 / 1) / 1.45.
    const sunday = epochDay(2026, 12, 13);
    const profiles = flatProfiles((day) => [1, 1.5, 2][dayType(day)]!);
    expect(dayType(sunday - 1)).toBe(SATURDAY);
    const history = seriesOver(sunday - 2, sunday - 1, (day) => (day === sunday - 1 ? 1.5 : 1.2));
    const forecast = forecastPoint(history, household, profiles, ...dayWindow(sunday));
    for (const kw of forecast.importKw) expect(kw).toBeCloseTo((2 + 1.08) / 1.45, 12);
  });

  it("takes days of the target's own type as measured, whatever the profile says of their month", () => {
    // Wednesday 2 December from Monday 30 November, a working day at 3 kW, though December's profile is twice November's.
    const wednesday = epochDay(2026, 12, 2);
    const profiles = flatProfiles((day) => (day >= epochDay(2026, 12, 1) ? 2 : 1));
    const history = seriesOver(wednesday - 2, wednesday - 2, () => 3);
    const forecast = forecastPoint(history, household, profiles, ...dayWindow(wednesday));
    for (const kw of forecast.importKw) expect(kw).toBeCloseTo(3, 12);
  });

  it('gives the 100 quarter-hours of the autumn change the same local time of day as the day before', () => {
    const sunday = epochDay(2026, 10, 25);
    const history = seriesOver(sunday - 1, sunday - 1, (_, slot) => slot / 10);
    const forecast = forecastPoint(history, household, flatProfiles(), ...dayWindow(sunday));
    expect(forecast.importKw).toHaveLength(100);
    const kw = [...forecast.importKw].map((value) => Math.round(value * 10));
    expect(kw.slice(0, 13)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8]);
    expect(kw[99]).toBe(95);
  });

  it('skips local 01:00-02:00 on the 92 quarter-hours of the spring change', () => {
    const sunday = epochDay(2026, 3, 29);
    const history = seriesOver(sunday - 1, sunday - 1, (_, slot) => slot / 10);
    const forecast = forecastPoint(history, household, flatProfiles(), ...dayWindow(sunday));
    expect(forecast.importKw).toHaveLength(92);
    expect([...forecast.importKw.slice(3, 6)].map((value) => Math.round(value * 10))).toEqual([3, 8, 9]);
  });

  it('follows the sun for PV: the same UTC time the day before, across the spring change', () => {
    // Saturday 28 March 2026 exported 3 kW at 12:00-12:15 UTC (12:00 local), Sunday too (13:00 local); Monday's forecast has
    // it at 12:00 UTC (13:00 local), while its load keeps local time.
    const monday = epochDay(2026, 3, 30);
    const noonUtc = Date.UTC(2026, 2, 29, 12);
    const history = seriesOver(monday - 2, monday - 1, () => 1, (utcMs) => (utcMs % DAY_MS === noonUtc % DAY_MS ? 3 : 0));
    const forecast = forecastPoint(history, household, flatProfiles(), ...dayWindow(monday));
    const at = (utcMs: number) => (utcMs - lisbonMidnightUtcMs(monday)) / QUARTER_MS;
    expect(forecast.exportKw[at(noonUtc + DAY_MS)]).toBeCloseTo(3, 12);
    expect(forecast.exportKw.reduce((sum, kw) => sum + kw, 0)).toBeCloseTo(3, 12);
    for (const kw of forecast.importKw) expect(kw).toBeCloseTo(1, 12);
    // Sunday had no local 01:00-02:00; Saturday's stands in.
    expect(forecast.importKw).toHaveLength(96);
  });

  it("falls back to the profile's expectation of the annual consumption without history", () => {
    const profiles = flatProfiles(() => 1 / 365);
    const none: PowerSeries = { startMs: 0, importKw: new Float64Array(0), exportKw: new Float64Array(0) };
    // 3,504 kWh a year, a 365th a day, a 96th a quarter-hour: 0.1 kWh, 0.4 kW.
    const forecast = forecastPoint(none, household, profiles, ...dayWindow(THURSDAY));
    for (const kw of forecast.importKw) expect(kw).toBeCloseTo(0.4, 12);
    const station = forecastPoint(none, { profileClass: null, annualConsumptionKwh: 87_600 }, profiles, ...dayWindow(THURSDAY));
    for (const kw of station.importKw) expect(kw).toBeCloseTo(10, 12);
  });

  it('forecasts only part of a day when asked, from the same day forecast', () => {
    const history = seriesOver(THURSDAY - 3, THURSDAY - 1, (_, slot) => slot);
    const [dayStart] = dayWindow(THURSDAY);
    const part = forecastPoint(history, household, flatProfiles(), dayStart + 10 * QUARTER_MS, dayStart + 12 * QUARTER_MS);
    expect([...part.importKw].map(Math.round)).toEqual([10, 11]);
  });

  it('makes seasonal-naive from a week before, or the day before when that week is not stored', () => {
    const weekAgo = seriesOver(THURSDAY - 7, THURSDAY - 1, (day) => (day === THURSDAY - 7 ? 5 : 2));
    expect([...new Set(seasonalNaive(weekAgo, ...dayWindow(THURSDAY)).importKw)]).toEqual([5]);
    const sixDays = seriesOver(THURSDAY - 6, THURSDAY - 1, (day) => (day === THURSDAY - 1 ? 2 : 9));
    expect([...new Set(seasonalNaive(sixDays, ...dayWindow(THURSDAY)).importKw)]).toEqual([2]);
  });

  it('computes MAPE without near-zero actuals and NRMSE over the mean absolute actual', () => {
    // Mean |actual| over the four known intervals: 10.025; 0.1 is below 5 % of it, so MAPE leaves it out.
    const actual = [10, 20, 0.1, -10, Number.NaN];
    const method = [11, 18, 0.1, -10, 5];
    const naive = [8, 25, 1, -12, 5];
    const result = compareForecasts(actual, method, naive);
    expect(result.intervals).toBe(4);
    expect(result.mapeIntervals).toBe(3);
    expect(result.method.mapePercent).toBeCloseTo(((0.1 + 0.1 + 0) / 3) * 100, 10);
    expect(result.method.nrmsePercent).toBeCloseTo((Math.sqrt(5 / 4) / 10.025) * 100, 10);
    expect(result.seasonalNaive.mapePercent).toBeCloseTo(((0.2 + 0.25 + 0.2) / 3) * 100, 10);
    expect(result.seasonalNaive.nrmsePercent).toBeCloseTo((Math.sqrt(33.81 / 4) / 10.025) * 100, 10);
    expect(improvementPercent(5, 20)).toBe(75);
    expect(improvementPercent(null, 20)).toBeNull();
    expect(compareForecasts([Number.NaN], [1], [1]).method).toEqual({ mapePercent: null, nrmsePercent: null });
  });

  it('backtests each day from the days before it, counting only days seasonal-naive can forecast', () => {
    const days = [THURSDAY - 2, THURSDAY - 1, THURSDAY];
    const point = { history: seriesOver(THURSDAY - 2, THURSDAY, () => 1), model: household };
    // The first day has no day before it stored: nothing to compare.
    const result = backtest([point], flatProfiles(), days);
    expect(result.days).toBe(2);
    expect(result.intervals).toBe(192);
    expect(result.method).toEqual({ mapePercent: 0, nrmsePercent: 0 });
    expect(result.seasonalNaive).toEqual({ mapePercent: 0, nrmsePercent: 0 });
  });

  it("backtests a scope on its points' summed net power", () => {
    // Two points, the second with a PV surplus of 0.5 kW: the scope's net is 1 + 2 − 0.5, alike every day.
    const days = [THURSDAY - 1, THURSDAY];
    const first = { history: seriesOver(THURSDAY - 8, THURSDAY, () => 1), model: household };
    const second = { history: seriesOver(THURSDAY - 8, THURSDAY, () => 2, () => 0.5), model: household };
    const result = backtest([first, second], flatProfiles(), days);
    expect(result.days).toBe(2);
    expect(result.method.nrmsePercent).toBeCloseTo(0, 12);
    // A point whose readings stop leaves the scope's actuals unknown.
    const stopped = { history: seriesOver(THURSDAY - 8, THURSDAY - 1, () => 2), model: household };
    expect(backtest([first, stopped], flatProfiles(), [THURSDAY]).intervals).toBe(0);
  });

  it('takes exactly one scope', () => {
    expect(parseForecastScope({ feederId: 'F1' })).toEqual({ kind: 'feeder', id: 'F1' });
    expect(parseForecastScope({ meteringPointId: 'PT1', secondarySubstationId: null })).toEqual({ kind: 'meteringPoint', id: 'PT1' });
    expect(parseForecastScope({})).toMatch(/exactly one/);
    expect(parseForecastScope({ feederId: 'F1', secondarySubstationId: 'S1' })).toMatch(/exactly one/);
    expect(parseForecastScope({ secondarySubstationId: '' })).toBe('secondarySubstationId is empty');
  });

  it('bounds the forecast window at its edges', () => {
    const now = Date.UTC(2026, 11, 1, 12, 7);
    const from = Date.UTC(2026, 11, 2);
    expect(forecastWindowProblem(from, from + 7 * DAY_MS, now)).toBeNull();
    expect(forecastWindowProblem(from, from + 7 * DAY_MS + QUARTER_MS, now)).toMatch(/at most 7 days/);
    expect(forecastWindowProblem(from, from, now)).toBe('to must be after from');
    expect(forecastWindowProblem(from + 60_000, from + DAY_MS, now)).toMatch(/aligned to 15 minutes/);
    const latest = Date.UTC(2026, 11, 8, 12);
    expect(forecastWindowProblem(latest, latest + DAY_MS, now)).toBeNull();
    expect(forecastWindowProblem(latest + QUARTER_MS, latest + DAY_MS, now)).toMatch(/at most 7 days ahead/);
    expect(forecastWindowProblem(Date.UTC(2200, 0, 1), Date.UTC(2200, 0, 2), now)).toMatch(/between 2000-01-01 and 2100-01-01/);
    expect([0, 1, 28, 29, 1.5].map(backtestDaysProblem)).toEqual([expect.any(String), null, null, expect.any(String), expect.any(String)]);
  });
});

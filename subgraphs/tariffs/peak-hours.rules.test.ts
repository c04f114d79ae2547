import { QUARTER_MS } from '../kit/calendar';
import type { QuarterEnergy } from './bill.rules';
import { ERSE_TOU_PERIODS } from './erse-periods.table';
import { dayOfWeekIndex, localHourOf, peakHours, topHoursProblem } from './peak-hours.rules';
import { epochDay } from '../kit/calendar';

const quarters = (startIso: string, count: number, importWh: number): QuarterEnergy[] =>
  Array.from({ length: count }, (_, i) => ({ startMs: Date.parse(startIso) + i * QUARTER_MS, importWh }));

/**
 * Worked by hand. Sunday 25 October 2026, the autumn change (02:00 summer time is 01:00 winter
 * time, at 01:00 UTC): local hour 0 is 23:00-00:00 UTC the day before, and local hour 1 happens
 * twice, 00:00-01:00 UTC (summer) and 01:00-02:00 UTC (winter).
 * - hour 0: 4 × 150 Wh = 600 Wh over 4 quarter-hours, 0.6 kW;
 * - hour 1: 8 × 100 Wh = 800 Wh over 8 quarter-hours: 0.4 kW, not 0.8;
 * - hour 19: 4 × 500 Wh on the 25th (winter, 19:00 UTC) and 1 × 1,000 Wh on Monday the 26th:
 *   3,000 Wh over 5 quarter-hours, 2.4 kW;
 * - hour 12: 200 Wh at 12:00 UTC on Tuesday 8 December, a holiday: 0.8 kW.
 * Days: Sunday 3,400 + 200 (the holiday) = 3,600 Wh over 17 quarter-hours, 0.847 kW; Monday
 * 1,000 Wh over 1, 4 kW; no Tuesday.
 * Daily cycle: hours 0 and 1 are vazio_normal in summer and in winter (1,400 Wh), 19:00 in winter
 * is ponta (3,000 Wh), 12:00 cheias (200 Wh): of 4,600 Wh, 65.22 %, 4.35 %, 30.43 %, 0 %.
 * Weekly cycle: Sunday is vazio_normal from 06:00, the holiday too; Monday 19:00 is ponta (18:30-21:00).
 */
const DST_CASE: QuarterEnergy[] = [
  ...quarters('2026-10-24T23:00:00Z', 4, 150),
  ...quarters('2026-10-25T00:00:00Z', 8, 100),
  ...quarters('2026-10-25T19:00:00Z', 4, 500),
  ...quarters('2026-10-26T19:00:00Z', 1, 1_000),
  ...quarters('2026-12-08T12:00:00Z', 1, 200),
];

describe('peak hours', () => {
  it('averages each local hour over the quarter-hours it really had, the repeated autumn hour included', () => {
    const result = peakHours(ERSE_TOU_PERIODS, 'DAILY', DST_CASE, 3);
    expect(result.quarterHours).toBe(18);
    expect(result.energyWh).toBe(4_600);
    const hour = (h: number) => result.hours[h]!;
    expect(hour(0)).toEqual({ hour: 0, energyWh: 600, quarterHours: 4, meanKw: 0.6, rank: 3, top: true });
    expect(hour(1)).toEqual({ hour: 1, energyWh: 800, quarterHours: 8, meanKw: 0.4, rank: 4, top: false });
    expect(hour(12)).toEqual({ hour: 12, energyWh: 200, quarterHours: 1, meanKw: 0.8, rank: 2, top: true });
    expect(hour(19)).toEqual({ hour: 19, energyWh: 3_000, quarterHours: 5, meanKw: 2.4, rank: 1, top: true });
    expect(hour(5)).toEqual({ hour: 5, energyWh: 0, quarterHours: 0, meanKw: null, rank: null, top: false });
    expect(result.hours.filter((h) => h.top).map((h) => h.hour)).toEqual([0, 12, 19]);
  });

  it('counts a holiday as a Sunday among the days of the week', () => {
    const { weekDays } = peakHours(ERSE_TOU_PERIODS, 'DAILY', DST_CASE, 3);
    expect(weekDays.map((d) => d.day)).toEqual(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);
    expect(weekDays[0]).toEqual({ day: 'MONDAY', energyWh: 1_000, quarterHours: 1, meanKw: 4, rank: 1 });
    expect(weekDays[1]).toEqual({ day: 'TUESDAY', energyWh: 0, quarterHours: 0, meanKw: null, rank: null });
    expect(weekDays[6]).toMatchObject({ day: 'SUNDAY', energyWh: 3_600, quarterHours: 17, rank: 2 });
    expect(weekDays[6]!.meanKw).toBeCloseTo((3_600 * 4) / 17 / 1000, 12);
    expect(dayOfWeekIndex(epochDay(2026, 12, 8))).toBe(6);
    expect(dayOfWeekIndex(epochDay(2026, 12, 9))).toBe(2);
  });

  it("shares the energy among the cycle's ERSE periods", () => {
    const daily = peakHours(ERSE_TOU_PERIODS, 'DAILY', DST_CASE, 3).periods;
    expect(daily.map(({ period, energyWh, quarterHours }) => [period, energyWh, quarterHours])).toEqual([
      ['ponta', 3_000, 5],
      ['cheias', 200, 1],
      ['vazio_normal', 1_400, 12],
      ['super_vazio', 0, 0],
    ]);
    expect(daily[0]!.sharePct).toBeCloseTo((3_000 / 4_600) * 100, 12);
    const weekly = peakHours(ERSE_TOU_PERIODS, 'WEEKLY', DST_CASE, 3).periods;
    expect(weekly.map(({ period, energyWh }) => [period, energyWh])).toEqual([
      ['ponta', 1_000],
      ['cheias', 0],
      ['vazio_normal', 3_600],
      ['super_vazio', 0],
    ]);
  });

  it('gives no shares and no ranks without data', () => {
    const empty = peakHours(ERSE_TOU_PERIODS, 'DAILY', [], 3);
    expect(empty.periods.every((p) => p.sharePct === null)).toBe(true);
    expect(empty.hours.every((h) => h.rank === null && !h.top)).toBe(true);
  });

  it('reads local hours in summer and winter time', () => {
    expect(localHourOf(Date.parse('2026-07-01T18:45:00Z'))).toBe(19);
    expect(localHourOf(Date.parse('2026-12-01T18:45:00Z'))).toBe(18);
  });

  it('takes 1 to 24 top hours', () => {
    expect(topHoursProblem(3)).toBeNull();
    expect(topHoursProblem(0)).toBe('topHours must be a whole number from 1 to 24');
    expect(topHoursProblem(25)).not.toBeNull();
  });
});

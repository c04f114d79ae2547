import { DAY_MS, epochDay, lisbonMidnightUtcMs, QUARTER_MS, quartersInLocalDay } from '../kit/calendar';
import { compileDay, compilePeriods, periodAt, weekDayOf, type DayChart } from './erse-periods.rules';
import { ERSE_CHART, ERSE_TOU_PERIODS } from './erse-periods.table';

const iso = (text: string) => Date.parse(text);

/** Hours of each period over the local days [firstDay, firstDay + days) in a cycle, counting every UTC quarter-hour once. */
function hoursByPeriod(cycle: 'DAILY' | 'WEEKLY', firstDay: number, days: number): Record<string, number> {
  const hours: Record<string, number> = {};
  for (let t = lisbonMidnightUtcMs(firstDay); t < lisbonMidnightUtcMs(firstDay + days); t += QUARTER_MS) {
    const period = periodAt(ERSE_TOU_PERIODS, cycle, t);
    hours[period] = (hours[period] ?? 0) + 0.25;
  }
  return hours;
}

const offPeakHours = (hours: Record<string, number>) => (hours.vazio_normal ?? 0) + (hours.super_vazio ?? 0);

describe('the ERSE time-of-use periods', () => {
  it('names its source: the shared ERSE chart', () => {
    expect(ERSE_CHART.source).toMatch(/erse-tou-periods-mainland\.json.*erse\.pt/);
  });

  it('gives the daily cycle 10 off-peak hours every ordinary day, winter and summer', () => {
    expect(offPeakHours(hoursByPeriod('DAILY', epochDay(2026, 12, 2), 1))).toBe(10);
    expect(offPeakHours(hoursByPeriod('DAILY', epochDay(2026, 7, 15), 1))).toBe(10);
    // ERSE's checks: ponta 4 h a day in the daily cycle.
    expect(hoursByPeriod('DAILY', epochDay(2026, 12, 2), 1).ponta).toBe(4);
  });

  it('gives the weekly cycle 76 off-peak hours an ordinary week, winter and summer', () => {
    // Monday 2026-11-16 to Sunday 2026-11-22, and Monday 2026-07-13 to Sunday 2026-07-19: no holidays (1 December is one).
    expect(offPeakHours(hoursByPeriod('WEEKLY', epochDay(2026, 11, 16), 7))).toBe(76);
    expect(offPeakHours(hoursByPeriod('WEEKLY', epochDay(2026, 11, 30), 7))).toBe(76 - 7 + 24);
    expect(offPeakHours(hoursByPeriod('WEEKLY', epochDay(2026, 7, 13), 7))).toBe(76);
  });

  it('classifies by Lisbon wall-clock time and legal season', () => {
    // Winter (UTC+0), a Wednesday: 18:00-20:30 is ponta in the daily cycle, 18:30-21:00 in the weekly.
    expect(periodAt(ERSE_TOU_PERIODS, 'DAILY', iso('2026-12-02T18:00:00Z'))).toBe('ponta');
    expect(periodAt(ERSE_TOU_PERIODS, 'DAILY', iso('2026-12-02T20:30:00Z'))).toBe('cheias');
    expect(periodAt(ERSE_TOU_PERIODS, 'WEEKLY', iso('2026-12-02T18:15:00Z'))).toBe('cheias');
    expect(periodAt(ERSE_TOU_PERIODS, 'WEEKLY', iso('2026-12-02T18:30:00Z'))).toBe('ponta');
    // Summer (UTC+1): 19:30 local, ponta in the daily cycle, is 18:30 UTC.
    expect(periodAt(ERSE_TOU_PERIODS, 'DAILY', iso('2026-07-15T18:30:00Z'))).toBe('ponta');
    expect(periodAt(ERSE_TOU_PERIODS, 'DAILY', iso('2026-07-15T18:15:00Z'))).toBe('cheias');
    expect(periodAt(ERSE_TOU_PERIODS, 'DAILY', iso('2026-07-15T01:00:00Z'))).toBe('super_vazio');
  });

  it('treats a national holiday as a Sunday in the weekly cycle', () => {
    // 2026-12-08 (Immaculate Conception) is a Tuesday: no ponta, no cheias.
    expect(weekDayOf(epochDay(2026, 12, 8))).toBe('SUNDAY');
    expect(weekDayOf(epochDay(2026, 12, 9))).toBe('WEEKDAY');
    expect(weekDayOf(epochDay(2026, 12, 5))).toBe('SATURDAY');
    const holiday = hoursByPeriod('WEEKLY', epochDay(2026, 12, 8), 1);
    expect(holiday).toEqual({ vazio_normal: 20, super_vazio: 4 });
  });

  it('classifies every quarter-hour of a summer-time day exactly once: 92 in spring, 100 in autumn', () => {
    for (const [day, quarters] of [
      [epochDay(2026, 3, 29), 92],
      [epochDay(2026, 10, 25), 100],
    ] as const) {
      expect(quartersInLocalDay(day)).toBe(quarters);
      const hours = hoursByPeriod('DAILY', day, 1);
      expect(Object.values(hours).reduce((a, b) => a + b, 0) * 4).toBe(quarters);
    }
    // Autumn: the repeated 01:00-02:00 is vazio_normal both times; the skipped spring hour has no quarter-hour at all.
    expect(periodAt(ERSE_TOU_PERIODS, 'DAILY', iso('2026-10-25T00:30:00Z'))).toBe('vazio_normal');
    expect(periodAt(ERSE_TOU_PERIODS, 'DAILY', iso('2026-10-25T01:30:00Z'))).toBe('vazio_normal');
    expect(hoursByPeriod('DAILY', epochDay(2026, 10, 25), 1).vazio_normal).toBe(7);
    expect(hoursByPeriod('DAILY', epochDay(2026, 3, 29), 1).vazio_normal).toBe(5);
  });

  it('refuses a chart with a gap, an overlap or a range off the quarter-hour, naming each', () => {
    const day: DayChart = { ponta: [['18:00', '20:00']], cheias: [['08:00', '18:30']], vazio_normal: [['00:00', '08:00'], ['20:00', '23:50']], super_vazio: [] };
    expect(compileDay(day, 'test').problems).toEqual([
      'test: cheias 08:00-18:30 overlaps ponta at 18:00',
      'test: cheias 08:00-18:30 overlaps ponta at 18:15',
      'test: vazio_normal 20:00-23:50 is not a range of whole quarter-hours',
      ...Array.from({ length: 16 }, (_, i) => `test: no period at ${String(20 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`),
    ]);
    const broken = { ...ERSE_CHART, daily: { ...ERSE_CHART.daily, WINTER: day } };
    expect(() => compilePeriods(broken)).toThrow(/not a partition of the day: daily WINTER: cheias 08:00-18:30 overlaps ponta at 18:00;.*vazio_normal 20:00-23:50/);
  });

  it('covers the whole day in every cycle, season and day of the committed chart', () => {
    for (const season of ['SUMMER', 'WINTER'] as const) {
      expect(ERSE_TOU_PERIODS.daily[season]).toHaveLength(96);
      for (const day of ['WEEKDAY', 'SATURDAY', 'SUNDAY'] as const) expect(ERSE_TOU_PERIODS.weekly[season][day].every((period) => period !== undefined)).toBe(true);
    }
    expect(DAY_MS / QUARTER_MS).toBe(96);
  });
});

import { lisbonMidnightUtcMs, epochDay } from '../kit/calendar';
import { bill, eurOf, microEur, pricedPeriodOf, quarterStarts, schemePeriodsProblem, type BillScheme } from './bill.rules';
import { ERSE_TOU_PERIODS } from './erse-periods.table';

/** Local October 2026: 31 days, the last Sunday (25th) 25 hours long. */
const OCTOBER = { fromMs: lisbonMidnightUtcMs(epochDay(2026, 10, 1)), toMs: lisbonMidnightUtcMs(epochDay(2026, 11, 1)) };
const MARCH = { fromMs: lisbonMidnightUtcMs(epochDay(2026, 3, 1)), toMs: lisbonMidnightUtcMs(epochDay(2026, 4, 1)) };
const flatEnergy = (window: { fromMs: number; toMs: number }, wh: number) => quarterStarts(window.fromMs, window.toMs).map((startMs) => ({ startMs, importWh: wh }));

describe('bills', () => {
  it('counts every quarter-hour of a month with a summer-time change once: 2,980 in October, 2,972 in March', () => {
    expect(quarterStarts(OCTOBER.fromMs, OCTOBER.toMs)).toHaveLength(31 * 96 + 4);
    expect(quarterStarts(MARCH.fromMs, MARCH.toMs)).toHaveLength(31 * 96 - 4);
  });

  it('prices a flat month exactly: energy, 31 local days of contracted power, and their sum', () => {
    const flat: BillScheme = { cycle: null, energyMicroEurPerKwh: { all: microEur(0.1652) }, powerMicroEurPerKvaDay: microEur(0.2738) };
    const result = bill(ERSE_TOU_PERIODS, flat, 6.9, flatEnergy(OCTOBER, 100));
    expect(result.quarterHours).toBe(2_980);
    expect(result.lines).toEqual([{ period: 'all', energyWh: 298_000, energyMicroEurPerKwh: 165_200, costNanoEur: 49_229_600_000n }]);
    // 298 kWh × 0.1652 = 49.2296 EUR; 6.9 kVA × 0.2738 EUR × 31 days = 58.56582 EUR.
    expect(eurOf(result.energyNanoEur)).toBe(49.2296);
    expect(result.powerDays).toBe(31);
    expect(eurOf(result.powerNanoEur)).toBe(58.56582);
    expect(result.totalNanoEur).toBe(107_795_420_000n);
  });

  it("prices a three-rate daily month as worked out by hand from ERSE's chart, the 25-hour day included", () => {
    // Summer days 1-24: ponta 10:30-13:00 and 19:30-21:00 (4 h), cheias 10 h, vazio 10 h. The 25th:
    // the winter chart plus the repeated 01:00 hour, off-peak (vazio 11 h). Days 26-31: winter, 4/10/10.
    const hours = { ponta: 31 * 4, cheias: 31 * 10, vazio: 24 * 10 + 11 + 6 * 10 };
    expect(hours.ponta + hours.cheias + hours.vazio).toBe(2_980 / 4);
    const triRate: BillScheme = { cycle: 'DAILY', energyMicroEurPerKwh: { ponta: microEur(0.25), cheias: microEur(0.18), vazio: microEur(0.1) }, powerMicroEurPerKvaDay: 0 };
    const result = bill(ERSE_TOU_PERIODS, triRate, 6.9, flatEnergy(OCTOBER, 100));
    expect(result.lines.map((line) => [line.period, line.energyWh])).toEqual([
      ['vazio', hours.vazio * 400],
      ['ponta', hours.ponta * 400],
      ['cheias', hours.cheias * 400],
    ]);
    // 124.4 kWh × 0.10 + 49.6 × 0.25 + 124 × 0.18 = 12.44 + 12.40 + 22.32.
    expect(eurOf(result.energyNanoEur)).toBe(47.16);
    expect(result.powerNanoEur).toBe(0n);
  });

  it('sums exactly to the cost of each quarter-hour, whatever the energies', () => {
    const quarters = quarterStarts(MARCH.fromMs, MARCH.toMs).map((startMs, i) => ({ startMs, importWh: (i * 7919) % 1_237 }));
    const fourPeriod: BillScheme = {
      cycle: 'WEEKLY',
      energyMicroEurPerKwh: { ponta: microEur(0.312345), cheias: microEur(0.187654), vazio_normal: microEur(0.101), super_vazio: microEur(0.090001) },
      powerMicroEurPerKvaDay: microEur(0.3317),
    };
    const result = bill(ERSE_TOU_PERIODS, fourPeriod, 10.35, quarters);
    let each = 0n;
    for (const quarter of quarters) {
      const one = bill(ERSE_TOU_PERIODS, { ...fourPeriod, powerMicroEurPerKvaDay: 0 }, 0, [quarter]);
      each += one.energyNanoEur;
    }
    expect(result.energyNanoEur).toBe(each);
    expect(result.lines.reduce((sum, line) => sum + line.energyWh, 0)).toBe(quarters.reduce((sum, quarter) => sum + quarter.importWh, 0));
    expect(result.quarterHours).toBe(2_972);
  });

  it('maps ERSE periods to the periods a scheme prices, and refuses schemes that leave gaps or price one twice', () => {
    expect(pricedPeriodOf('super_vazio', new Set(['vazio', 'fora_vazio']))).toBe('vazio');
    expect(pricedPeriodOf('ponta', new Set(['vazio', 'fora_vazio']))).toBe('fora_vazio');
    expect(pricedPeriodOf('ponta', new Set(['vazio', 'cheias', 'ponta']))).toBe('ponta');
    expect(schemePeriodsProblem(['vazio', 'cheias', 'ponta'])).toBeNull();
    expect(schemePeriodsProblem(['ponta', 'cheias', 'vazio_normal', 'super_vazio'])).toBeNull();
    expect(schemePeriodsProblem(['all'])).toBeNull();
    expect(schemePeriodsProblem(['vazio', 'cheias'])).toBe('no price for ponta');
    expect(schemePeriodsProblem(['vazio', 'fora_vazio', 'ponta'])).toMatch(/^ponta priced twice/);
    expect(schemePeriodsProblem(['all', 'ponta'])).toMatch(/`all` prices the whole day/);
    expect(() => microEur(0.1234567)).toThrow(/finer than a micro-euro/);
  });
});

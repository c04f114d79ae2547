import { lisbonMidnightUtcMs, epochDay } from '../kit/calendar';
import { bill, billSegments, billWindowProblem, eurOf, nanoEur, pointSegments, pricedPeriodOf, quarterStarts, schemePeriodsProblem, type BillScheme } from './bill.rules';
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
    const flat: BillScheme = { cycle: null, energyNanoEurPerKwh: { all: nanoEur(0.1652) }, powerNanoEurPerKvaDay: nanoEur(0.2738) };
    const result = bill(ERSE_TOU_PERIODS, flat, 6.9, flatEnergy(OCTOBER, 100));
    expect(result.quarterHours).toBe(2_980);
    expect(result.lines).toEqual([{ schemeId: 'scheme', period: 'all', energyWh: 298_000, energyNanoEurPerKwh: 165_200_000, costPicoEur: 49_229_600_000_000n }]);
    // 298 kWh × 0.1652 = 49.2296 EUR; 6.9 kVA × 0.2738 EUR × 31 days = 58.56582 EUR.
    expect(eurOf(result.energyPicoEur)).toBe(49.2296);
    expect(result.powerDays).toBe(31);
    expect(eurOf(result.powerPicoEur)).toBe(58.56582);
    expect(result.totalPicoEur).toBe(107_795_420_000_000n);
  });

  it("prices a three-rate daily month as worked out by hand from ERSE's chart, the 25-hour day included", () => {
    // Summer days 1-24: ponta 10:30-13:00 and 19:30-21:00 (4 h), cheias 10 h, vazio 10 h. The 25th:
    // the winter chart plus the repeated 01:00 hour, off-peak (vazio 11 h). Days 26-31: winter, 4/10/10.
    const hours = { ponta: 31 * 4, cheias: 31 * 10, vazio: 24 * 10 + 11 + 6 * 10 };
    expect(hours.ponta + hours.cheias + hours.vazio).toBe(2_980 / 4);
    const triRate: BillScheme = { cycle: 'DAILY', energyNanoEurPerKwh: { ponta: nanoEur(0.25), cheias: nanoEur(0.18), vazio: nanoEur(0.1) }, powerNanoEurPerKvaDay: 0 };
    const result = bill(ERSE_TOU_PERIODS, triRate, 6.9, flatEnergy(OCTOBER, 100));
    expect(result.lines.map((line) => [line.period, line.energyWh])).toEqual([
      ['vazio', hours.vazio * 400],
      ['ponta', hours.ponta * 400],
      ['cheias', hours.cheias * 400],
    ]);
    // 124.4 kWh × 0.10 + 49.6 × 0.25 + 124 × 0.18 = 12.44 + 12.40 + 22.32.
    expect(eurOf(result.energyPicoEur)).toBe(47.16);
    expect(result.powerPicoEur).toBe(0n);
  });

  it('sums exactly to the cost of each quarter-hour, whatever the energies', () => {
    const quarters = quarterStarts(MARCH.fromMs, MARCH.toMs).map((startMs, i) => ({ startMs, importWh: (i * 7919) % 1_237 }));
    const fourPeriod: BillScheme = {
      cycle: 'WEEKLY',
      energyNanoEurPerKwh: { ponta: nanoEur(0.312345), cheias: nanoEur(0.187654), vazio_normal: nanoEur(0.101), super_vazio: nanoEur(0.090001) },
      powerNanoEurPerKvaDay: nanoEur(0.3317),
    };
    const result = bill(ERSE_TOU_PERIODS, fourPeriod, 10.35, quarters);
    let each = 0n;
    for (const quarter of quarters) {
      const one = bill(ERSE_TOU_PERIODS, { ...fourPeriod, powerNanoEurPerKvaDay: 0 }, 0, [quarter]);
      each += one.energyPicoEur;
    }
    expect(result.energyPicoEur).toBe(each);
    expect(result.lines.reduce((sum, line) => sum + line.energyWh, 0)).toBe(quarters.reduce((sum, quarter) => sum + quarter.importWh, 0));
    expect(result.quarterHours).toBe(2_972);
  });

  it('prices the quarter-hours of a critical-peak event at the critical-peak price, and only those', () => {
    // 1 October 2026 18:00-20:00 Lisbon (summer time) is 17:00-19:00 UTC: 8 quarter-hours.
    const startMs = Date.UTC(2026, 9, 1, 17);
    const cpp: BillScheme = {
      cycle: 'DAILY',
      energyNanoEurPerKwh: { vazio: nanoEur(0.1), fora_vazio: nanoEur(0.2), critical_peak: nanoEur(1) },
      powerNanoEurPerKvaDay: 0,
      criticalPeaks: [{ startMs, endMs: startMs + 2 * 3_600_000 }],
    };
    const result = bill(ERSE_TOU_PERIODS, cpp, 0, flatEnergy(OCTOBER, 100));
    expect(result.lines.find((line) => line.period === 'critical_peak')!.energyWh).toBe(8 * 100);
    expect(result.lines.reduce((sum, line) => sum + line.energyWh, 0)).toBe(2_980 * 100);
    expect(() => bill(ERSE_TOU_PERIODS, { ...cpp, energyNanoEurPerKwh: { all: 1 } }, 0, flatEnergy(OCTOBER, 1))).toThrow(/without a critical_peak price/);
  });

  it('splits a bill at an assignment change and charges each local day its power once, on the scheme in force at its start', () => {
    const quarters = flatEnergy(OCTOBER, 100);
    const change = lisbonMidnightUtcMs(epochDay(2026, 10, 16));
    const flat = (eur: number, powerEur: number): BillScheme => ({ cycle: null, energyNanoEurPerKwh: { all: nanoEur(eur) }, powerNanoEurPerKvaDay: nanoEur(powerEur) });
    const result = billSegments(
      ERSE_TOU_PERIODS,
      [
        { schemeId: 'A', scheme: flat(0.1, 0.1), quarters: quarters.filter((q) => q.startMs < change) },
        { schemeId: 'B', scheme: flat(0.2, 0.3), quarters: quarters.filter((q) => q.startMs >= change) },
      ],
      10,
    );
    expect(result.quarterHours).toBe(2_980);
    expect(result.lines.map((line) => [line.schemeId, line.energyWh])).toEqual([['A', 15 * 96 * 100], ['B', (16 * 96 + 4) * 100]]);
    // 15 days × 10 kVA × 0.1 EUR + 16 days × 10 kVA × 0.3 EUR.
    expect(eurOf(result.powerPicoEur)).toBe(15 + 48);
    expect(result.powerDays).toBe(31);
  });

  it('maps ERSE periods to the periods a scheme prices, and refuses schemes that leave gaps or price one twice', () => {
    expect(pricedPeriodOf('super_vazio', new Set(['vazio', 'fora_vazio']))).toBe('vazio');
    expect(pricedPeriodOf('ponta', new Set(['vazio', 'fora_vazio']))).toBe('fora_vazio');
    expect(pricedPeriodOf('ponta', new Set(['vazio', 'cheias', 'ponta']))).toBe('ponta');
    expect(schemePeriodsProblem(['vazio', 'cheias', 'ponta'])).toBeNull();
    expect(schemePeriodsProblem(['ponta', 'cheias', 'vazio_normal', 'super_vazio'])).toBeNull();
    expect(schemePeriodsProblem(['all'])).toBeNull();
    expect(schemePeriodsProblem(['vazio', 'cheias'])).toBe('no price for ponta');
    expect(schemePeriodsProblem(['vazio', 'fora_vazio', 'ponta'])).toBe('ponta priced twice: fora_vazio already covers cheias and ponta');
    expect(schemePeriodsProblem(['vazio', 'fora_vazio', 'vazio_normal'])).toBe('vazio_normal priced twice: vazio already covers vazio_normal and super_vazio');
    expect(schemePeriodsProblem(['vazio', 'fora_vazio', 'cheias', 'super_vazio'])).toBe(
      'cheias, super_vazio priced twice: fora_vazio already covers cheias and ponta; vazio already covers vazio_normal and super_vazio',
    );
    expect(schemePeriodsProblem(['all', 'ponta'])).toMatch(/`all` prices the whole day/);
    expect(schemePeriodsProblem(['vazio', 'fora_vazio', 'critical_peak'])).toBeNull();
    expect(schemePeriodsProblem(['critical_peak'])).toBe('no period is priced');
    expect(nanoEur(0.123456789)).toBe(123_456_789);
    expect(() => nanoEur(0.1234567891)).toThrow(/finer than a nano-euro/);
  });
});

describe('bill windows and segments', () => {
  const QUARTER = 900_000;

  it('takes windows of whole Lisbon local days, at most 400 of them', () => {
    expect(billWindowProblem(OCTOBER.fromMs, OCTOBER.toMs)).toBeNull();
    // 00:00 UTC on 1 October is 01:00 in Lisbon.
    expect(billWindowProblem(Date.UTC(2026, 9, 1), OCTOBER.toMs)).toMatch(/^from must be a local midnight/);
    expect(billWindowProblem(OCTOBER.fromMs, OCTOBER.toMs - QUARTER)).toMatch(/^to must be a local midnight/);
    expect(billWindowProblem(OCTOBER.toMs, OCTOBER.fromMs)).toBe('to must be after from');
    expect(billWindowProblem(lisbonMidnightUtcMs(epochDay(2025, 9, 27)), OCTOBER.toMs)).toBeNull();
    expect(billWindowProblem(lisbonMidnightUtcMs(epochDay(2025, 9, 26)), OCTOBER.toMs)).toBe('the window holds 401 local days: at most 400');
  });

  it("puts each quarter-hour of the window in the span in force at its start, leaving out those on none and billing missing readings as 0 Wh", () => {
    const flat: BillScheme = { cycle: null, energyNanoEurPerKwh: { all: 1 }, powerNanoEurPerKvaDay: 0 };
    const schemes = new Map([['A', flat], ['B', flat]]);
    const day = OCTOBER.fromMs;
    const spans = [
      { schemeId: 'B', fromMs: day + 10 * QUARTER, toMs: Infinity },
      { schemeId: 'A', fromMs: day + 2 * QUARTER + 1, toMs: day + 10 * QUARTER },
    ];
    const readings = [0, 3, 4, 11].map((q) => ({ startMs: day + q * QUARTER, importWh: 10 + q }));
    const { segments, unbilled, missing } = pointSegments(day, day + 12 * QUARTER, spans, readings, schemes);
    // Quarter-hours 0 to 2 start before A (the third a millisecond before it): unbilled.
    expect(unbilled).toBe(3);
    expect(segments.map((segment) => [segment.schemeId, segment.quarters.map((quarter) => quarter.importWh)])).toEqual([
      ['A', [13, 14, 0, 0, 0, 0, 0]],
      ['B', [0, 21]],
    ]);
    expect(missing).toBe(6);
  });
});

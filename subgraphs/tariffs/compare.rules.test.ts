import { eurOf, nanoEur, type BillScheme, type QuarterEnergy } from './bill.rules';
import { assignedCost, centiKva, changeVs, daysWithin, localDayStarts, powerDaysByScheme, schemeCost, schemeIdsProblem, schemeOfDay } from './compare.rules';
import { ERSE_TOU_PERIODS } from './erse-periods.table';

const at = (iso: string, importWh: number): QuarterEnergy => ({ startMs: Date.parse(iso), importWh });
const price = (eur: number) => nanoEur(eur);

const FLAT: BillScheme = { cycle: null, energyNanoEurPerKwh: { all: price(0.16) }, powerNanoEurPerKvaDay: price(0.05) };
const TRI: BillScheme = {
  cycle: 'DAILY',
  energyNanoEurPerKwh: { ponta: price(0.25), cheias: price(0.15), vazio_normal: price(0.1), super_vazio: price(0.08) },
  powerNanoEurPerKvaDay: price(0.05),
};
const CPP: BillScheme = {
  ...TRI,
  energyNanoEurPerKwh: { ...TRI.energyNanoEurPerKwh, critical_peak: price(1) },
  criticalPeaks: [{ startMs: Date.parse('2026-12-01T18:00:00Z'), endMs: Date.parse('2026-12-01T19:00:00Z') }],
};

/**
 * Tuesday 1 December 2026 (winter, daily cycle: ponta 09:00-10:30 and 18:00-20:30, cheias
 * 08:00-09:00, 10:30-18:00 and 20:30-22:00, vazio_normal 00:00-02:00, 06:00-08:00 and 22:00-24:00,
 * super_vazio 02:00-06:00), two points of 6.9 and 3.45 kVA charged one day: 10.35 kVA-days,
 * 0.5175 EUR at 0.05 EUR/kVA/day. Worked by hand:
 * - three-rate: ponta 3.5 kWh × 0.25 = 0.875, cheias 2 × 0.15 = 0.30, vazio_normal 0.7 × 0.10 =
 *   0.07, super_vazio 1 × 0.08 = 0.08: 1.325 + 0.5175 = 1.8425 EUR;
 * - flat: 7.2 kWh × 0.16 = 1.152 + 0.5175 = 1.6695 EUR;
 * - critical peak, an event 18:00-19:00: critical_peak 3 kWh × 1.00 = 3.00, ponta 0.5 × 0.25 =
 *   0.125, the rest as three-rate (0.45): 3.575 + 0.5175 = 4.0925 EUR.
 */
const QUARTERS = [at('2026-12-01T03:00:00Z', 1_000), at('2026-12-01T12:00:00Z', 2_000), at('2026-12-01T18:00:00Z', 3_000), at('2026-12-01T19:00:00Z', 500), at('2026-12-01T23:00:00Z', 700)];
const CENTI_KVA_DAYS = centiKva(6.9) + centiKva(3.45);

describe("a scope's cost on a scheme", () => {
  it('prices each summed quarter-hour in its period, and the contracted power per kVA and local day', () => {
    const tri = schemeCost(ERSE_TOU_PERIODS, 'TRI', TRI, QUARTERS, CENTI_KVA_DAYS);
    expect(tri.lines.map((line) => [line.period, line.energyWh, eurOf(line.costPicoEur)])).toEqual([
      ['ponta', 3_500, 0.875],
      ['cheias', 2_000, 0.3],
      ['vazio_normal', 700, 0.07],
      ['super_vazio', 1_000, 0.08],
    ]);
    expect({ energyWh: tri.energyWh, quarterHours: tri.quarterHours }).toEqual({ energyWh: 7_200, quarterHours: 5 });
    expect([tri.energyPicoEur, tri.powerPicoEur, tri.totalPicoEur]).toEqual([1_325_000_000_000n, 517_500_000_000n, 1_842_500_000_000n]);
    expect(schemeCost(ERSE_TOU_PERIODS, 'FLAT', FLAT, QUARTERS, CENTI_KVA_DAYS).totalPicoEur).toBe(1_669_500_000_000n);
  });

  it("prices a critical-peak scheme's announced events at the critical-peak price", () => {
    const cpp = schemeCost(ERSE_TOU_PERIODS, 'CPP', CPP, QUARTERS, CENTI_KVA_DAYS);
    expect(cpp.lines.map((line) => [line.period, line.energyWh])).toEqual([
      ['ponta', 500],
      ['cheias', 2_000],
      ['vazio_normal', 700],
      ['super_vazio', 1_000],
      ['critical_peak', 3_000],
    ]);
    expect(cpp.totalPicoEur).toBe(4_092_500_000_000n);
  });

  it('compares a scheme with the current cost in EUR and %', () => {
    const change = changeVs(1_842_500_000_000n, 1_669_500_000_000n);
    expect(change.eur).toBeCloseTo(0.173, 12);
    expect(change.pct).toBeCloseTo((0.173 / 1.6695) * 100, 10);
    expect(changeVs(5n, 0n).pct).toBeNull();
  });

  it('takes 1 to 10 distinct schemes', () => {
    expect(schemeIdsProblem(['A'])).toBeNull();
    expect(schemeIdsProblem([])).toBe('schemeIds must hold 1 to 10 ids');
    expect(schemeIdsProblem(Array.from({ length: 11 }, (_, i) => `S${i}`))).toBe('schemeIds must hold 1 to 10 ids');
    expect(schemeIdsProblem(['A', 'A'])).toBe('schemeIds must not repeat an id');
  });
});

/**
 * Two local days, 1 and 2 December: point A (6.9 kVA) on flat throughout, point B (3.45 kVA) on
 * flat until 2 December 12:00 UTC, then three-rate. Each day is charged on the scheme in force at
 * its first quarter-hour, so both of B's days are flat: 2 × 690 + 2 × 345 = 2,070 centi-kVA-days,
 * 1.035 EUR. Energy: flat 1,000 Wh (1 Dec, both) + 400 Wh (2 Dec 12:00, A) = 1.4 kWh × 0.16 =
 * 0.224 EUR; three-rate 600 Wh (2 Dec 12:00, B, cheias) × 0.15 = 0.09 EUR. Total 1.349 EUR.
 */
describe('what a scope pays on the schemes it is on', () => {
  const CHANGE = Date.parse('2026-12-02T12:00:00Z');
  const spans = new Map([
    ['A', [{ schemeId: 'FLAT', fromMs: -Infinity, toMs: Infinity }]],
    ['B', [{ schemeId: 'FLAT', fromMs: -Infinity, toMs: CHANGE }, { schemeId: 'TRI', fromMs: CHANGE, toMs: Infinity }]],
  ]);
  const days = localDayStarts(Date.parse('2026-12-01T00:00:00Z'), Date.parse('2026-12-03T00:00:00Z'));

  it('charges each day on the scheme in force at its first quarter-hour, else the first one to begin in it', () => {
    expect(schemeOfDay(spans.get('B')!, Date.parse('2026-12-02T00:00:00Z'), Date.parse('2026-12-03T00:00:00Z'))).toBe('FLAT');
    expect(schemeOfDay(spans.get('B')!, Date.parse('2026-12-03T00:00:00Z'), Date.parse('2026-12-04T00:00:00Z'))).toBe('TRI');
    expect(schemeOfDay([{ schemeId: 'TRI', fromMs: CHANGE, toMs: Infinity }], Date.parse('2026-12-02T00:00:00Z'), Date.parse('2026-12-03T00:00:00Z'))).toBe('TRI');
    expect(schemeOfDay([], 0, 1)).toBeNull();
  });

  it('sums energy per scheme in force and contracted power per day', () => {
    const points = [
      { meteringPointId: 'A', centiKva: centiKva(6.9), dayStartsMs: days },
      { meteringPointId: 'B', centiKva: centiKva(3.45), dayStartsMs: days },
    ];
    const powerDays = powerDaysByScheme(points, (id, dayStartMs) => schemeOfDay(spans.get(id)!, dayStartMs, dayStartMs + 86_400_000));
    expect(powerDays).toEqual(new Map([['FLAT', 2_070]]));
    const segments = [
      { schemeId: 'FLAT', scheme: FLAT, quarters: [at('2026-12-01T12:00:00Z', 1_000), at('2026-12-02T12:00:00Z', 400)] },
      { schemeId: 'TRI', scheme: TRI, quarters: [at('2026-12-02T12:00:00Z', 600)] },
    ];
    const cost = assignedCost(ERSE_TOU_PERIODS, segments, new Map([['FLAT', FLAT], ['TRI', TRI]]), powerDays);
    expect(cost).toEqual({ energyWh: 2_000, energyPicoEur: 314_000_000_000n, powerPicoEur: 1_035_000_000_000n, totalPicoEur: 1_349_000_000_000n });
  });

  it('counts the local days of a window by their midnights, the autumn change included', () => {
    expect(localDayStarts(Date.parse('2026-10-24T23:00:00Z'), Date.parse('2026-10-27T00:00:00Z'))).toEqual([Date.parse('2026-10-24T23:00:00Z'), Date.parse('2026-10-26T00:00:00Z')]);
  });
});

describe('the local days a point is charged within its readable spans', () => {
  const days = ['2026-03-28T00:00:00Z', '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z', '2026-03-30T23:00:00Z'].map(Date.parse);

  it('keeps the days whose midnight lies in a span, its end excluded', () => {
    const spans = [
      { fromMs: Date.parse('2026-03-28T00:00:00Z'), toMs: Date.parse('2026-03-29T00:00:00Z') },
      { fromMs: Date.parse('2026-03-29T12:00:00Z'), toMs: Date.parse('2026-03-30T23:00:00Z') },
    ];
    expect(daysWithin(days, spans)).toEqual([days[0], days[2]]);
  });

  it('gives every day when a span covers them all, and none without a span', () => {
    expect(daysWithin(days, [{ fromMs: days[0]!, toMs: days[3]! + 1 }])).toBe(days);
    expect(daysWithin(days, [])).toEqual([]);
  });
});

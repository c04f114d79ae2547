import { DAY_MS, epochDay, HOUR_MS, lisbonMidnightUtcMs } from '../kit/calendar';
import { nanoEur, quarterStarts, type BillScheme } from './bill.rules';
import { calibrate, chargedPower, parseCalibrationTarget, sampleSizeProblem, type CalibrationTarget, type ParsedTarget } from './calibration.rules';
import { ERSE_TOU_PERIODS } from './erse-periods.table';

/** Tuesday 10 November 2026: winter, so Lisbon is UTC; the daily cycle's vazio is 22:00-08:00. */
const DAY = { fromMs: lisbonMidnightUtcMs(epochDay(2026, 11, 10)), toMs: lisbonMidnightUtcMs(epochDay(2026, 11, 11)) };
const isVazio = (startMs: number) => {
  const hour = new Date(startMs).getUTCHours();
  return hour >= 22 || hour < 8;
};
/** 1 kWh in each of the 40 vazio quarter-hours, 2 kWh in each of the 56 others: 40 + 112 kWh. */
const dayQuarters = quarterStarts(DAY.fromMs, DAY.toMs).map((startMs) => ({ startMs, importWh: isVazio(startMs) ? 1_000 : 2_000 }));

const flat: BillScheme = { cycle: null, energyNanoEurPerKwh: { all: nanoEur(0.2) }, powerNanoEurPerKvaDay: nanoEur(0.05) };
const schemes = new Map([['FLAT', flat]]);
const onePointOnFlat = [{ meteringPointId: 'P1', schemeId: 'FLAT', fromMs: DAY.fromMs - 30 * DAY_MS, toMs: Infinity }];
const power = chargedPower(onePointOnFlat, [{ meteringPointId: 'P1', contractedPowerKva: 6.9 }], DAY.fromMs, DAY.toMs);

const twoRate: CalibrationTarget = {
  kind: 'TIME_OF_USE',
  cycle: 'DAILY',
  ratios: [
    { period: 'vazio', ratio: 1 },
    { period: 'fora_vazio', ratio: 2 },
  ],
  powerPriceEurPerKvaDay: 0.04,
  criticalPeak: null,
};

function parsed(target: CalibrationTarget, window = DAY): ParsedTarget {
  const result = parseCalibrationTarget(target, window);
  if (Array.isArray(result)) throw new Error(result.map((problem) => problem.message).join('; '));
  return result;
}

describe('calibrate', () => {
  it('finds the prices of a two-rate scheme worked out by hand, revenue-neutral after rounding to the nano-euro', () => {
    // Before: 152 kWh × 0.20 = 30.40 EUR, plus 6.9 kVA × 1 day × 0.05 = 0.345 EUR: 30.745 EUR.
    // After: power 6.9 × 0.04 = 0.276 EUR, so energy must bring 30.469 EUR over 40 × 1 + 112 × 2 = 264
    // ratio-weighted kWh: s = 30.469 / 264 = 0.115412878787... EUR/kWh; vazio 0.115412879,
    // fora_vazio 0.230825758 (2s = 0.2308257575...); after = 40 × 0.115412879 + 112 × 0.230825758
    // + 0.276 = 30.745000056 EUR.
    const result = calibrate(ERSE_TOU_PERIODS, schemes, [{ schemeId: 'FLAT', quarters: dayQuarters }], power, parsed(twoRate));
    if ('message' in result) throw new Error(result.message);
    expect(result.before).toEqual({ energyPicoEur: 30_400_000_000_000n, powerPicoEur: 345_000_000_000n, totalPicoEur: 30_745_000_000_000n });
    expect(result.scaleFactor).toBeCloseTo(30.469 / 264, 15);
    expect(result.energyNanoEurPerKwh).toEqual({ vazio: 115_412_879, fora_vazio: 230_825_758 });
    expect(result.lines.map((line) => [line.period, line.ratio, line.energyWh])).toEqual([
      ['vazio', 1, 40_000],
      ['fora_vazio', 2, 112_000],
    ]);
    expect(result.after).toEqual({ energyPicoEur: 30_469_000_056_000n, powerPicoEur: 276_000_000_000n, totalPicoEur: 30_745_000_056_000n });
    expect(result.relativeDifference).toBeCloseTo(0.000000056 / 30.745, 15);
    expect(result.quarterHours).toBe(96);
  });

  it('prices the hypothetical critical-peak hours at their ratio and scales the rest around them', () => {
    // 18:00-20:00 (8 quarter-hours of fora_vazio, 16 kWh) at ratio 5: weighted kWh 40 + 96 × 2 + 16 × 5 = 312.
    const event = { startMs: DAY.fromMs + 18 * HOUR_MS, endMs: DAY.fromMs + 20 * HOUR_MS };
    const result = calibrate(ERSE_TOU_PERIODS, schemes, [{ schemeId: 'FLAT', quarters: dayQuarters }], power, parsed({ ...twoRate, kind: 'CRITICAL_PEAK', criticalPeak: { ratio: 5, events: [event] } }));
    if ('message' in result) throw new Error(result.message);
    expect(result.scaleFactor).toBeCloseTo(30.469 / 312, 15);
    expect(result.lines.map((line) => [line.period, line.energyWh])).toEqual([
      ['vazio', 40_000],
      ['fora_vazio', 96_000],
      ['critical_peak', 16_000],
    ]);
    expect(result.energyNanoEurPerKwh.critical_peak).toBe(Math.round((30.469 / 312) * 5 * 1e9));
    expect(result.relativeDifference).toBeLessThan(1e-8);
  });

  it('charges before each scheme its own energy and power, and after the sum of both on the new prices', () => {
    const tou: BillScheme = { cycle: 'DAILY', energyNanoEurPerKwh: { vazio: nanoEur(0.1), fora_vazio: nanoEur(0.3) }, powerNanoEurPerKvaDay: nanoEur(0.06) };
    const spans = [
      { meteringPointId: 'P1', schemeId: 'FLAT', fromMs: -Infinity, toMs: Infinity },
      { meteringPointId: 'P2', schemeId: 'TOU', fromMs: -Infinity, toMs: Infinity },
    ];
    const both = chargedPower(spans, [{ meteringPointId: 'P1', contractedPowerKva: 6.9 }, { meteringPointId: 'P2', contractedPowerKva: 3.45 }], DAY.fromMs, DAY.toMs);
    const result = calibrate(ERSE_TOU_PERIODS, new Map([...schemes, ['TOU', tou]]), [{ schemeId: 'FLAT', quarters: dayQuarters }, { schemeId: 'TOU', quarters: dayQuarters }], both, parsed(twoRate));
    if ('message' in result) throw new Error(result.message);
    // FLAT 30.40 + 0.345; TOU 40 × 0.1 + 112 × 0.3 = 37.60, + 3.45 × 0.06 = 0.207.
    expect(result.before.totalPicoEur).toBe(68_552_000_000_000n);
    expect(result.lines.map((line) => line.energyWh)).toEqual([80_000, 224_000]);
    // Power after: (6.9 + 3.45) × 0.04 = 0.414 EUR.
    expect(result.after.powerPicoEur).toBe(414_000_000_000n);
    expect(result.relativeDifference).toBeLessThan(1e-8);
  });

  it('refuses a power price that alone brings the revenue the sample paid', () => {
    const result = calibrate(ERSE_TOU_PERIODS, schemes, [{ schemeId: 'FLAT', quarters: dayQuarters }], power, parsed({ ...twoRate, powerPriceEurPerKvaDay: 5 }));
    expect(result).toHaveProperty('field', 'powerPriceEurPerKvaDay');
    expect(result).toHaveProperty('message', expect.stringMatching(/contracted power alone would bring 34\.50 EUR .* paid 30\.75 EUR .* lower powerPriceEurPerKvaDay/));
  });

  it('refuses ratios that would price a period above 1,000 EUR/kWh', () => {
    // 1 Wh in all of vazio, at a million times fora_vazio's ratio: s ≈ 22.47 EUR / (1.112 × 10⁶ ratio-weighted Wh), vazio ≈ 20,206 EUR/kWh.
    const quarters = dayQuarters.map((quarter, i) => (isVazio(quarter.startMs) ? { ...quarter, importWh: i === 0 ? 1 : 0 } : quarter));
    const result = calibrate(ERSE_TOU_PERIODS, schemes, [{ schemeId: 'FLAT', quarters }], power, parsed({ ...twoRate, ratios: [{ period: 'vazio', ratio: 1e6 }, { period: 'fora_vazio', ratio: 1 }] }));
    expect(result).toEqual({ field: 'priceRatios', message: expect.stringMatching(/would price vazio at 20206\.\d\d EUR\/kWh, above the 1,000 EUR\/kWh/) });
  });

  it('refuses a sample without readings', () => {
    expect(calibrate(ERSE_TOU_PERIODS, schemes, [], power, parsed(twoRate))).toEqual({ field: 'sample', message: expect.stringMatching(/no metering point of the sample has readings/) });
  });
});

describe('chargedPower', () => {
  const kva = [{ meteringPointId: 'P1', contractedPowerKva: 6.9 }];
  const days = (n: number) => DAY.fromMs + n * DAY_MS;

  it('charges each local day once, on the scheme in force at its first quarter-hour, across an assignment change', () => {
    const spans = [
      { meteringPointId: 'P1', schemeId: 'A', fromMs: -Infinity, toMs: days(2) + 12 * HOUR_MS },
      { meteringPointId: 'P1', schemeId: 'B', fromMs: days(2) + 12 * HOUR_MS, toMs: Infinity },
    ];
    const result = chargedPower(spans, kva, days(0), days(5));
    // Days 0, 1, 2 on A (the change at noon of day 2), days 3 and 4 on B.
    expect(result.centiKvaDaysByScheme).toEqual(new Map([['A', 690 * 3], ['B', 690 * 2]]));
    expect(result.total).toBe(690 * 5);
  });

  it('charges no day outside the spans or the window, and no point without a contract', () => {
    const spans = [
      { meteringPointId: 'P1', schemeId: 'A', fromMs: days(1), toMs: days(3) },
      { meteringPointId: 'P9', schemeId: 'A', fromMs: -Infinity, toMs: Infinity },
    ];
    expect(chargedPower(spans, kva, days(0), days(2)).total).toBe(690);
    expect(chargedPower(spans, kva, days(0), days(5)).total).toBe(690 * 2);
  });
});

describe('parseCalibrationTarget', () => {
  const problems = (target: CalibrationTarget) => {
    const result = parseCalibrationTarget(target, DAY);
    return Array.isArray(result) ? result.map((problem) => problem.message) : [];
  };

  it('refuses ratios that do not tile the day, or that do not fit the kind', () => {
    expect(problems({ ...twoRate, ratios: [{ period: 'vazio', ratio: 1 }] })).toEqual(['the periods do not tile the day: no price for ponta, cheias']);
    expect(problems({ ...twoRate, ratios: [...twoRate.ratios, { period: 'ponta', ratio: 3 }] })[0]).toMatch(/ponta priced twice/);
    expect(problems({ ...twoRate, ratios: [{ period: 'pico', ratio: 1 }] })[0]).toMatch(/unknown period 'pico'/);
    expect(problems({ ...twoRate, kind: 'FLAT', cycle: null })).toEqual(['a FLAT scheme prices the period all, and only it']);
    expect(problems({ ...twoRate, cycle: null })).toEqual(['a TIME_OF_USE scheme needs a cycle, DAILY or WEEKLY']);
    const fields = (target: CalibrationTarget) => {
      const result = parseCalibrationTarget(target, DAY);
      return Array.isArray(result) ? result.map((problem) => problem.field) : [];
    };
    expect([fields({ ...twoRate, cycle: null }), fields({ ...twoRate, kind: 'FLAT' }), fields({ ...twoRate, kind: 'FLAT', cycle: null })]).toEqual([['cycle'], ['cycle'], ['priceRatios']]);
    expect(problems({ ...twoRate, ratios: [...twoRate.ratios, { period: 'critical_peak', ratio: 4 }] })[0]).toMatch(/criticalPeak\.ratio/);
    expect(problems({ ...twoRate, kind: 'CRITICAL_PEAK' })[0]).toMatch(/needs criticalPeak/);
    expect(problems({ ...twoRate, criticalPeak: { ratio: 3, events: [] } })[0]).toMatch(/has no critical peaks/);
  });

  it('refuses non-positive ratios, a negative or too fine power price and events outside the window', () => {
    expect(problems({ ...twoRate, ratios: [{ period: 'vazio', ratio: 0 }, { period: 'fora_vazio', ratio: -1 }] })).toEqual([
      'priceRatios[0].ratio must be above 0 and at most 1,000,000',
      'priceRatios[1].ratio must be above 0 and at most 1,000,000',
    ]);
    expect(problems({ ...twoRate, powerPriceEurPerKvaDay: -0.01 })).toEqual(['powerPriceEurPerKvaDay must be a price of 0 EUR or more']);
    expect(problems({ ...twoRate, powerPriceEurPerKvaDay: 0.0000000001 })[0]).toMatch(/finer than a nano-euro/);
    const late = { startMs: DAY.toMs, endMs: DAY.toMs + HOUR_MS };
    expect(problems({ ...twoRate, kind: 'CRITICAL_PEAK', criticalPeak: { ratio: 0, events: [late] } })).toEqual([
      'criticalPeak.ratio must be above 0 and at most 1,000,000',
      'criticalPeak.events[0] lies outside the calibration window',
    ]);
  });
});

describe('sampleSizeProblem', () => {
  it('bounds the point-days one calibration reads', () => {
    expect(sampleSizeProblem(500, 120)).toBeNull();
    expect(sampleSizeProblem(5_000, 12)).toBeNull();
    expect(sampleSizeProblem(5_000, 13)).toBe('5,000 metering points over 13 local days are 65,000 point-days, at most 60,000: fewer points or a shorter window');
  });
});

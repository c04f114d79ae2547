import { baselineCandidateDays, ispsToSettle, quarterOnDay, readingWindows, settleOrder, wantsMoreBaselineDays, type OrderToSettle, type PointsAt } from './flex-settlement.rules';

const at = (text: string) => Date.parse(text);
const QUARTER_MS = 900_000;

/** Readings as metering holds them, per point and instant (Wh), summed by instant as the settlement command reads them. */
function summed(readings: Record<string, Record<string, number>>): Map<number, PointsAt> {
  const sums = new Map<number, PointsAt>();
  for (const byInstant of Object.values(readings)) {
    for (const [instant, importWh] of Object.entries(byInstant)) {
      const key = at(instant);
      const sum = sums.get(key) ?? { importWh: 0, points: 0 };
      sums.set(key, { importWh: sum.importWh + importWh, points: sum.points + 1 });
    }
  }
  return sums;
}

/** Point A's and B's readings at 18:00 and 18:15 (Lisbon = UTC in January) of each day given, as [A 18:00, A 18:15, B 18:00, B 18:15]. */
function eveningReadings(days: Record<string, [number, number, number, number]>) {
  const a: Record<string, number> = {};
  const b: Record<string, number> = {};
  for (const [day, [a0, a1, b0, b1]] of Object.entries(days)) {
    a[`${day}T18:00:00Z`] = a0;
    a[`${day}T18:15:00Z`] = a1;
    b[`${day}T18:00:00Z`] = b0;
    b[`${day}T18:15:00Z`] = b1;
  }
  return { A: a, B: b };
}

/**
 * Wednesday 14 January 2026, 18:00 and 18:15: 2 kW and 1.5 kW offered at 0.20 EUR/kWh, ordered at
 * factor 0.5. Monday 12th is an activation day (another order's ISP on point B); Thursday 8th
 * lacks B's 18:15 reading; Saturday 10th and Sunday 11th are not working days.
 */
const order: OrderToSettle = {
  isps: [
    { startMs: at('2026-01-14T18:15:00Z'), offeredKw: 1.5 },
    { startMs: at('2026-01-14T18:00:00Z'), offeredKw: 2 },
  ],
  activationFactor: 0.5,
  priceEurPerKwh: 0.2,
  meteringPointIds: ['B', 'A'],
  activationStartsMs: [at('2026-01-12T19:00:00Z'), at('2026-01-14T18:00:00Z')],
};
const readings = eveningReadings({
  '2026-01-14': [300, 500, 100, 350],
  '2026-01-13': [500, 600, 250, 300],
  '2026-01-12': [900, 900, 900, 900],
  '2026-01-11': [900, 900, 900, 900],
  '2026-01-10': [900, 900, 900, 900],
  '2026-01-09': [500, 580, 300, 300],
  '2026-01-08': [900, 900, 900, 900],
  '2026-01-07': [450, 620, 250, 300],
  '2026-01-06': [500, 600, 260, 300],
  '2026-01-05': [490, 605, 250, 300],
  '2026-01-02': [900, 900, 900, 900],
});
delete readings.B['2026-01-08T18:15:00Z'];

describe('settling an order', () => {
  it('takes the five most recent complete working days without an activation as its baseline, and settles a hand-worked case', () => {
    // Baseline sums, 18:00: 750, 800, 700, 760, 740 Wh → mean 750 Wh = 3 kW; actual 400 Wh = 1.6 kW.
    // Delivered 1.4 kW, ordered 2 × 0.5 = 1 kW: paid 1 kW × 0.25 h × 0.20 = 0.05 EUR, no deficiency.
    // 18:15: 900, 880, 920, 900, 905 → mean 901 Wh = 3.604 kW; actual 850 Wh = 3.4 kW; delivered
    // 0.204 kW of 0.75: paid 0.204 × 0.25 × 0.2 = 0.0102 EUR, deficiency 0.546 kW charged 0.0273 EUR.
    expect(settleOrder(order, summed(readings))).toEqual({
      settled: true,
      figures: {
        baselineDays: ['2026-01-13', '2026-01-09', '2026-01-07', '2026-01-06', '2026-01-05'],
        meteringPointIds: ['A', 'B'],
        amountMicroEur: 50_000 + 10_200 - 27_300,
        isps: [
          { startMs: at('2026-01-14T18:00:00Z'), baselineKw: 3, orderedKw: 1, actualKw: 1.6, deliveredKw: 1.4, deficiencyKw: 0 },
          { startMs: at('2026-01-14T18:15:00Z'), baselineKw: 3.604, orderedKw: 0.75, actualKw: 3.4, deliveredKw: 0.204, deficiencyKw: 0.546 },
        ],
      },
    });
  });

  it('floors delivered flexibility at 0 when the points used more than their baseline, the whole order a deficiency', () => {
    const above = eveningReadings({ '2026-01-14': [700, 700, 700, 700] });
    const outcome = settleOrder(order, summed({ A: { ...readings.A, ...above.A }, B: { ...readings.B, ...above.B } }));
    expect(outcome.settled && outcome.figures.isps.map((isp) => [isp.deliveredKw, isp.deficiencyKw])).toEqual([
      [0, 1],
      [0, 0.75],
    ]);
    // (1 + 0.75) kW × 0.25 h × 0.20 EUR/kWh charged back.
    expect(outcome.settled && outcome.figures.amountMicroEur).toBe(-87_500);
  });

  it('rounds the baseline to the watt and the amount to the micro-euro', () => {
    // 18:00 mean of 750, 800, 700, 760, 741 Wh = 750.2 Wh = 3000.8 W → 3.001 kW.
    const odd = eveningReadings({ '2026-01-05': [491, 605, 250, 300] });
    const outcome = settleOrder({ ...order, priceEurPerKwh: 0.123_456_7 }, summed({ A: { ...readings.A, ...odd.A }, B: readings.B }));
    expect(outcome.settled && outcome.figures.isps[0]!.baselineKw).toBe(3.001);
    // 18:00: 1000 W × 123,457 µEUR/kWh / 4000 = 30,864.25 → 30,864; 18:15: 204 W → 6,296.31 → 6,296; 546 W → 16,851.88 → 16,852.
    expect(outcome.settled && outcome.figures.amountMicroEur).toBe(30_864 + 6_296 - 16_852);
  });

  it('waits for the readings when a point lacks one in an ISP of the order', () => {
    const b = { ...readings.B };
    delete b['2026-01-14T18:15:00Z'];
    expect(settleOrder(order, summed({ A: readings.A, B: b }))).toEqual({ settled: false, reason: 'readings not all in: a point of the order lacks a reading in one of its ISPs' });
  });

  it('waits with fewer than two complete baseline days in the 30 days before', () => {
    const few = eveningReadings({ '2026-01-14': [300, 500, 100, 350], '2026-01-13': [500, 600, 250, 300] });
    expect(settleOrder(order, summed(few))).toEqual({ settled: false, reason: 'too few baseline days: 1 of the 2 needed' });
    // Two days suffice.
    // Two days suffice; Monday 15 December is the 30th day before, the last one looked at.
    const two = eveningReadings({ '2026-01-14': [300, 500, 100, 350], '2026-01-13': [500, 600, 250, 300], '2025-12-15': [500, 600, 250, 300] });
    expect(settleOrder(order, summed(two))).toMatchObject({ settled: true, figures: { baselineDays: ['2026-01-13', '2025-12-15'] } });
    const late = eveningReadings({ '2026-01-14': [300, 500, 100, 350], '2026-01-13': [500, 600, 250, 300], '2025-12-12': [500, 600, 250, 300] });
    expect(settleOrder(order, summed(late)).settled).toBe(false);
  });

  it('settles an order with no HEMS (never commanded) at once: nothing delivered, the whole order a deficiency, no baseline days', () => {
    expect(settleOrder({ ...order, meteringPointIds: [] }, new Map())).toEqual({
      settled: true,
      figures: {
        baselineDays: [],
        meteringPointIds: [],
        amountMicroEur: -87_500,
        isps: [
          { startMs: at('2026-01-14T18:00:00Z'), baselineKw: 0, orderedKw: 1, actualKw: 0, deliveredKw: 0, deficiencyKw: 1 },
          { startMs: at('2026-01-14T18:15:00Z'), baselineKw: 0, orderedKw: 0.75, actualKw: 0, deliveredKw: 0, deficiencyKw: 0.75 },
        ],
      },
    });
  });
});

describe("the DSO's early close", () => {
  it('settles only the ISPs that start before the restore: one the offerer let go on FLEX_RESTORE is no deficiency', () => {
    const restoredAtMs = at('2026-01-14T18:15:00Z');
    const early = { ...order, isps: ispsToSettle(order.isps, restoredAtMs) };
    expect(early.isps).toEqual([{ startMs: at('2026-01-14T18:00:00Z'), offeredKw: 2 }]);
    // 18:15, after the restore, is neither settled nor charged, nor needed of a baseline day: Thursday 8th
    // (lacking only B's 18:15) now counts. 18:00 sums of the 13th, 9th, 8th, 7th, 6th:
    // 750 + 800 + 1800 + 700 + 760 = 4810 Wh / 5 = 962 Wh = 3.848 kW; actual 1.6 kW; delivered 2.248 kW
    // of the 1 kW ordered: paid 1 kW × 0.25 h × 0.20 EUR/kWh = 0.05 EUR, no deficiency.
    expect(settleOrder(early, summed(readings))).toEqual({
      settled: true,
      figures: {
        baselineDays: ['2026-01-13', '2026-01-09', '2026-01-08', '2026-01-07', '2026-01-06'],
        meteringPointIds: ['A', 'B'],
        amountMicroEur: 50_000,
        isps: [{ startMs: at('2026-01-14T18:00:00Z'), baselineKw: 3.848, orderedKw: 1, actualKw: 1.6, deliveredKw: 2.248, deficiencyKw: 0 }],
      },
    });
    expect(ispsToSettle(order.isps, restoredAtMs + 1)).toEqual(order.isps);
  });

  it('settles every ISP when the period ended, and nothing of an order with no ISP before the restore', () => {
    expect(ispsToSettle(order.isps, null)).toEqual(order.isps);
    expect(settleOrder({ ...order, isps: ispsToSettle(order.isps, at('2026-01-14T18:00:00Z')) }, summed(readings))).toEqual({
      settled: true,
      figures: { baselineDays: [], meteringPointIds: ['A', 'B'], amountMicroEur: 0, isps: [] },
    });
  });
});

describe('the baseline candidate days', () => {
  const ispsOn = (instant: string) => [{ startMs: at(instant), offeredKw: 1 }];
  const texts = (days: number[]) => days.map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));

  it('of a Saturday are the Saturdays, Sundays and holidays of the 30 days before', () => {
    expect(texts(baselineCandidateDays({ isps: ispsOn('2026-01-17T10:00:00Z'), activationStartsMs: [] }))).toEqual([
      '2026-01-11',
      '2026-01-10',
      '2026-01-04',
      '2026-01-03',
      '2026-01-01',
      '2025-12-28',
      '2025-12-27',
      '2025-12-25',
      '2025-12-21',
      '2025-12-20',
    ]);
  });

  it('of a working day skip the holidays and weekends, and the days with an activation', () => {
    const days = texts(baselineCandidateDays({ isps: ispsOn('2026-01-02T10:00:00Z'), activationStartsMs: [at('2025-12-30T23:45:00Z')] }));
    expect(days.slice(0, 4)).toEqual(['2025-12-31', '2025-12-29', '2025-12-26', '2025-12-24']);
  });

  it("take the day type and the look-back from the first ISP's Lisbon day: 23:45 UTC in summer is the next local day", () => {
    // Sunday 21 June 2026 23:45 UTC is Monday 22nd 00:45 in Lisbon: a working day.
    const days = texts(baselineCandidateDays({ isps: ispsOn('2026-06-21T23:45:00Z'), activationStartsMs: [] }));
    expect(days.slice(0, 2)).toEqual(['2026-06-19', '2026-06-18']);
  });
});

describe('a wall-clock quarter-hour on a day', () => {
  const day = (text: string) => Date.parse(`${text}T00:00:00Z`) / 86_400_000;

  it('is missing in the hour skipped in spring, and its first occurrence in the hour repeated in autumn', () => {
    // 29 March 2026: 01:00 UTC is 02:00 in Lisbon; 01:00-01:45 wall clock never happens.
    expect(quarterOnDay(day('2026-03-29'), 3)).toBe(at('2026-03-29T00:45:00Z'));
    expect(quarterOnDay(day('2026-03-29'), 4)).toBeNull();
    expect(quarterOnDay(day('2026-03-29'), 7)).toBeNull();
    expect(quarterOnDay(day('2026-03-29'), 8)).toBe(at('2026-03-29T01:00:00Z'));
    expect(quarterOnDay(day('2026-03-29'), 9)).toBe(at('2026-03-29T00:15:00Z') + 4 * QUARTER_MS);
    expect(quarterOnDay(day('2026-10-25'), 5)).toBe(at('2026-10-25T00:15:00Z'));
    expect(quarterOnDay(day('2026-07-01'), 72)).toBe(at('2026-07-01T17:00:00Z'));
  });

  it('makes a baseline day in spring incomplete when an ISP falls in the skipped hour', () => {
    // Easter Sunday 5 April 2026 01:15 Lisbon (00:15 UTC): Sunday 29 March has no 01:15 (its 01:15 UTC is 02:15),
    // Saturday 4th and Good Friday 3rd have no readings: the Sundays 22nd and 15th are the baseline.
    const isps = [{ startMs: at('2026-04-05T00:15:00Z'), offeredKw: 1 }];
    const sunday = { isps, activationStartsMs: [] };
    const sums = new Map<number, PointsAt>([
      [at('2026-04-05T00:15:00Z'), { importWh: 100, points: 1 }],
      [at('2026-03-29T01:15:00Z'), { importWh: 400, points: 1 }],
      [at('2026-03-22T01:15:00Z'), { importWh: 400, points: 1 }],
      [at('2026-03-15T01:15:00Z'), { importWh: 200, points: 1 }],
    ]);
    const outcome = settleOrder({ ...sunday, activationFactor: 1, priceEurPerKwh: 0.1, meteringPointIds: ['A'] }, sums);
    expect(outcome).toMatchObject({ settled: true, figures: { baselineDays: ['2026-03-22', '2026-03-15'], isps: [{ baselineKw: 1.2, actualKw: 0.4 }] } });
  });
});

describe('the readings an order needs', () => {
  it('are its ISPs and, on each candidate day, the span of their quarter-hours', () => {
    const windows = readingWindows({ isps: order.isps, activationStartsMs: order.activationStartsMs });
    expect(windows[0]).toEqual({ fromMs: at('2026-01-14T18:00:00Z'), toMs: at('2026-01-14T18:30:00Z') });
    expect(windows[1]).toEqual({ fromMs: at('2026-01-13T18:00:00Z'), toMs: at('2026-01-13T18:30:00Z') });
    expect(windows).toHaveLength(1 + baselineCandidateDays(order).length);
    expect(windows.some((window) => window.fromMs === at('2026-01-12T18:00:00Z'))).toBe(false);
  });
});

describe('reading the older candidate days', () => {
  it('is wanted only when the ISPs are in and the days read leave fewer than five complete', () => {
    const sums = summed(readings);
    // The first five candidates (13th, 9th, 8th, 7th, 6th) hold four complete days: the 8th lacks a reading.
    expect(wantsMoreBaselineDays(order, sums, 5)).toBe(true);
    // The first six hold five.
    expect(wantsMoreBaselineDays(order, sums, 6)).toBe(false);
    // Without the ISPs' readings the order waits whatever the days.
    const b = { ...readings.B };
    delete b['2026-01-14T18:00:00Z'];
    expect(wantsMoreBaselineDays(order, summed({ A: readings.A, B: b }), 5)).toBe(false);
    // Nothing to read for an order with no points, or when every candidate was read.
    expect(wantsMoreBaselineDays({ ...order, meteringPointIds: [] }, new Map(), 5)).toBe(false);
    expect(wantsMoreBaselineDays(order, new Map(), baselineCandidateDays(order).length)).toBe(false);
  });
});

import { bucketDecisions, disclosureEpochs, quarterStatus, type ContractSpan } from './demand-disclosure.rules';
import { Resolution } from './demand.rules';
import { areaKey, type AreaTreeFeeder } from '../kit/disclosure.rules';

const feeders: AreaTreeFeeder[] = [
  { id: 'F1', secondarySubstationId: 'S1', primarySubstationId: 'P1' },
  { id: 'F2', secondarySubstationId: 'S1', primarySubstationId: 'P1' },
];
const HOUR = 3_600_000;
const window = { fromMs: 0, toMs: 4 * HOUR };
const span = (placement: string, retailerId: string, points: number, fromMs = window.fromMs, toMs = window.toMs): ContractSpan => ({ placement, retailerId, points, fromMs, toMs });
const complete = (startMs: number, readings: number) => ({ startMs, networkReadings: readings, contractedReadings: readings });

describe('disclosureEpochs', () => {
  it('cuts the window where a contract starts or ends, and only there', () => {
    const contracts = [span('F1', 'r1', 20), span('F2', 'r1', 15, 0, 2 * HOUR), span('F2', 'r2', 15, 2 * HOUR, 4 * HOUR)];
    const epochs = disclosureEpochs({ kind: 'public' }, feeders, contracts, window, 10);
    expect(epochs.map((e) => [e.fromMs, e.toMs, e.expectedPoints])).toEqual([
      [0, 2 * HOUR, 35],
      [2 * HOUR, 4 * HOUR, 35],
    ]);
  });

  it("decides for a retailer with its own points left out: its area totals must hide the others' among enough", () => {
    // F2 holds 12 points, 10 of them the retailer's own: the other 2 would be given away.
    const contracts = [span('F1', 'r2', 30), span('F2', 'r1', 10), span('F2', 'r2', 2)];
    const [epoch] = disclosureEpochs({ kind: 'retailer', retailerId: 'r1' }, feeders, contracts, window, 10);
    expect(epoch!.decisions().areas.get(areaKey('feeder', 'F2'))).toBe('TOO_FEW_POINTS');
    const [forOthers] = disclosureEpochs({ kind: 'public' }, feeders, contracts, window, 10);
    expect(forOthers!.decisions().areas.get(areaKey('feeder', 'F2'))).toBeNull();
  });

  it('counts a point known under two consents once', () => {
    const contracts = [span('F1', 'r1', 11), span('F2', 'r1', 40)];
    const known = [1, 1].map(() => ({ pointId: 'p1', placement: 'F1', retailerId: 'r1', fromMs: window.fromMs, toMs: window.toMs }));
    const [epoch] = disclosureEpochs({ kind: 'consent', known }, feeders, contracts, window, 10);
    // 11 - 1 known = 10 unknown: still published; counted twice it would not be.
    expect(epoch!.decisions().areas.get(areaKey('feeder', 'F1'))).toBeNull();
  });
});

describe('quarterStatus', () => {
  const epochs = disclosureEpochs({ kind: 'regulator' }, feeders, [span('F1', 'r1', 20), span('F2', 'r2', 15)], window, 10);

  it('gives a quarter-hour in which exactly the points in force reported', () => {
    expect(quarterStatus(epochs, complete(0, 35), { area: areaKey('network') })).toBeNull();
    expect(quarterStatus(epochs, complete(0, 35), { retailerId: 'r1' })).toBeNull();
  });

  it('withholds a quarter-hour with a missing reading, or with a reading of a point without a contract', () => {
    expect(quarterStatus(epochs, complete(0, 34), { area: areaKey('network') })).toBe('INCOMPLETE');
    expect(quarterStatus(epochs, { startMs: 0, networkReadings: 36, contractedReadings: 35 }, { area: areaKey('network') })).toBe('INCOMPLETE');
    expect(quarterStatus(epochs, complete(5 * HOUR, 35), { area: areaKey('network') })).toBe('INCOMPLETE');
  });

  it('withholds an area or retailer that holds none of the points in force', () => {
    expect(quarterStatus(epochs, complete(0, 35), { area: areaKey('feeder', 'F9') })).toBe('TOO_FEW_POINTS');
    expect(quarterStatus(epochs, complete(0, 35), { retailerId: 'r9' })).toBe('TOO_FEW_POINTS');
  });
});

describe('bucketDecisions', () => {
  const QUARTER = HOUR / 4;
  const contracts = [span('F1', 'r1', 20), span('F2', 'r2', 15)];
  const network = { area: areaKey('network') };
  const quartersOf = (fromMs: number, toMs: number, skip: number[] = []) =>
    Array.from({ length: (toMs - fromMs) / QUARTER }, (_, q) => fromMs + q * QUARTER)
      .filter((startMs) => !skip.includes(startMs))
      .map((startMs) => complete(startMs, 35));

  it('gives an hour whose four quarter-hours are complete', () => {
    const epochs = disclosureEpochs({ kind: 'regulator' }, feeders, contracts, window, 10);
    const decisions = bucketDecisions(epochs, quartersOf(0, HOUR), { ...window, toMs: HOUR, resolution: Resolution.PT1H }, network);
    expect([...decisions]).toEqual([[0, null]]);
  });

  it('withholds as INCOMPLETE an hour with a quarter-hour nobody reported, though the three that arrived are complete', () => {
    const epochs = disclosureEpochs({ kind: 'regulator' }, feeders, contracts, window, 10);
    const decisions = bucketDecisions(epochs, quartersOf(0, 2 * HOUR, [HOUR + 2 * QUARTER]), { ...window, toMs: 2 * HOUR, resolution: Resolution.PT1H }, network);
    expect([...decisions]).toEqual([
      [0, null],
      [HOUR, 'INCOMPLETE'],
    ]);
  });

  it('withholds as INCOMPLETE the buckets of the window after the last quarter-hour with readings', () => {
    const epochs = disclosureEpochs({ kind: 'regulator' }, feeders, contracts, window, 10);
    const decisions = bucketDecisions(epochs, quartersOf(0, HOUR), { ...window, resolution: Resolution.PT1H }, network);
    expect([...decisions]).toEqual([
      [0, null],
      [HOUR, 'INCOMPLETE'],
      [2 * HOUR, 'INCOMPLETE'],
      [3 * HOUR, 'INCOMPLETE'],
    ]);
  });

  it('checks only the quarter-hours of a bucket inside the window', () => {
    // A window from 00:30 to 01:30: the hours' other halves are outside it, and not asked for.
    const inner = { fromMs: 2 * QUARTER, toMs: HOUR + 2 * QUARTER, resolution: Resolution.PT1H };
    const epochs = disclosureEpochs({ kind: 'regulator' }, feeders, contracts, inner, 10);
    expect([...bucketDecisions(epochs, quartersOf(inner.fromMs, inner.toMs), inner, network)]).toEqual([
      [0, null],
      [HOUR, null],
    ]);
  });

  describe('for a Lisbon day (P1D)', () => {
    // 25 October 2026, the autumn day: 25 hours, from 23:00 UTC the day before (summer time) to 00:00 UTC.
    const dayFrom = Date.parse('2026-10-24T23:00:00Z');
    const dayTo = Date.parse('2026-10-26T00:00:00Z');
    const day = { fromMs: dayFrom, toMs: dayTo, resolution: Resolution.P1D };
    const dayContracts = [span('F1', 'r1', 20, dayFrom, dayTo), span('F2', 'r2', 15, dayFrom, dayTo)];
    const epochs = disclosureEpochs({ kind: 'regulator' }, feeders, dayContracts, day, 10);

    it('gives the day when all of its 100 quarter-hours are complete', () => {
      expect(quartersOf(dayFrom, dayTo)).toHaveLength(100);
      expect([...bucketDecisions(epochs, quartersOf(dayFrom, dayTo), day, network)]).toEqual([[dayFrom, null]]);
    });

    it('withholds as INCOMPLETE a day with one quarter-hour nobody reported, the repeated hour included', () => {
      const withoutOne = quartersOf(dayFrom, dayTo, [dayFrom + 40 * QUARTER]);
      expect(bucketDecisions(epochs, withoutOne, day, network).get(dayFrom)).toBe('INCOMPLETE');
      // 96 quarter-hours, as many as an ordinary day holds: the 25th hour is still missing.
      const ordinaryDayOnly = quartersOf(dayFrom, dayFrom + 96 * QUARTER);
      expect(bucketDecisions(epochs, ordinaryDayOnly, day, network).get(dayFrom)).toBe('INCOMPLETE');
      expect(bucketDecisions(epochs, ordinaryDayOnly, day, { retailerId: 'r1' }).get(dayFrom)).toBe('INCOMPLETE');
    });
  });

  it('checks the 351,360 quarter-hours of ten years of days in well under a second', () => {
    const fromMs = Date.parse('2015-12-31T00:00:00Z');
    const toMs = fromMs + 3_660 * 24 * HOUR;
    const long = { fromMs, toMs, resolution: Resolution.P1D };
    const epochs = disclosureEpochs({ kind: 'regulator' }, feeders, [span('F1', 'r1', 20, fromMs, toMs), span('F2', 'r2', 15, fromMs, toMs)], long, 10);
    const quarters = quartersOf(fromMs, toMs);
    const started = performance.now();
    const decisions = bucketDecisions(epochs, quarters, long, network);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(decisions.size).toBe(3_660);
    expect([...decisions.values()].every((reason) => reason === null)).toBe(true);
  });
});

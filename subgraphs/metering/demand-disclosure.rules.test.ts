import { disclosureEpochs, quarterStatus, type ContractSpan } from './demand-disclosure.rules';
import { areaKey, type AreaTreeFeeder } from './disclosure.rules';

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

import type { LvNetwork } from './lv-network';
import { CompiledFeeder } from './power-flow.rules';
import { EN_50160_LIMITS, INTERVAL_MS, MAX_RUN_SUBSTATION_INTERVALS, runRequestProblem, runSubstation } from './power-flow-run.rules';

/**
 * A stiff source behind an ideal transformer (E = 230.94 V line-to-neutral: 400 V, 1 pu) and one
 * resistive segment of R = 0.1 Ω (R0 = R1, so no coupling between phases) to a single-phase
 * unity-power-factor load on phase A. With constant power P the load's voltage solves
 * V² − E·V + R·P = 0, and the current is P / V.
 */
const E = 400 / Math.sqrt(3);
const R = 0.1;

function oneSegment(ampacityA: number | null): LvNetwork {
  return {
    name: 'one-segment',
    source: { voltageKv: 10, voltagePu: 1, isc3A: 1e12, isc1A: 1e12, x1r1: 4, x0r0: 3 },
    transformer: { ratedKva: 100, primaryKv: 10, secondaryKv: 0.4, connection: 'Dyn', resistancePercent: 0, reactancePercent: 0 },
    rootBus: 'lv',
    buses: [
      { name: 'lv', x: null, y: null },
      { name: 'end', x: null, y: null },
    ],
    lineCodes: [{ name: 'r', r1OhmPerKm: 1, x1OhmPerKm: 0, r0OhmPerKm: 1, x0OhmPerKm: 0, ampacityA }],
    lines: [{ name: 'seg', fromBus: 'lv', toBus: 'end', lengthM: 100, lineCode: 'r', feederId: 'F1' }],
    loads: [{ name: 'mp-1', bus: 'end', phase: 'A', kv: 0.23, powerFactor: 1, shape: null, meteringPointId: 'mp-1', share: 1 }],
    shapes: new Map(),
  };
}

const loadVoltage = (powerW: number) => (E + Math.sqrt(E * E - 4 * R * powerW)) / 2;

describe('a run over intervals', () => {
  it('keeps the extremes over every interval and bus, in pu of 230 V', () => {
    const run = runSubstation(new CompiledFeeder(oneSegment(null)), Float64Array.from([2, 10, 0]), 3);
    expect(run.intervals).toBe(3);
    expect(run.minVoltagePu[0]).toBeCloseTo(loadVoltage(10_000) / 230, 9);
    expect(run.maxVoltagePu[0]).toBeCloseTo(E / 230, 9);
    expect(run.busMinV[3 * 1]).toBeCloseTo(loadVoltage(10_000), 6);
    // Losses R·I² per interval, a quarter of an hour each.
    const lossKwh = [2_000, 10_000].reduce((sum, p) => sum + (R * (p / loadVoltage(p)) ** 2) / 1000 / 4, 0);
    // The solver stops within 1 µV, which leaves losses exact to about 1e-8 kWh.
    expect(run.lossesKwh).toBeCloseTo(lossKwh, 7);
    expect(run.maxLineLoadingPercent).toBe(0);
    expect(run.violations).toEqual([]);
  });

  it('merges consecutive overloaded intervals into one violation at its worst value', () => {
    const ampacity = 40;
    const powers = [5, 12, 15, 12, 5];
    const run = runSubstation(new CompiledFeeder(oneSegment(ampacity)), Float64Array.from(powers), powers.length);
    const overloads = run.violations.filter((v) => v.kind === 'LINE_OVERLOAD');
    expect(overloads).toHaveLength(1);
    expect(overloads[0]).toMatchObject({ feederId: 'F1', assetKind: 'LINE_SEGMENT', assetName: 'seg', firstInterval: 1, endInterval: 4, limit: 100 });
    expect(overloads[0]!.value).toBeCloseTo((100 * 15_000) / loadVoltage(15_000) / ampacity, 6);
  });

  it('needs the reduction that brings the current down to the ampacity, worked by hand', () => {
    const ampacity = 40;
    // At the limit the load takes P = V·I with V = E − R·I.
    const maxPowerKw = ((E - R * ampacity) * ampacity) / 1000;
    const run = runSubstation(new CompiledFeeder(oneSegment(ampacity)), Float64Array.from([5, 12, 15]), 3);
    expect(run.needs).toHaveLength(1);
    expect(run.needs[0]!.congestionPoint).toEqual({ kind: 'FEEDER', feederId: 'F1' });
    const [second, third] = run.needs[0]!.intervals;
    expect(second!.interval).toBe(1);
    expect(third!.interval).toBe(2);
    for (const [interval, power] of [[second!, 12], [third!, 15]] as const) {
      expect(interval.reductionKw).toBeGreaterThanOrEqual(power - maxPowerKw - 1e-9);
      expect(interval.reductionKw).toBeLessThanOrEqual(power - maxPowerKw + 0.06);
    }
  });

  it('finds undervoltage below 207 V and the reduction that lifts the voltage back to it', () => {
    // V = 207 V at the load: P = (E − V)·V / R.
    const maxPowerKw = ((E - 207) * 207) / R / 1000;
    const network = oneSegment(null);
    network.transformer.ratedKva = 10_000;
    const run = runSubstation(new CompiledFeeder(network), Float64Array.from([maxPowerKw + 5]), 1);
    const undervoltage = run.violations.find((v) => v.kind === 'UNDERVOLTAGE');
    expect(undervoltage).toMatchObject({ assetKind: 'BUS', assetName: 'end', limit: EN_50160_LIMITS.minVoltageV });
    expect(undervoltage!.value).toBeCloseTo(loadVoltage((maxPowerKw + 5) * 1000), 6);
    expect(run.needs).toHaveLength(1);
    expect(run.needs[0]!.intervals[0]!.reductionKw).toBeGreaterThanOrEqual(5 - 1e-9);
    expect(run.needs[0]!.intervals[0]!.reductionKw).toBeLessThanOrEqual(5.06);
  });

  it('finds voltage unbalance from a single-phase load but needs no flexibility for it', () => {
    const network = oneSegment(null);
    network.transformer.ratedKva = 10_000;
    const run = runSubstation(new CompiledFeeder(network), Float64Array.from([30]), 1);
    expect(run.violations.map((v) => v.kind)).toEqual(['PHASE_UNBALANCE']);
    // Only phase A drops, in phase with it (resistive line, unity power factor): V1 = E − ΔV/3 and
    // |V2| = ΔV/3, so V2/V1 = ΔV / (3E − ΔV).
    const drop = E - loadVoltage(30_000);
    expect(run.violations[0]!.value).toBeCloseTo((100 * drop) / (3 * E - drop), 6);
    expect(run.needs).toEqual([]);
  });

  it('finds a transformer overload and needs it at the secondary substation', () => {
    const network = oneSegment(null);
    network.transformer.ratedKva = 10;
    // Rated current 10 kVA / (√3 · 400 V) = 14.43 A; 5 kW on one phase draws about 21.7 A.
    const run = runSubstation(new CompiledFeeder(network), Float64Array.from([5]), 1);
    const overload = run.violations.find((v) => v.kind === 'TRANSFORMER_OVERLOAD');
    expect(overload).toMatchObject({ feederId: null, assetKind: 'TRANSFORMER' });
    expect(overload!.value).toBeCloseTo((100 * (5000 / loadVoltage(5000))) / (10_000 / (Math.sqrt(3) * 400)), 6);
    const need = run.needs.find((n) => n.congestionPoint.kind === 'SECONDARY_SUBSTATION');
    // The limit is met at I = 14.43 A: P = (E − R·I)·I.
    const rated = 10_000 / (Math.sqrt(3) * 400);
    const maxPowerKw = ((E - R * rated) * rated) / 1000;
    expect(need!.intervals[0]!.reductionKw).toBeGreaterThanOrEqual(5 - maxPowerKw - 1e-9);
    expect(need!.intervals[0]!.reductionKw).toBeLessThanOrEqual(5 - maxPowerKw + 0.06);
  });

  it("asks the substation, not a feeder, for a drop its own loads cannot cure, and each need cures what it is for", () => {
    // Two short feeders behind a transformer of high resistance: F2's 170 kW on phase A pulls the
    // LV board below 207 V, so F1's 1 kW household is under the limit whatever F1 sheds.
    const network = oneSegment(null);
    network.transformer.ratedKva = 1_000;
    network.transformer.resistancePercent = 20;
    network.buses.push({ name: 'end2', x: null, y: null });
    network.lines.push({ name: 'seg2', fromBus: 'lv', toBus: 'end2', lengthM: 1, lineCode: 'r', feederId: 'F2' });
    network.lines[0]!.lengthM = 1;
    network.loads.push({ name: 'mp-2', bus: 'end2', phase: 'A', kv: 0.23, powerFactor: 1, shape: null, meteringPointId: 'mp-2', share: 1 });
    const feeder = new CompiledFeeder(network);
    const loads = Float64Array.from([1, 170]);
    const run = runSubstation(feeder, loads, 1);
    expect(run.violations.filter((v) => v.kind === 'UNDERVOLTAGE').map((v) => v.feederId).sort()).toEqual(['F1', 'F2']);
    const byPoint = new Map(run.needs.map((need) => [need.congestionPoint.kind === 'FEEDER' ? need.congestionPoint.feederId : 'substation', need.intervals[0]!.reductionKw]));
    expect([...byPoint.keys()].sort()).toEqual(['F2', 'substation']);
    const undervoltageAfter = (reduced: Float64Array) => runSubstation(feeder, reduced, 1).violations.filter((v) => v.kind === 'UNDERVOLTAGE').map((v) => v.feederId);
    // F2's need cures F2; the substation's, shed uniformly over every load, cures F1.
    expect(undervoltageAfter(Float64Array.from([1, 170 - byPoint.get('F2')!]))).not.toContain('F2');
    const kept = 1 - byPoint.get('substation')! / 171;
    expect(undervoltageAfter(Float64Array.from([1 * kept, 170 * kept]))).not.toContain('F1');
  });

  it('does not ask export to be reduced: generation is left as it is', () => {
    const run = runSubstation(new CompiledFeeder(oneSegment(10)), Float64Array.from([-5]), 1);
    expect(run.violations.map((v) => v.kind)).toContain('LINE_OVERLOAD');
    expect(run.needs).toEqual([]);
  });
});

describe('a run request', () => {
  const day = Date.UTC(2026, 11, 2);
  it('accepts a day of quarter-hours', () => {
    expect(runRequestProblem({ secondarySubstationIds: ['SS1'], fromMs: day, toMs: day + 96 * INTERVAL_MS })).toBeNull();
  });

  it.each([
    [{ secondarySubstationIds: [], fromMs: day, toMs: day + INTERVAL_MS }, 'secondarySubstationIds', /at least one/],
    [{ secondarySubstationIds: ['SS1'], fromMs: day + 60_000, toMs: day + INTERVAL_MS }, 'from', /quarter-hour/],
    [{ secondarySubstationIds: ['SS1'], fromMs: day, toMs: day }, 'to', /after from/],
    [{ secondarySubstationIds: ['SS1'], fromMs: day, toMs: day + 8 * 86_400_000 }, 'to', /7 days/],
    [{ secondarySubstationIds: Array.from({ length: 300 }, (_, i) => `SS${i}`), fromMs: day, toMs: day + 7 * 86_400_000 }, 'to', new RegExp(`${MAX_RUN_SUBSTATION_INTERVALS}`)],
  ])('refuses %#, naming the field', (request, field, message) => {
    const problem = runRequestProblem(request);
    expect(problem?.field).toBe(field);
    expect(problem?.problem).toMatch(message);
  });
});

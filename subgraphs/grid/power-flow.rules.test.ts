import fc from 'fast-check';
import type { LineCode, Load, LvNetwork, MvSource, Phase, Transformer } from './lv-network';
import { CompiledFeeder, PowerFlowDivergedError, PowerFlowSolver } from './power-flow.rules';

/**
 * Feeders small enough to solve by hand. Unless a case says otherwise the source is stiff (ISC3 of
 * 1e12 A: about 7e-11 Ω on the LV side) and the transformer ideal (%R = %X = 0), so the LV
 * terminals sit at the open-circuit voltage E = 1 pu · 400 V / √3 = 230.9401 V line to neutral.
 */

const SQRT3 = Math.sqrt(3);
const E = 400 / SQRT3;
const PHASE_INDEX: Record<Phase, number> = { A: 0, B: 1, C: 2 };

type LineSpec = [fromBus: string, toBus: string, lengthM: number, lineCode: string];
type LoadSpec = [bus: string, phase: Phase, powerFactor: number];

interface FeederSpec {
  lines?: LineSpec[];
  codes?: LineCode[];
  loads?: LoadSpec[];
  source?: Partial<MvSource>;
  transformer?: Partial<Transformer>;
}

/** R1 = R0 = 1 Ω/km, no reactance: 100 m is 0.1 Ω on each phase and no coupling between them. */
const RESISTIVE: LineCode = { name: 'resistive', r1OhmPerKm: 1, x1OhmPerKm: 0, r0OhmPerKm: 1, x0OhmPerKm: 0, ampacityA: 100 };

function network({ lines = [], codes = [RESISTIVE], loads = [], source, transformer }: FeederSpec): LvNetwork {
  const busNames = new Set(['1', ...lines.flatMap(([from, to]) => [from, to])]);
  return {
    name: 'hand',
    source: { voltageKv: 11, voltagePu: 1, isc3A: 1e12, isc1A: 1e12, x1r1: 4, x0r0: 3, ...source },
    transformer: { ratedKva: 100, primaryKv: 11, secondaryKv: 0.4, connection: 'Dyn', resistancePercent: 0, reactancePercent: 0, ...transformer },
    rootBus: '1',
    buses: [...busNames].map((name) => ({ name, x: null, y: null })),
    lineCodes: codes,
    lines: lines.map(([fromBus, toBus, lengthM, lineCode], i) => ({ name: `L${i + 1}`, fromBus, toBus, lengthM, lineCode, feederId: null })),
    loads: loads.map(([bus, phase, powerFactor], i): Load => ({ name: `load${i + 1}`, bus, phase, kv: 0.23, powerFactor, shape: null, meteringPointId: null, share: 1 })),
    shapes: new Map(),
  };
}

function solved(spec: FeederSpec, loadKw: number[]): { solver: PowerFlowSolver; feeder: CompiledFeeder; v: (bus: string, phase: Phase) => number } {
  const feeder = new CompiledFeeder(network(spec));
  const solver = new PowerFlowSolver(feeder);
  solver.solve(loadKw);
  return { solver, feeder, v: (bus, phase) => solver.voltageMagnitudeV(feeder.busIndex.get(bus)!, PHASE_INDEX[phase]) };
}

/**
 * The two-bus answer: a load S = P + jQ behind Z = R + jX from a source E. From E = V + Z·conj(S/V)
 * with V real, |V|⁴ − (E² − 2(RP + XQ))·|V|² + |Z|²·|S|² = 0, whose upper root is the operating point.
 */
function twoBusVoltage(r: number, x: number, pW: number, qVar: number): number {
  const a = E * E - 2 * (r * pW + x * qVar);
  return Math.sqrt((a + Math.sqrt(a * a - 4 * (r * r + x * x) * (pW * pW + qVar * qVar))) / 2);
}

const tanPhi = (powerFactor: number) => Math.tan(Math.acos(powerFactor));

describe('the power flow on feeders worked by hand', () => {
  it('a resistive segment to a unity power factor load: V = (E + √(E² − 4RP)) / 2 on its phase, the others untouched', () => {
    // R = 0.1 Ω, P = 10 kW: V² − E·V + R·P = 0, so V = (230.9401 + √(53,333.33 − 4,000)) / 2 = 226.5256 V,
    // and I = P / V = 44.1451 A, in phase with E_A (a resistive drop turns nothing).
    const { solver, feeder, v } = solved({ lines: [['1', '2', 100, 'resistive']], loads: [['2', 'A', 1]] }, [10]);
    const expected = (E + Math.sqrt(E * E - 4 * 0.1 * 10_000)) / 2;
    expect(expected).toBeCloseTo(226.5256, 4);
    expect(v('2', 'A')).toBeCloseTo(expected, 6);
    expect(solver.voltageAngleDeg(1, 0)).toBeCloseTo(-30, 9);
    expect(v('2', 'B')).toBeCloseTo(E, 6);
    expect(v('2', 'C')).toBeCloseTo(E, 6);
    expect(v('1', 'A')).toBeCloseTo(E, 6);
    const segment = feeder.busIndex.get('2')!;
    expect(solver.currentA(segment, 0)).toBeCloseTo(10_000 / expected, 6);
    // 44.1451 A on a 100 A cable; the transformer's rated current is 100 kVA / (√3 · 400 V) = 144.3376 A.
    expect(solver.segmentLoadingPercent(segment)).toBeCloseTo(10_000 / expected, 5);
    expect(solver.transformerLoadingPercent()).toBeCloseTo((100 * 10_000) / expected / (100_000 / (SQRT3 * 400)), 5);
  });

  it('mutual coupling: with R0 ≠ R1 the loaded phase sees Zs = Z1 + Zm and the unloaded ones a drop of Zm·I', () => {
    // R1 = 0.3, R0 = 1.2 Ω/km over 100 m: Z1 = 0.03 Ω, Z0 = 0.12 Ω, Zm = (Z0 − Z1)/3 = 0.03 Ω, Zs = Z1 + Zm = 0.06 Ω.
    // Phase A: V_A = (E + √(E² − 4·0.06·10,000)) / 2 = 228.3121 V, I = 43.7997 A along E_A's −30°.
    // Phase B: V_B = E∠−150° − Zm·I∠−30° = E∠−150° + d∠150° with d = Zm·I = 1.3140 V, 60° apart:
    // |V_B|² = E² + d² + E·d, so V_B = 231.5999 V: above E. Phase C likewise (E∠90° and d∠150°).
    const coupled: LineCode = { name: 'coupled', r1OhmPerKm: 0.3, x1OhmPerKm: 0, r0OhmPerKm: 1.2, x0OhmPerKm: 0, ampacityA: null };
    const { v } = solved({ codes: [coupled], lines: [['1', '2', 100, 'coupled']], loads: [['2', 'A', 1]] }, [10]);
    const vA = (E + Math.sqrt(E * E - 4 * 0.06 * 10_000)) / 2;
    const d = (0.03 * 10_000) / vA;
    expect(v('2', 'A')).toBeCloseTo(vA, 6);
    expect(v('2', 'B')).toBeCloseTo(Math.sqrt(E * E + d * d + E * d), 6);
    expect(v('2', 'C')).toBeCloseTo(Math.sqrt(E * E + d * d + E * d), 6);
    expect(v('2', 'B')).toBeCloseTo(231.5999, 4);
  });

  it('a balanced load behind the transformer and the source: positive sequence only, the two-bus formula per phase', () => {
    // Transformer 100 kVA, 0.4 kV: base 0.4²/0.1 = 1.6 Ω, so %R = 1, %X = 4 give 0.016 + j0.064 Ω.
    // Source: |Z1| = 11 kV / (√3 · 10 kA) = 0.6351 Ω at MV, · (0.4/11)² = 0.8398 mΩ at LV, X/R = 4:
    // 0.2037 + j0.8147 mΩ. Balanced currents have no zero sequence, so each phase sees Z1 = the sum,
    // 0.016204 + j0.064815 Ω. 20 kW at PF 0.9 per phase (Q = 9.6864 kvar): V = 226.6862 V, I = 98.0308 A.
    const { solver, v } = solved(
      { source: { isc3A: 10_000 }, transformer: { resistancePercent: 1, reactancePercent: 4 }, loads: [['1', 'A', 0.9], ['1', 'B', 0.9], ['1', 'C', 0.9]] },
      [20, 20, 20],
    );
    const sourceOhm = (11_000 / (SQRT3 * 10_000)) * (0.4 / 11) ** 2;
    const r = 0.016 + sourceOhm / Math.sqrt(17);
    const x = 0.064 + (4 * sourceOhm) / Math.sqrt(17);
    const q = 20_000 * tanPhi(0.9);
    const expected = twoBusVoltage(r, x, 20_000, q);
    expect(expected).toBeCloseTo(226.6862, 4);
    for (const phase of ['A', 'B', 'C'] as const) expect(v('1', phase)).toBeCloseTo(expected, 6);
    const current = Math.hypot(20_000, q) / expected;
    // 98.0308 A of 144.3376 A rated: 67.92 %; losses 3 · 0.016 Ω · I² = 0.4613 kW in the transformer.
    expect(solver.transformerLoadingPercent()).toBeCloseTo((100 * current) / (100_000 / (SQRT3 * 400)), 6);
    expect(solver.transformerLossesKw()).toBeCloseTo((3 * 0.016 * current * current) / 1000, 7);
    expect(solver.voltageUnbalancePercent(0)).toBeLessThan(1e-9);
  });

  it('with no load the LV voltages are the open-circuit ones, 30° behind the MV (Dyn1)', () => {
    const { solver, v } = solved({ source: { voltagePu: 1.05, isc3A: 3000 }, transformer: { resistancePercent: 0.4, reactancePercent: 4 }, lines: [['1', '2', 100, 'resistive']], loads: [['2', 'A', 0.95]] }, [0]);
    for (const phase of ['A', 'B', 'C'] as const) expect(v('2', phase)).toBeCloseTo(1.05 * E, 9);
    expect([0, 1, 2].map((phase) => solver.voltageAngleDeg(1, phase))).toEqual([expect.closeTo(-30, 9), expect.closeTo(-150, 9), expect.closeTo(90, 9)]);
    expect(solver.voltageUnbalancePercent(1)).toBeLessThan(1e-9);
  });

  it('a transformer rated for another MV voltage than the network runs at: E = pu · V_MV · (V_LV / V_MV,rated) / √3', () => {
    // A 10.5 kV network at 1.02 pu on an 11/0.4 kV transformer: 1.02 · 10,500 · 0.4/11 / √3 = 224.8517 V, not 1.02 · 400/√3 = 235.5589 V.
    const { v } = solved({ source: { voltageKv: 10.5, voltagePu: 1.02 }, loads: [['1', 'A', 1]] }, [0]);
    expect(v('1', 'A')).toBeCloseTo((1.02 * 10_500 * (0.4 / 11)) / SQRT3, 9);
    expect(v('1', 'A')).toBeCloseTo(224.8517, 4);
  });

  it('a single-phase load: the delta blocks zero sequence, so the source shows 2/3 of its impedance on the loaded phase and −1/3 on the others', () => {
    // A current I on phase A alone is I0 = I1 = I2 = I/3. At the LV terminals Z1 = Z2 = Zsrc (referred),
    // and Z0 = the transformer's (0 here): the MV source's zero sequence, ISC1, cannot pass the delta.
    //   drop A = (Z0 + Z1 + Z2)·I/3 = (2/3)·Zsrc·I
    //   drop B = (Z0 + a²·Z1 + a·Z2)·I/3 = (Z0 − Zsrc)·I/3 = −Zsrc·I/3      (a + a² = −1)
    // Choose ISC3 so that Zsrc = 0.03 Ω on the LV side, purely resistive (X/R = 0):
    // ISC3 = 11 kV / (√3 · 0.03 · (11/0.4)²) = 279.93 A. With 10 kW at unity PF on phase A:
    //   V_A = (E + √(E² − 4 · 0.02 · 10,000)) / 2 = 230.0708 V, I = 43.4649 A along −30°;
    //   V_B = E∠−150° + d∠−30° with d = 0.03 · I / 3 = 0.4346 V, 120° apart: |V_B|² = E² + d² − E·d,
    //   V_B = 230.7231 V (below E), and V_C the same.
    const isc3A = 11_000 / (SQRT3 * 0.03 * (11 / 0.4) ** 2);
    const spec = (isc1A: number): FeederSpec => ({ source: { isc3A, isc1A, x1r1: 0 }, loads: [['1', 'A', 1]] });
    const { v } = solved(spec(5), [10]);
    const vA = (E + Math.sqrt(E * E - 4 * 0.02 * 10_000)) / 2;
    const d = (0.03 * 10_000) / vA / 3;
    expect(v('1', 'A')).toBeCloseTo(vA, 6);
    expect(v('1', 'B')).toBeCloseTo(Math.sqrt(E * E + d * d - E * d), 6);
    expect(v('1', 'C')).toBeCloseTo(Math.sqrt(E * E + d * d - E * d), 6);
    expect(v('1', 'B')).toBeCloseTo(230.7231, 4);
    // The MV zero sequence never shows: ISC1 = 5 A or 1 MA, the same answer.
    expect(solved(spec(1e6), [10]).v('1', 'A')).toBe(v('1', 'A'));
  });

  it('a single-phase load at PF 0.95 behind a source with X/R = 4: the two-bus formula with 2/3 of the source impedance', () => {
    // Zsrc = 0.03 Ω at X/R = 4: R = 0.03/√17 = 7.2761 mΩ, X = 29.1043 mΩ; two thirds: 4.8507 + j19.4029 mΩ.
    // 10 kW at PF 0.95: Q = 3.2868 kvar; V_A = 230.4516 V.
    const isc3A = 11_000 / (SQRT3 * 0.03 * (11 / 0.4) ** 2);
    const { v } = solved({ source: { isc3A }, loads: [['1', 'A', 0.95]] }, [10]);
    const expected = twoBusVoltage(((2 / 3) * 0.03) / Math.sqrt(17), ((2 / 3) * 0.03 * 4) / Math.sqrt(17), 10_000, 10_000 * tanPhi(0.95));
    expect(expected).toBeCloseTo(230.4516, 4);
    expect(v('1', 'A')).toBeCloseTo(expected, 6);
  });

  it('losses are Σ R·|I|² and the substation delivers the loads plus the losses', () => {
    // 1 → 2 (50 m, 0.05 Ω) → 3 (80 m, 0.08 Ω), no coupling, so each phase is its own two-bus case:
    //   phase A, 8 kW at bus 3 behind 0.13 Ω: V = (E + √(E² − 4·0.13·8,000))/2 = 226.3454 V, I = 35.3442 A,
    //     losses 0.13 · I² = 162.398 W;
    //   phase B, 5 kW at bus 2 behind 0.05 Ω: V = 229.8525 V, I = 21.7531 A, losses 0.05 · I² = 23.660 W.
    // Total 186.058 W; the substation gives 8 + 5 + 0.186058 kW, all on A and B.
    const { solver } = solved(
      { lines: [['1', '2', 50, 'resistive'], ['2', '3', 80, 'resistive']], loads: [['3', 'A', 1], ['2', 'B', 1]] },
      [8, 5],
    );
    const iA = 8000 / ((E + Math.sqrt(E * E - 4 * 0.13 * 8000)) / 2);
    const iB = 5000 / ((E + Math.sqrt(E * E - 4 * 0.05 * 5000)) / 2);
    const lossesKw = (0.13 * iA * iA + 0.05 * iB * iB) / 1000;
    expect(lossesKw).toBeCloseTo(0.186058, 6);
    expect(solver.lineLossesKw()).toBeCloseTo(lossesKw, 7);
    const { pKw, qKvar } = solver.substationPower();
    expect(pKw[0]).toBeCloseTo(8 + (0.13 * iA * iA) / 1000, 7);
    expect(pKw[1]).toBeCloseTo(5 + (0.05 * iB * iB) / 1000, 7);
    expect(pKw[2]).toBeCloseTo(0, 9);
    expect(qKvar.map((value) => Math.abs(value))).toEqual([expect.closeTo(0, 9), expect.closeTo(0, 9), expect.closeTo(0, 9)]);
  });

  it('voltage unbalance: one phase down to V gives |V2|/|V1| = (E − V)/(V + 2E)', () => {
    // Va = V∠θ, Vb = E∠θ−120°, Vc = E∠θ+120°: V1 = (Va + a·Vb + a²·Vc)/3 = (V + 2E)/3 ∠θ and
    // V2 = (Va + a²·Vb + a·Vc)/3 = (V − E)/3 ∠θ. With the first case's V = 226.5256 V: 0.6413 %.
    const { solver, feeder } = solved({ lines: [['1', '2', 100, 'resistive']], loads: [['2', 'A', 1]] }, [10]);
    const vA = (E + Math.sqrt(E * E - 4 * 0.1 * 10_000)) / 2;
    expect(solver.voltageUnbalancePercent(feeder.busIndex.get('2')!)).toBeCloseTo((100 * (E - vA)) / (vA + 2 * E), 8);
    expect(solver.voltageUnbalancePercent(feeder.busIndex.get('2')!)).toBeCloseTo(0.6413, 4);
    expect(solver.voltageUnbalancePercent(0)).toBeLessThan(1e-9);
  });
});

describe('the power flow on any radial feeder', () => {
  const coupled: LineCode = { name: 'coupled', r1OhmPerKm: 0.4, x1OhmPerKm: 0.08, r0OhmPerKm: 1.6, x0OhmPerKm: 0.3, ampacityA: 200 };
  const tree: FeederSpec = {
    codes: [coupled],
    source: { voltagePu: 1.05, isc3A: 3000 },
    transformer: { resistancePercent: 0.4, reactancePercent: 4 },
    lines: [
      ['1', '2', 40, 'coupled'],
      ['2', '3', 30, 'coupled'],
      ['2', '4', 25, 'coupled'],
      ['4', '5', 35, 'coupled'],
      ['4', '6', 20, 'coupled'],
      ['1', '7', 60, 'coupled'],
    ],
    loads: [['3', 'A', 0.95], ['5', 'B', 0.95], ['6', 'C', 0.9], ['7', 'A', 0.97], ['5', 'A', 1]],
  };
  const loads = [6, 4, 7, 3, 2];

  it('gives the same answer whatever the orientation and order of the segments', () => {
    const reference = solved(tree, loads);
    const shuffled: FeederSpec = { ...tree, lines: [...tree.lines!].reverse().map(([from, to, length, code], i) => (i % 2 === 0 ? [to, from, length, code] : [from, to, length, code])) };
    const other = solved(shuffled, loads);
    for (const bus of ['1', '2', '3', '4', '5', '6', '7']) {
      for (const phase of ['A', 'B', 'C'] as const) expect(other.v(bus, phase)).toBeCloseTo(reference.v(bus, phase), 9);
      const b = other.feeder.busIndex.get(bus)!;
      const a = reference.feeder.busIndex.get(bus)!;
      for (let k = 0; k < 3; k++) expect(other.solver.currentA(b, k)).toBeCloseTo(reference.solver.currentA(a, k), 9);
    }
    expect(other.solver.substationPower().pKw).toEqual(reference.solver.substationPower().pKw.map((p) => expect.closeTo(p, 9)));
  });

  it('starts from the last solution: the same answer as a cold start, in fewer sweeps', () => {
    const warm = new PowerFlowSolver(new CompiledFeeder(network(tree)));
    const cold = warm.solve(loads).iterations;
    const next = loads.map((kw) => kw * 1.05);
    const warmed = warm.solve(next).iterations;
    const fresh = solved(tree, next);
    expect(warmed).toBeLessThan(cold);
    for (let node = 0; node < warm.vRe.length; node++) {
      expect(Math.hypot(warm.vRe[node] - fresh.solver.vRe[node], warm.vIm[node] - fresh.solver.vIm[node])).toBeLessThan(1e-5);
    }
  });

  it('throws PowerFlowDivergedError on a load the feeder cannot carry, and solves the next one', () => {
    // 200 kW through 0.1 Ω: 4RP = 80,000 > E² = 53,333, so V² − E·V + R·P = 0 has no real root.
    const solver = new PowerFlowSolver(new CompiledFeeder(network({ lines: [['1', '2', 100, 'resistive']], loads: [['2', 'A', 1]] })));
    expect(() => solver.solve([200])).toThrow(PowerFlowDivergedError);
    solver.solve([10]);
    expect(solver.voltageMagnitudeV(1, 0)).toBeCloseTo((E + Math.sqrt(E * E - 4 * 0.1 * 10_000)) / 2, 6);
  });

  it('refuses a load vector of the wrong length', () => {
    const solver = new PowerFlowSolver(new CompiledFeeder(network(tree)));
    expect(() => solver.solve([1, 2])).toThrow('expected 5 load powers, got 2');
  });

  it('refuses segments that do not form one tree from the transformer', () => {
    expect(() => new CompiledFeeder(network({ lines: [['1', '2', 10, 'resistive'], ['3', '4', 10, 'resistive'], ['4', '3', 10, 'resistive']] }))).toThrow('do not form one radial tree');
  });
});

/** A random radial feeder: bus i + 1 hangs from one of buses 1..i, so any tree shape (a chain included) comes up. */
const randomFeeder = (options: { coupled: boolean; balanced: boolean }) =>
  fc
    .record({
      segments: fc.array(
        fc.record({
          parent: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          lengthM: fc.double({ min: 5, max: 30, noNaN: true }),
          r1: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
          x1: fc.double({ min: 0, max: 0.1, noNaN: true }),
          zeroRatio: fc.double({ min: 1, max: 3, noNaN: true }),
        }),
        { minLength: 1, maxLength: 19 },
      ),
      loads: fc.array(
        fc.record({ bus: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), phase: fc.constantFrom<Phase>('A', 'B', 'C'), kw: fc.double({ min: 0, max: 2, noNaN: true }), powerFactor: fc.double({ min: 0.9, max: 1, noNaN: true }) }),
        { minLength: 1, maxLength: 10 },
      ),
      isc3A: fc.double({ min: 1000, max: 20_000, noNaN: true }),
      resistancePercent: fc.double({ min: 0, max: 2, noNaN: true }),
      reactancePercent: fc.double({ min: 0, max: 6, noNaN: true }),
    })
    .map(({ segments, loads, isc3A, resistancePercent, reactancePercent }) => {
      const codes = segments.map(({ r1, x1, zeroRatio }, i): LineCode => {
        const ratio = options.coupled ? zeroRatio : 1;
        return { name: `c${i}`, r1OhmPerKm: r1, x1OhmPerKm: x1, r0OhmPerKm: r1 * ratio, x0OhmPerKm: x1 * ratio, ampacityA: null };
      });
      const lines = segments.map(({ parent, lengthM }, i): LineSpec => [`${1 + Math.floor(parent * (i + 1))}`, `${i + 2}`, lengthM, `c${i}`]);
      const busOf = (fraction: number) => `${1 + Math.floor(fraction * (segments.length + 1))}`;
      const loadSpecs = loads.flatMap(({ bus, phase, powerFactor }): LoadSpec[] =>
        options.balanced ? (['A', 'B', 'C'] as const).map((each): LoadSpec => [busOf(bus), each, powerFactor]) : [[busOf(bus), phase, powerFactor]],
      );
      const loadKw = loads.flatMap(({ kw }) => (options.balanced ? [kw, kw, kw] : [kw]));
      return { spec: { codes, lines, loads: loadSpecs, source: { voltagePu: 1.05, isc3A }, transformer: { ratedKva: 250, resistancePercent, reactancePercent } } satisfies FeederSpec, loadKw };
    });

describe('power-flow properties on random radial feeders', () => {
  it('conserves power: the substation gives the loads plus R1·Σ|I_k|² + Rm·|ΣI|² of every segment', () => {
    fc.assert(
      fc.property(randomFeeder({ coupled: true, balanced: false }), ({ spec, loadKw }) => {
        const { solver, feeder } = solved(spec, loadKw);
        const codes = new Map(spec.codes.map((code) => [code.name, code]));
        const lineByName = new Map(feeder.network.lines.map((line) => [line.name, line]));
        let lossesW = 0;
        for (let b = 1; b < feeder.busCount; b++) {
          const line = lineByName.get(feeder.segmentNames[b])!;
          const code = codes.get(line.lineCode)!;
          const km = line.lengthM / 1000;
          let sumRe = 0;
          let sumIm = 0;
          for (let k = 0; k < 3; k++) {
            const re = solver.iRe[3 * b + k];
            const im = solver.iIm[3 * b + k];
            lossesW += code.r1OhmPerKm * km * (re * re + im * im);
            sumRe += re;
            sumIm += im;
          }
          lossesW += ((code.r0OhmPerKm - code.r1OhmPerKm) / 3) * km * (sumRe * sumRe + sumIm * sumIm);
        }
        const { pKw } = solver.substationPower();
        const loadsKw = loadKw.reduce((sum, kw) => sum + kw, 0);
        expect(pKw[0] + pKw[1] + pKw[2]).toBeCloseTo(loadsKw + lossesW / 1000, 6);
        expect(solver.lineLossesKw()).toBeCloseTo(lossesW / 1000, 6);
      }),
    );
  });

  // Along a segment |V_parent|² = |V_child|² + 2(R·P + X·Q) + |Z·I|² per phase when the phases are
  // decoupled, and P, Q ≥ 0 downstream when every load consumes: the voltage can only fall. With
  // mutual coupling an unbalanced load lifts the other phases (the Zm case above), so the property
  // holds for uncoupled cables, or for balanced loads on coupled ones (no zero-sequence current).
  it.each([
    { coupled: false, balanced: false },
    { coupled: true, balanced: true },
  ])('voltages fall along every path when all loads consume (%o)', (options) => {
    fc.assert(
      fc.property(randomFeeder(options), ({ spec, loadKw }) => {
        const { solver, feeder } = solved(spec, loadKw);
        for (let b = 1; b < feeder.busCount; b++) {
          for (let k = 0; k < 3; k++) expect(solver.voltageMagnitudeV(b, k)).toBeLessThanOrEqual(solver.voltageMagnitudeV(feeder.parent[b], k) + 1e-9);
        }
      }),
    );
  });
});

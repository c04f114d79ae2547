import type { LineCode } from '../../subgraphs/grid/lv-network';
import { assembleLvNetwork } from '../../subgraphs/grid/network-model.rules';
import { CompiledFeeder, PowerFlowSolver } from '../../subgraphs/grid/power-flow.rules';
import { CABLES } from './equipment';
import { createCurveGenerator, type CurvePoint } from './load-curves';
import { CONGESTED_FEEDER_ID, CONGESTED_SECONDARY_SUBSTATION_ID, generateParish, type Parish } from './parish';

const DEMO_CUSTOMERS = 14_000;

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

/** Each substation's network as the power flow reads it, straight from the parish's rows. */
function networksOf(parish: Parish) {
  const codes = new Map<string, LineCode>(parish.lineCodes.map((code) => [code.name, code]));
  const buses = groupBy(parish.buses, (bus) => bus.secondarySubstationId);
  const segments = groupBy(parish.lineSegments, (segment) => segment.secondarySubstationId);
  const substationOfFeeder = new Map(parish.feeders.map((f) => [f.id, f.secondarySubstationId]));
  const connections = groupBy(parish.connections, (c) => substationOfFeeder.get(c.feederId)!);
  return parish.secondarySubstations.map((substation) =>
    assembleLvNetwork({ substation, buses: buses.get(substation.id) ?? [], segments: segments.get(substation.id) ?? [], lineCodes: codes, connections: connections.get(substation.id) ?? [] }),
  );
}

describe('the demo parish network model', () => {
  let demo: Parish;

  beforeAll(() => {
    demo = generateParish({ customers: DEMO_CUSTOMERS });
  });

  it('gives every secondary substation a 10/0.4 kV Dyn transformer of 4 % impedance and a plausible MV source', () => {
    for (const s of demo.secondarySubstations) {
      expect(s).toMatchObject({ transformerPrimaryKv: 10, transformerSecondaryKv: 0.4, transformerConnection: 'Dyn', sourceVoltageKv: 10, sourceIsc1A: 1_000, lvBusId: `${s.id}-LV` });
      expect(Math.hypot(s.transformerResistancePercent!, s.transformerReactancePercent!)).toBeCloseTo(4, 3);
      // EN 50464-1 load losses: 3,250 W of 250 kVA is 1.3 %, 6,500 W of 630 kVA 1.03 %.
      expect(s.transformerResistancePercent).toBe({ 250: 1.3, 400: 1.15, 630: 1.0317 }[s.ratedPowerKva]);
      expect(s.sourceVoltagePu).toBeGreaterThanOrEqual(1.01);
      expect(s.sourceVoltagePu).toBeLessThanOrEqual(1.03);
      expect(s.sourceIsc3A).toBeGreaterThanOrEqual(6_000);
      expect(s.sourceIsc3A).toBeLessThanOrEqual(14_000);
    }
  });

  it('makes every feeder of a substation one radial tree from its LV board: every bus reached exactly once', () => {
    const segments = groupBy(demo.lineSegments, (segment) => segment.secondarySubstationId);
    const buses = groupBy(demo.buses, (bus) => bus.secondarySubstationId);
    for (const s of demo.secondarySubstations) {
      const own = segments.get(s.id) ?? [];
      const children = groupBy(own, (segment) => segment.fromBusId);
      const reached = new Map<string, number>([[s.lvBusId!, 1]]);
      const queue = [s.lvBusId!];
      while (queue.length > 0) {
        for (const segment of children.get(queue.shift()!) ?? []) {
          reached.set(segment.toBusId, (reached.get(segment.toBusId) ?? 0) + 1);
          queue.push(segment.toBusId);
        }
      }
      const ids = (buses.get(s.id) ?? []).map((bus) => bus.id);
      expect([...reached.keys()].sort()).toEqual([...ids].sort());
      expect([...reached.values()].every((times) => times === 1)).toBe(true);
      expect(own).toHaveLength(ids.length - 1);
    }
  });

  it("connects every metering point at a bus of its own feeder, keeping the feeder's phase rotation", () => {
    const feederOfBus = new Map(demo.lineSegments.map((segment) => [segment.toBusId, segment.feederId]));
    expect(demo.connections.filter((c) => c.busId === null || feederOfBus.get(c.busId) !== c.feederId)).toEqual([]);
  });

  it('lays segments of 15-120 m, feeders of 40-600 m, in the catalogue cables', () => {
    const catalogue = new Set(CABLES.map((cable) => cable.name));
    expect(new Set(demo.lineCodes.map((code) => code.name))).toEqual(catalogue);
    for (const segment of demo.lineSegments) {
      expect(segment.lengthM).toBeGreaterThanOrEqual(15);
      expect(segment.lengthM).toBeLessThanOrEqual(120);
      expect(catalogue.has(segment.lineCode)).toBe(true);
    }
    // The farthest bus of each feeder from the board, along the cable.
    const segmentTo = new Map(demo.lineSegments.map((segment) => [segment.toBusId, segment]));
    const reach = new Map<string, number>();
    for (const segment of demo.lineSegments) {
      let metres = 0;
      for (let at = segmentTo.get(segment.toBusId); at; at = segmentTo.get(at.fromBusId)) metres += at.lengthM;
      reach.set(segment.feederId, Math.max(reach.get(segment.feederId) ?? 0, metres));
    }
    expect(reach.size).toBe(demo.feeders.length);
    for (const metres of reach.values()) {
      expect(metres).toBeGreaterThanOrEqual(40);
      expect(metres).toBeLessThanOrEqual(600);
    }
  });

  it('gives its line codes the impedances and ratings of real LV cables, with their source', () => {
    for (const code of demo.lineCodes) {
      // Aluminium 50-185 mm² at 20 °C: 0.164-0.641 Ω/km; a sector cable or twisted bundle 0.07-0.1 Ω/km.
      expect(code.r1OhmPerKm).toBeGreaterThanOrEqual(0.164);
      expect(code.r1OhmPerKm).toBeLessThanOrEqual(0.641);
      expect(code.x1OhmPerKm).toBeGreaterThanOrEqual(0.07);
      expect(code.x1OhmPerKm).toBeLessThanOrEqual(0.1);
      expect(code.r0OhmPerKm).toBeGreaterThan(3 * code.r1OhmPerKm);
      expect(code.x0OhmPerKm).toBeGreaterThan(code.x1OhmPerKm);
      expect(code.ampacityA).toBeGreaterThanOrEqual(150);
      expect(code.ampacityA).toBeLessThanOrEqual(355);
      expect(code.source).toMatch(/IEC 60228.*Solidal/);
    }
    // LSVAV 4x50: R0 = 0.641 + 3 × 0.641 (a full neutral); 150 A buried (Solidal table 6A2).
    expect(demo.lineCodes.find((code) => code.name === 'LSVAV 4x50')).toMatchObject({ r0OhmPerKm: 2.564, ampacityA: 150 });
  });

  it('congests the feeder it names: twelve 7.4 kW home chargers on the thin far end of one feeder', () => {
    expect(demo.congestion).toMatchObject({ feederId: CONGESTED_FEEDER_ID, secondarySubstationId: CONGESTED_SECONDARY_SUBSTATION_ID });
    const chargers = demo.congestion!.homeChargers;
    expect(chargers).toHaveLength(12);
    const connections = new Map(demo.connections.map((c) => [c.meteringPointId, c]));
    const segmentTo = new Map(demo.lineSegments.map((segment) => [segment.toBusId, segment]));
    const points = new Map(demo.meteringPoints.map((p) => [p.id, p]));
    const phases = new Map<string, number>();
    for (const { meteringPointId, charger } of chargers) {
      const connection = connections.get(meteringPointId)!;
      expect(connection.feederId).toBe(CONGESTED_FEEDER_ID);
      phases.set(connection.phase, (phases.get(connection.phase) ?? 0) + 1);
      expect(segmentTo.get(connection.busId!)?.lineCode).toBe('LSVAV 4x50');
      expect(charger.powerKw).toBe(7.4);
      expect(charger.startMinute).toBeGreaterThanOrEqual(19 * 60);
      expect(charger.startMinute + charger.durationMinutes).toBeLessThanOrEqual(23 * 60 + 45);
      // The wallbox came with a contract of 10.35 kVA or more and raised the yearly consumption: class B.
      expect(points.get(meteringPointId)?.contractedPowerKva).toBeGreaterThanOrEqual(10.35);
      expect(points.get(meteringPointId)?.customerClass).toBe('BTN_B');
    }
    // Four on each phase: 4 × 7.4 kW / (230 V × 0.95) = 135 A a phase at nominal voltage on a
    // 150 A cable before the houses, and more as the voltage sags (constant power).
    expect(Object.fromEntries(phases)).toEqual({ A: 4, B: 4, C: 4 });
  });

  it('overloads the congested feeder and pulls it below 0.9 pu on a winter evening, and no other feeder or transformer', () => {
    const curves = createCurveGenerator(
      demo.meteringPoints.map((p): CurvePoint => ({ ...(p as CurvePoint), homeCharger: demo.homeChargers.get(p.id) })),
      20_151_016,
    );
    const pointIndex = new Map(demo.meteringPoints.map((p, i) => [p.id, i]));
    // A Wednesday and a Sunday in January, 20:30 and 21:30 Lisbon (UTC in winter).
    const intervals = [Date.UTC(2026, 0, 14, 20, 30), Date.UTC(2026, 0, 14, 21, 30), Date.UTC(2026, 0, 18, 20, 30), Date.UTC(2026, 0, 18, 21, 30)];
    const worst = new Map<string, { loadingPercent: number; minPu: number }>();
    let transformerPercent = 0;
    for (const network of networksOf(demo)) {
      const feeder = new CompiledFeeder(network);
      const solver = new PowerFlowSolver(feeder);
      for (const t of intervals) {
        solver.solve(
          network.loads.map((load) => {
            const reading = curves.reading(pointIndex.get(load.meteringPointId!)!, t);
            return ((reading.importWh - reading.exportWh) * 4 * load.share) / 1000;
          }),
        );
        transformerPercent = Math.max(transformerPercent, solver.transformerLoadingPercent());
        for (let bus = 1; bus < feeder.busCount; bus++) {
          const id = feeder.segmentFeederIds[bus]!;
          const entry = worst.get(id) ?? { loadingPercent: 0, minPu: Infinity };
          entry.loadingPercent = Math.max(entry.loadingPercent, solver.segmentLoadingPercent(bus));
          for (let phase = 0; phase < 3; phase++) entry.minPu = Math.min(entry.minPu, solver.voltageMagnitudeV(bus, phase) / feeder.baseVoltageV);
          worst.set(id, entry);
        }
      }
    }
    const congested = worst.get(CONGESTED_FEEDER_ID)!;
    expect(congested.loadingPercent).toBeGreaterThan(110);
    expect(congested.loadingPercent).toBeLessThan(130);
    expect(congested.minPu).toBeLessThan(0.9);
    expect(congested.minPu).toBeGreaterThan(0.84);
    worst.delete(CONGESTED_FEEDER_ID);
    expect(Math.max(...[...worst.values()].map((w) => w.loadingPercent))).toBeLessThan(80);
    expect(Math.min(...[...worst.values()].map((w) => w.minPu))).toBeGreaterThan(0.93);
    expect(transformerPercent).toBeLessThan(80);
  });
});

describe('a small parish', () => {
  it('is congested too when it has a feeder of enough households, as the test hubs have', () => {
    const parish = generateParish({ customers: 300 });
    expect(parish.congestion?.homeChargers).toHaveLength(12);
    expect(parish.buses.length).toBeGreaterThan(parish.feeders.length);
  });

  it('has no congested feeder when no feeder has enough households, and a model all the same', () => {
    const tiny = generateParish({ customers: 20 });
    expect(tiny.congestion).toBeNull();
    expect(tiny.secondarySubstations.every((s) => s.lvBusId !== null)).toBe(true);
    expect(tiny.connections.every((c) => c.busId !== null)).toBe(true);
  });
});

import { existsSync } from 'node:fs';
import path from 'node:path';
import { QUARTER_MS, QUARTERS_PER_DAY } from '../../subgraphs/kit/calendar';
import { readIeeeFeeder } from '../../subgraphs/grid/ieee-feeder.csv';
import type { LvNetwork } from '../../subgraphs/grid/lv-network';
import { loadLvNetworks } from '../../subgraphs/grid/network-model.repo';
import { CompiledFeeder, PowerFlowSolver, shapeLoadsKw } from '../../subgraphs/grid/power-flow.rules';
import { resolveSharedDataDir, SHARED_DATA_DIR_ENV } from '../profiles/shared-data';
import { createCurveGenerator, type CurvePoint, type IntervalReading } from '../seed/load-curves';
import { generateParish } from '../seed/parish';
import { writeParish } from '../seed/write';
import { IEEE_FEEDER_FOLDER } from '../validate/ieee-power-flow.check';
import { openBenchDatabase } from './bench-database';
import type { Scenario } from './scenario';
import { percentile, round } from './stats';

const MINUTES_PER_DAY = 1440;
const SNAPSHOT_RUNS = 200;
const SNAPSHOT_BATCH = 10;
const DAY_RUNS = 5;
/** The parish's day: a winter Wednesday, evening peak and little sun (Lisbon is on UTC in January). */
const PARISH_DAY_START_MS = Date.UTC(2026, 0, 14);
const PARISH_RUNS = 3;

/** Median over `runs` samples of the mean time of `batch` calls of `work` (ms), after as many untimed calls. */
function medianMs(work: () => void, { runs, batch }: { runs: number; batch: number }): number {
  for (let i = 0; i < runs * batch; i++) work();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const startedMs = performance.now();
    for (let i = 0; i < batch; i++) work();
    samples.push((performance.now() - startedMs) / batch);
  }
  return percentile(samples, 50);
}

/**
 * The floor: one plain backward/forward pass over the feeder's own typed arrays (currents summed
 * into the parent, one complex drop subtracted per node), without load currents, mutual coupling
 * or a convergence test. A solve cannot cost less than its iterations times this.
 */
function bareSweepMs(feeder: CompiledFeeder): number {
  const { parent, z1Re, z1Im, busCount } = feeder;
  const nodes = 3 * busCount;
  const vRe = new Float64Array(nodes).fill(230);
  const vIm = new Float64Array(nodes);
  const iRe = new Float64Array(nodes);
  const iIm = new Float64Array(nodes);
  const injected = Float64Array.from({ length: nodes }, (_, node) => (node % 7) * 0.1);
  // Written out per phase as the solver's loops are: a floor must not pay for loop overhead the solver avoids.
  const sweep = () => {
    iRe.set(injected);
    iIm.set(injected);
    for (let b = busCount - 1; b > 0; b--) {
      const own = 3 * b;
      const up = 3 * parent[b];
      iRe[up] += iRe[own];
      iIm[up] += iIm[own];
      iRe[up + 1] += iRe[own + 1];
      iIm[up + 1] += iIm[own + 1];
      iRe[up + 2] += iRe[own + 2];
      iIm[up + 2] += iIm[own + 2];
    }
    for (let b = 1; b < busCount; b++) {
      const own = 3 * b;
      const up = 3 * parent[b];
      const zr = z1Re[b];
      const zi = z1Im[b];
      vRe[own] = vRe[up] - (zr * iRe[own] - zi * iIm[own]);
      vIm[own] = vIm[up] - (zr * iIm[own] + zi * iRe[own]);
      vRe[own + 1] = vRe[up + 1] - (zr * iRe[own + 1] - zi * iIm[own + 1]);
      vIm[own + 1] = vIm[up + 1] - (zr * iIm[own + 1] + zi * iRe[own + 1]);
      vRe[own + 2] = vRe[up + 2] - (zr * iRe[own + 2] - zi * iIm[own + 2]);
      vIm[own + 2] = vIm[up + 2] - (zr * iIm[own + 2] + zi * iRe[own + 2]);
    }
  };
  return medianMs(sweep, { runs: 100, batch: 50 });
}

function readPublishedFeeder(): LvNetwork {
  const folder = path.join(resolveSharedDataDir(), IEEE_FEEDER_FOLDER);
  if (!existsSync(folder)) {
    throw new Error(
      `the powerflow scenario solves the IEEE European LV Test Feeder, expected in ${folder} (the shared reference data; ` +
        `set ${SHARED_DATA_DIR_ENV} to the folder that holds ${IEEE_FEEDER_FOLDER}/)`,
    );
  }
  return readIeeeFeeder(folder);
}

/** The published feeder: one cold snapshot at its heaviest minute, and its whole day warm-started. */
function publishedFeeder() {
  const network = readPublishedFeeder();
  const readDayLoads = () => Array.from({ length: MINUTES_PER_DAY }, (_, m) => shapeLoadsKw(network, m + 1));
  const dayLoads = readDayLoads();
  const dayLoadsMs = medianMs(readDayLoads, { runs: DAY_RUNS, batch: 1 });
  const total = (loads: Float64Array) => loads.reduce((sum, kw) => sum + kw, 0);
  const heaviest = dayLoads.reduce((best, loads, m) => (total(loads) > total(dayLoads[best]) ? m : best), 0);

  const feeder = new CompiledFeeder(network);
  const solver = new PowerFlowSolver(feeder);
  const snapshot = (minuteIndex: number) => {
    let iterations = 0;
    const ms = medianMs(
      () => {
        solver.reset();
        iterations = solver.solve(dayLoads[minuteIndex]).iterations;
      },
      { runs: SNAPSHOT_RUNS, batch: SNAPSHOT_BATCH },
    );
    return { ms, iterations };
  };
  const peak = snapshot(heaviest);
  const offPeak = snapshot(0);

  let dayIterations = 0;
  const daySamples: number[] = [];
  for (let run = 0; run <= DAY_RUNS; run++) {
    solver.reset();
    let iterations = 0;
    const startedMs = performance.now();
    for (const loads of dayLoads) iterations += solver.solve(loads).iterations;
    // The first run is the warm-up.
    if (run > 0) daySamples.push(performance.now() - startedMs);
    dayIterations = iterations;
  }
  return { heaviestMinute: heaviest + 1, heaviestKw: total(dayLoads[heaviest]), peak, offPeak, dayMs: percentile(daySamples, 50), dayIterations, dayLoadsMs, sweepMs: bareSweepMs(feeder) };
}

/** One day of 15-minute loads per network (step-major), from the seed's curves: kW = 4 · net Wh / 1000 × the load's share. */
function parishLoads(parish: ReturnType<typeof generateParish>, networks: readonly LvNetwork[]): Float64Array[] {
  // As the seed's history writes them: a home charger is behind its point's meter.
  const chargers = new Map(parish.congestion?.homeChargers.map((entry) => [entry.meteringPointId, entry.charger]));
  const curves = createCurveGenerator(parish.meteringPoints.map((point): CurvePoint => ({ ...(point as CurvePoint), homeCharger: chargers.get(point.id) })));
  const pointIndex = new Map(parish.meteringPoints.map((point, i) => [point.id, i]));
  const reading: IntervalReading = { importWh: 0, exportWh: 0 };
  return networks.map((network) => {
    const loads = network.loads.length;
    const kw = new Float64Array(QUARTERS_PER_DAY * loads);
    network.loads.forEach((load, l) => {
      // A hub load always carries its metering point (lv-network.ts), and every point is in the parish.
      const point = pointIndex.get(load.meteringPointId!)!;
      for (let q = 0; q < QUARTERS_PER_DAY; q++) {
        curves.readingInto(point, PARISH_DAY_START_MS + q * QUARTER_MS, reading);
        kw[q * loads + l] = (((reading.importWh - reading.exportWh) * 4) / 1000) * load.share;
      }
    });
    return kw;
  });
}

/**
 * Every secondary substation of the parish, seeded into a bench database and read back as the hub
 * reads it (loadLvNetworks), over a day of 96 quarter-hours, warm-started: compiling each network
 * and its 96 solves are timed, reading the tables and making the loads are not. The floor is each
 * network's bare sweep times its iterations (compiling not included).
 */
async function parishDay(customers: number) {
  const bench = await openBenchDatabase();
  try {
    const parish = generateParish({ customers });
    await writeParish(bench.handle, parish);
    const byId = await loadLvNetworks(bench.handle.db, parish.secondarySubstations.map((substation) => substation.id));
    const networks = [...byId.values()];
    const loads = parishLoads(parish, networks);
    const iterations = new Int32Array(networks.length);
    const samples: number[] = [];
    for (let run = 0; run <= PARISH_RUNS; run++) {
      iterations.fill(0);
      const startedMs = performance.now();
      networks.forEach((network, n) => {
        const solver = new PowerFlowSolver(new CompiledFeeder(network));
        const count = network.loads.length;
        for (let q = 0; q < QUARTERS_PER_DAY; q++) iterations[n] += solver.solve(loads[n].subarray(q * count, (q + 1) * count)).iterations;
      });
      // The first run is the warm-up.
      if (run > 0) samples.push(performance.now() - startedMs);
    }
    const compileStartedMs = performance.now();
    const feeders = networks.map((network) => new CompiledFeeder(network));
    const compileMs = performance.now() - compileStartedMs;
    return {
      substations: networks.length,
      ofSubstations: parish.secondarySubstations.length,
      buses: feeders.reduce((sum, feeder) => sum + feeder.busCount, 0),
      loads: networks.reduce((sum, network) => sum + network.loads.length, 0),
      ms: percentile(samples, 50),
      compileMs,
      iterations: iterations.reduce((sum, count) => sum + count, 0),
      floorMs: feeders.reduce((sum, feeder, n) => sum + bareSweepMs(feeder) * iterations[n], 0),
    };
  } finally {
    await bench.close();
  }
}

/**
 * The power flow's speed: a snapshot and a day of the published 906-bus IEEE feeder, and a day of
 * every secondary substation of the demo parish, each against bare sweeps of the same arrays.
 */
export const powerflowScenario: Scenario = {
  name: 'powerflow',
  description: 'power flow: a 906-bus snapshot, its 1,440-minute day, every parish substation over a day',
  async run({ customers }) {
    const ieee = publishedFeeder();
    const parish = await parishDay(customers);
    const snapshotFloorMs = ieee.peak.iterations * ieee.sweepMs;
    const dayFloorMs = ieee.dayIterations * ieee.sweepMs;
    return {
      metrics: {
        snapshotMs: round(ieee.peak.ms, 4),
        snapshotIterations: ieee.peak.iterations,
        dayMs: round(ieee.dayMs, 1),
        dayIterations: ieee.dayIterations,
        sweepFloorMs: round(ieee.sweepMs, 5),
        snapshotFloorRatio: round(ieee.peak.ms / snapshotFloorMs),
        dayFloorRatio: round(ieee.dayMs / dayFloorMs),
        dayLoadsMs: round(ieee.dayLoadsMs, 1),
        parishDayMs: round(parish.ms, 1),
        parishDayIterations: parish.iterations,
        parishDayFloorRatio: round(parish.ms / parish.floorMs),
      },
      table: [
        { run: `IEEE feeder, heaviest minute ${ieee.heaviestMinute} (${round(ieee.heaviestKw, 1)} kW), cold`, ms: round(ieee.peak.ms, 4), iterations: ieee.peak.iterations, floorMs: round(snapshotFloorMs, 4) },
        { run: 'IEEE feeder, minute 1 (published snapshot), cold', ms: round(ieee.offPeak.ms, 4), iterations: ieee.offPeak.iterations, floorMs: round(ieee.offPeak.iterations * ieee.sweepMs, 4) },
        { run: `IEEE feeder, ${MINUTES_PER_DAY} minutes, warm-started`, ms: round(ieee.dayMs, 1), iterations: ieee.dayIterations, floorMs: round(dayFloorMs, 1) },
        {
          run: `parish: ${parish.substations} of ${parish.ofSubstations} substations (${parish.buses} buses, ${parish.loads} loads), ${QUARTERS_PER_DAY} quarter-hours each, warm-started`,
          ms: round(parish.ms, 1),
          iterations: parish.iterations,
          floorMs: round(parish.floorMs, 1),
        },
        { run: `parish: of which compiling the ${parish.substations} networks`, ms: round(parish.compileMs, 1), iterations: '', floorMs: '' },
      ],
    };
  },
};

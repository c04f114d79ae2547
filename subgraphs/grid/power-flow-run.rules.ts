import { groupBy } from '../kit/group';
import { CompiledFeeder, PowerFlowSolver } from './power-flow.rules';

/**
 * A run of the power flow over consecutive 15-minute intervals of one secondary substation: the
 * figures an operator reads (extremes, loading, losses), the limits each interval breaks, and the
 * flexibility that would remove each break. Pure: the caller brings the network and the loads.
 */

/** EN 50160 judges LV supply voltage against 230 V ± 10 %; loading against the thermal ratings. */
export interface GridLimits {
  nominalVoltageV: number;
  minVoltageV: number;
  maxVoltageV: number;
  maxLoadingPercent: number;
  /** Negative- over positive-sequence voltage (EN 50160: 2 %). */
  maxUnbalancePercent: number;
}

export const EN_50160_LIMITS: GridLimits = { nominalVoltageV: 230, minVoltageV: 207, maxVoltageV: 253, maxLoadingPercent: 100, maxUnbalancePercent: 2 };

export type ViolationKind = 'TRANSFORMER_OVERLOAD' | 'LINE_OVERLOAD' | 'UNDERVOLTAGE' | 'OVERVOLTAGE' | 'PHASE_UNBALANCE';

/** What less consumption behind the congestion point cures; over-voltage and unbalance it does not. */
const CURED_BY_REDUCTION: ReadonlySet<ViolationKind> = new Set(['TRANSFORMER_OVERLOAD', 'LINE_OVERLOAD', 'UNDERVOLTAGE']);

export type AssetKind = 'TRANSFORMER' | 'LINE_SEGMENT' | 'BUS';

/** One broken limit over consecutive intervals, on one feeder (or the transformer), at its worst asset. */
export interface Violation {
  kind: ViolationKind;
  /** The feeder the broken limit is on; null for the transformer. */
  feederId: string | null;
  assetKind: AssetKind;
  /** Bus or segment name; the substation's transformer has none. */
  assetName: string | null;
  firstInterval: number;
  /** Exclusive. */
  endInterval: number;
  limit: number;
  /** The worst value over the window, in the unit of the limit (% or V). */
  value: number;
}

export interface NeedInterval {
  interval: number;
  reductionKw: number;
}

/** How much less consumption behind a feeder (or the whole substation) removes its violations. */
export interface Need {
  congestionPoint: { kind: 'FEEDER'; feederId: string } | { kind: 'SECONDARY_SUBSTATION' };
  intervals: NeedInterval[];
}

export interface SubstationRun {
  intervals: number;
  iterations: number;
  /** Per phase, over every LV bus and interval, in pu of the nominal voltage. */
  minVoltagePu: [number, number, number];
  maxVoltagePu: [number, number, number];
  maxLineLoadingPercent: number;
  maxTransformerLoadingPercent: number;
  lossesKwh: number;
  /** Per bus and phase (index 3·bus + phase, the feeder's bus order), the extremes over the run (V). */
  busMinV: Float64Array;
  busMaxV: Float64Array;
  /** Per segment (indexed by the bus it feeds) and phase, the largest current (A). */
  segmentMaxA: Float64Array;
  violations: Violation[];
  needs: Need[];
}

interface Breach {
  kind: ViolationKind;
  feederId: string | null;
  assetKind: AssetKind;
  assetName: string | null;
  limit: number;
  value: number;
}

const worse = (kind: ViolationKind, a: number, b: number) => (kind === 'UNDERVOLTAGE' ? a < b : a > b);

/** Every limit the solved state breaks, one breach per kind and feeder at its worst asset. */
function breaches(solver: PowerFlowSolver, limits: GridLimits, onlyFeeder?: string | null): Breach[] {
  const feeder = solver.feeder;
  const found = new Map<string, Breach>();
  const note = (breach: Breach) => {
    const key = `${breach.kind}|${breach.feederId ?? ''}`;
    const current = found.get(key);
    if (!current || worse(breach.kind, breach.value, current.value)) found.set(key, breach);
  };
  if (onlyFeeder === undefined || onlyFeeder === null) {
    const loading = solver.transformerLoadingPercent();
    if (loading > limits.maxLoadingPercent) note({ kind: 'TRANSFORMER_OVERLOAD', feederId: null, assetKind: 'TRANSFORMER', assetName: null, limit: limits.maxLoadingPercent, value: loading });
  }
  for (let b = 1; b < feeder.busCount; b++) {
    const feederId = feeder.segmentFeederIds[b];
    if (onlyFeeder !== undefined && onlyFeeder !== null && feederId !== onlyFeeder) continue;
    const bus = feeder.busNames[b];
    for (let k = 0; k < 3; k++) {
      const v = solver.voltageMagnitudeV(b, k);
      if (v < limits.minVoltageV) note({ kind: 'UNDERVOLTAGE', feederId, assetKind: 'BUS', assetName: bus, limit: limits.minVoltageV, value: v });
      if (v > limits.maxVoltageV) note({ kind: 'OVERVOLTAGE', feederId, assetKind: 'BUS', assetName: bus, limit: limits.maxVoltageV, value: v });
    }
    const loading = solver.segmentLoadingPercent(b);
    if (loading > limits.maxLoadingPercent) note({ kind: 'LINE_OVERLOAD', feederId, assetKind: 'LINE_SEGMENT', assetName: feeder.segmentNames[b], limit: limits.maxLoadingPercent, value: loading });
    const unbalance = solver.voltageUnbalancePercent(b);
    if (unbalance > limits.maxUnbalancePercent) note({ kind: 'PHASE_UNBALANCE', feederId, assetKind: 'BUS', assetName: bus, limit: limits.maxUnbalancePercent, value: unbalance });
  }
  return [...found.values()];
}

/** Which loads sit behind each feeder: the feeder of the segment that feeds the load's bus. */
function loadsByFeeder(feeder: CompiledFeeder): Map<string | null, number[]> {
  return groupBy(
    Array.from(feeder.loadBus, (_, load) => load),
    (load) => feeder.segmentFeederIds[feeder.loadBus[load]],
  );
}

/** The reduction is found to this resolution: far below what a HEMS can be asked to shed. */
const NEED_RESOLUTION_KW = 0.05;

/**
 * The least uniform reduction of the consuming loads `behind` that removes every curable breach
 * `mustCure` picks, by bisection on the share of their consumption kept (each probe is one
 * solve); null when even shedding all of it leaves one (the cause is elsewhere). Uniform,
 * because the market decides later whose load is shed; the figure is the total.
 */
function reductionFor(solver: PowerFlowSolver, limits: GridLimits, loadsKw: Float64Array, behind: readonly number[], onlyFeeder: string | null, mustCure: (breach: Breach) => boolean): number | null {
  const consumption = behind.reduce((sum, load) => sum + Math.max(0, loadsKw[load]), 0);
  const probe = Float64Array.from(loadsKw);
  const cured = (kept: number): boolean => {
    for (const load of behind) probe[load] = loadsKw[load] > 0 ? loadsKw[load] * kept : loadsKw[load];
    try {
      solver.solve(probe);
    } catch {
      return false;
    }
    return !breaches(solver, limits, onlyFeeder).some((breach) => CURED_BY_REDUCTION.has(breach.kind) && mustCure(breach));
  };
  if (consumption <= 0 || !cured(0)) return null;
  let low = 0;
  let high = 1;
  while ((high - low) * consumption > NEED_RESOLUTION_KW) {
    const mid = (low + high) / 2;
    if (cured(mid)) low = mid;
    else high = mid;
  }
  return Math.ceil((1 - low) * consumption * 100) / 100;
}

/**
 * Solves each interval in turn (warm-started from the one before), keeps the extremes and the
 * breaches, then for every interval with a curable breach finds the reduction that cures it.
 * `loadsKw` holds intervals × loads powers, interval-major.
 */
export function runSubstation(feeder: CompiledFeeder, loadsKw: Float64Array, intervals: number, limits: GridLimits = EN_50160_LIMITS, intervalHours = 0.25): SubstationRun {
  const loads = feeder.loadCount;
  if (loadsKw.length !== loads * intervals) throw new Error(`expected ${loads * intervals} load powers, got ${loadsKw.length}`);
  const solver = new PowerFlowSolver(feeder);
  const nodes = feeder.busCount * 3;
  const busMinV = new Float64Array(nodes).fill(Infinity);
  const busMaxV = new Float64Array(nodes).fill(-Infinity);
  const segmentMaxA = new Float64Array(nodes);
  let iterations = 0;
  let maxLine = 0;
  let maxTransformer = 0;
  let lossesKwh = 0;
  const perInterval: Breach[][] = [];
  for (let t = 0; t < intervals; t++) {
    const step = loadsKw.subarray(t * loads, (t + 1) * loads);
    iterations += solver.solve(step).iterations;
    for (let b = 0; b < feeder.busCount; b++) {
      for (let k = 0; k < 3; k++) {
        const node = 3 * b + k;
        const v = solver.voltageMagnitudeV(b, k);
        if (v < busMinV[node]) busMinV[node] = v;
        if (v > busMaxV[node]) busMaxV[node] = v;
        const current = solver.currentA(b, k);
        if (b > 0 && current > segmentMaxA[node]) segmentMaxA[node] = current;
      }
      if (b > 0) {
        const loading = solver.segmentLoadingPercent(b);
        if (loading > maxLine) maxLine = loading;
      }
    }
    maxTransformer = Math.max(maxTransformer, solver.transformerLoadingPercent());
    lossesKwh += (solver.lineLossesKw() + solver.transformerLossesKw()) * intervalHours;
    perInterval.push(breaches(solver, limits));
  }
  const minVoltagePu: [number, number, number] = [Infinity, Infinity, Infinity];
  const maxVoltagePu: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  // The transformer's LV terminals (bus 0) count: on a short feeder they are the highest voltage.
  for (let b = 0; b < feeder.busCount; b++) {
    for (let k = 0; k < 3; k++) {
      minVoltagePu[k] = Math.min(minVoltagePu[k], busMinV[3 * b + k] / limits.nominalVoltageV);
      maxVoltagePu[k] = Math.max(maxVoltagePu[k], busMaxV[3 * b + k] / limits.nominalVoltageV);
    }
  }
  return {
    intervals,
    iterations,
    minVoltagePu,
    maxVoltagePu,
    maxLineLoadingPercent: maxLine,
    maxTransformerLoadingPercent: maxTransformer,
    lossesKwh,
    busMinV,
    busMaxV,
    segmentMaxA,
    violations: mergeWindows(perInterval),
    needs: findNeeds(solver, limits, loadsKw, perInterval),
  };
}

/** Consecutive intervals breaking the same limit on the same feeder make one violation. */
function mergeWindows(perInterval: readonly Breach[][]): Violation[] {
  const open = new Map<string, Violation>();
  const closed: Violation[] = [];
  perInterval.forEach((found, t) => {
    const seen = new Set<string>();
    for (const breach of found) {
      const key = `${breach.kind}|${breach.feederId ?? ''}`;
      seen.add(key);
      const current = open.get(key);
      if (current) {
        current.endInterval = t + 1;
        if (worse(breach.kind, breach.value, current.value)) Object.assign(current, { value: breach.value, assetKind: breach.assetKind, assetName: breach.assetName });
      } else {
        open.set(key, { ...breach, firstInterval: t, endInterval: t + 1 });
      }
    }
    for (const [key, violation] of open) {
      if (!seen.has(key)) {
        closed.push(violation);
        open.delete(key);
      }
    }
  });
  closed.push(...open.values());
  return closed.sort((a, b) => a.firstInterval - b.firstInterval || a.kind.localeCompare(b.kind) || (a.feederId ?? '').localeCompare(b.feederId ?? ''));
}

/**
 * Per interval: each feeder with a curable breach needs what its own loads can shed to cure it;
 * a transformer overload, and a feeder breach its own loads cannot cure (a drop caused upstream,
 * in the transformer or by another feeder), need a reduction of the whole substation.
 */
function findNeeds(solver: PowerFlowSolver, limits: GridLimits, loadsKw: Float64Array, perInterval: readonly Breach[][]): Need[] {
  const feeder = solver.feeder;
  const loads = feeder.loadCount;
  const behindFeeder = loadsByFeeder(feeder);
  const everyLoad = Array.from({ length: loads }, (_, load) => load);
  const needs = new Map<string, Need>();
  const add = (key: string, congestionPoint: Need['congestionPoint'], interval: number, reductionKw: number) => {
    const need = needs.get(key) ?? { congestionPoint, intervals: [] };
    need.intervals.push({ interval, reductionKw });
    needs.set(key, need);
  };
  perInterval.forEach((found, t) => {
    const step = loadsKw.subarray(t * loads, (t + 1) * loads);
    const curable = found.filter((breach) => CURED_BY_REDUCTION.has(breach.kind));
    const upstream = new Set<string | null>(curable.some((breach) => breach.feederId === null) ? [null] : []);
    for (const feederId of new Set(curable.flatMap((breach) => (breach.feederId === null ? [] : [breach.feederId])))) {
      const reductionKw = reductionFor(solver, limits, step, behindFeeder.get(feederId) ?? [], feederId, (breach) => breach.feederId === feederId);
      if (reductionKw === null) upstream.add(feederId);
      else if (reductionKw > 0) add(feederId, { kind: 'FEEDER', feederId }, t, reductionKw);
    }
    if (upstream.size === 0) return;
    const reductionKw = reductionFor(solver, limits, step, everyLoad, null, (breach) => upstream.has(breach.feederId));
    if (reductionKw !== null && reductionKw > 0) add('', { kind: 'SECONDARY_SUBSTATION' }, t, reductionKw);
  });
  return [...needs.values()];
}

export const INTERVAL_MS = 15 * 60_000;
/** A run is solved while its request waits: these keep it to seconds (the whole parish over two days). */
export const MAX_RUN_SUBSTATIONS = 300;
export const MAX_RUN_DAYS = 7;
export const MAX_RUN_SUBSTATION_INTERVALS = 60_000;
/**
 * A MEASURED run takes an absent reading as no consumption, which is only honest while few are
 * absent: below this share of the substation's point-intervals present, the run is refused.
 */
export const MIN_MEASURED_SHARE = 0.5;

export interface RunRequest {
  secondarySubstationIds: readonly string[];
  fromMs: number;
  toMs: number;
}

/** What is wrong with a run's request, or null; the number of intervals when it is right. */
export function runRequestProblem(request: RunRequest): { problem: string; field: string } | null {
  const substations = new Set(request.secondarySubstationIds).size;
  if (substations === 0) return { problem: 'name at least one secondary substation', field: 'secondarySubstationIds' };
  if (substations > MAX_RUN_SUBSTATIONS) return { problem: `at most ${MAX_RUN_SUBSTATIONS} secondary substations per run`, field: 'secondarySubstationIds' };
  for (const [field, ms] of [['from', request.fromMs], ['to', request.toMs]] as const) {
    if (ms % INTERVAL_MS !== 0) return { problem: `${field} must be on a quarter-hour (:00, :15, :30 or :45)`, field };
  }
  if (request.toMs <= request.fromMs) return { problem: 'to must be after from', field: 'to' };
  const intervals = (request.toMs - request.fromMs) / INTERVAL_MS;
  if (request.toMs - request.fromMs > MAX_RUN_DAYS * 86_400_000) return { problem: `a run covers at most ${MAX_RUN_DAYS} days`, field: 'to' };
  if (intervals * substations > MAX_RUN_SUBSTATION_INTERVALS) {
    return { problem: `${substations} secondary substations × ${intervals} intervals is more than ${MAX_RUN_SUBSTATION_INTERVALS}: shorten the window or split the substations over several runs`, field: 'to' };
  }
  return null;
}

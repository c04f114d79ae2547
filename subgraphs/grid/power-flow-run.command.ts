import { BadUserInputError } from '../../schema/errors';
import type { Actor } from '../kit/audit';
import type { Database } from '../kit/db';
import type { NewPowerFlowConstraint } from './grid-constraint.repo';
import type { LvNetwork } from './lv-network';
import { loadLvNetworks } from './network-model.repo';
import { NetworkRepo } from './network.repo';
import { CompiledFeeder, PowerFlowDivergedError } from './power-flow.rules';
import { INTERVAL_MS, MIN_MEASURED_SHARE, runRequestProblem, runSubstation, type SubstationRun, type Violation } from './power-flow-run.rules';
import { PowerFlowRunRepo, type NewNeed, type NewRun, type PowerFlowRunRow } from './power-flow-run.repo';
import type { PowerFlowSource } from './power-flow-run.type';

/** Per metering point, average net kW (import − export) in each 15-minute interval of [from, to); NaN where unknown. */
export type PointPowers = (meteringPointIds: readonly string[], fromMs: number, toMs: number) => Promise<Map<string, Float64Array>>;

export interface RunPowerFlowRequest {
  secondarySubstationIds: readonly string[];
  from: Date;
  to: Date;
  source: PowerFlowSource;
}

const UNIT = { TRANSFORMER_OVERLOAD: 'PERCENT', LINE_OVERLOAD: 'PERCENT', PHASE_UNBALANCE: 'PERCENT', UNDERVOLTAGE: 'VOLT', OVERVOLTAGE: 'VOLT' } as const;

/** The loads of every interval, interval-major, and how many readings were absent (taken as 0). */
function loadMatrix(network: LvNetwork, powers: ReadonlyMap<string, Float64Array>, intervals: number): { loadsKw: Float64Array; missing: number } {
  const loads = network.loads.length;
  const loadsKw = new Float64Array(loads * intervals);
  const missingPoints = new Set<string>();
  let missing = 0;
  network.loads.forEach((load, l) => {
    const series = load.meteringPointId === null ? undefined : powers.get(load.meteringPointId);
    for (let t = 0; t < intervals; t++) {
      const kw = series?.[t];
      if (kw === undefined || Number.isNaN(kw)) {
        // A three-phase point is three loads: count its absent reading once.
        if (load.meteringPointId !== null && !missingPoints.has(`${load.meteringPointId}|${t}`)) {
          missingPoints.add(`${load.meteringPointId}|${t}`);
          missing++;
        }
        continue;
      }
      loadsKw[t * loads + l] = kw * load.share;
    }
  });
  return { loadsKw, missing };
}

function toConstraint(secondarySubstationId: string, violation: Violation, fromMs: number): NewPowerFlowConstraint {
  return {
    kind: violation.kind,
    secondarySubstationId,
    feederId: violation.feederId,
    asset: violation.assetKind === 'TRANSFORMER' ? { kind: 'TRANSFORMER', id: secondarySubstationId } : { kind: violation.assetKind, id: violation.assetName ?? secondarySubstationId },
    start: new Date(fromMs + violation.firstInterval * INTERVAL_MS),
    end: new Date(fromMs + violation.endInterval * INTERVAL_MS),
    limit: violation.limit,
    value: violation.value,
    unit: UNIT[violation.kind],
  };
}

function toNeeds(secondarySubstationId: string, result: SubstationRun, fromMs: number): NewNeed[] {
  return result.needs.map((need) => ({
    secondarySubstationId,
    congestionPointKind: need.congestionPoint.kind,
    congestionPointId: need.congestionPoint.kind === 'FEEDER' ? need.congestionPoint.feederId : secondarySubstationId,
    feederId: need.congestionPoint.kind === 'FEEDER' ? need.congestionPoint.feederId : null,
    intervals: need.intervals.map((interval) => ({ intervalStart: new Date(fromMs + interval.interval * INTERVAL_MS), reductionKw: interval.reductionKw })),
  }));
}

/**
 * runPowerFlow: every 15-minute interval of the window on each secondary substation, from
 * measured or forecast loads; stores the run with its constraints (pushed) and flexibility needs.
 * Bad input is refused before anything is computed or written.
 */
export async function runPowerFlow(db: Database, request: RunPowerFlowRequest, actor: Actor, sources: Readonly<Record<PowerFlowSource, PointPowers>>): Promise<PowerFlowRunRow> {
  const fromMs = request.from.getTime();
  const toMs = request.to.getTime();
  const ids = [...new Set(request.secondarySubstationIds)];
  const problem = runRequestProblem({ secondarySubstationIds: ids, fromMs, toMs });
  if (problem) throw new BadUserInputError(problem.problem, { field: problem.field });
  const networks = await loadLvNetworks(db, ids);
  const absent = ids.filter((id) => !networks.has(id));
  if (absent.length > 0) {
    const known = new Set((await new NetworkRepo(db).secondarySubstations(absent)).map((row) => row.id));
    const unknown = absent.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new BadUserInputError(`Unknown secondary substation${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { field: 'secondarySubstationIds' });
    throw new BadUserInputError(`No LV network model for ${absent.join(', ')}: import one with npm run grid:import (a demo database seeded before the network model existed needs a fresh seed)`, {
      field: 'secondarySubstationIds',
    });
  }
  const intervals = (toMs - fromMs) / INTERVAL_MS;
  const pointIds = [...new Set([...networks.values()].flatMap((network) => network.loads.flatMap((load) => (load.meteringPointId === null ? [] : [load.meteringPointId]))))];
  const powers = await sources[request.source](pointIds, fromMs, toMs);

  const stored: NewRun = { run: { source: request.source, start: request.from, end: request.to, intervals, requestedBy: actor.identity.organisationId }, substations: [], buses: [], segments: [], needs: [], constraints: [] };
  for (const id of ids) {
    const network = networks.get(id)!;
    const feeder = new CompiledFeeder(network);
    const { loadsKw, missing } = loadMatrix(network, powers, intervals);
    const expected = new Set(network.loads.map((load) => load.meteringPointId)).size * intervals;
    if (request.source === 'MEASURED' && expected > 0 && expected - missing < MIN_MEASURED_SHARE * expected) {
      throw new BadUserInputError(
        `Secondary substation ${id} has readings for ${Math.round((100 * (expected - missing)) / expected)} % of its metering points' quarter-hours in the window; ` +
          `a MEASURED run needs at least ${MIN_MEASURED_SHARE * 100} % (a window in the future takes source FORECAST)`,
        { field: 'from' },
      );
    }
    let result: SubstationRun;
    try {
      result = runSubstation(feeder, loadsKw, intervals);
    } catch (error: unknown) {
      if (error instanceof PowerFlowDivergedError) throw new BadUserInputError(`Secondary substation ${id}: ${error.message}`, { field: 'secondarySubstationIds' });
      throw error;
    }
    stored.substations.push({
      secondarySubstationId: id,
      minVoltagePuA: result.minVoltagePu[0],
      minVoltagePuB: result.minVoltagePu[1],
      minVoltagePuC: result.minVoltagePu[2],
      maxVoltagePuA: result.maxVoltagePu[0],
      maxVoltagePuB: result.maxVoltagePu[1],
      maxVoltagePuC: result.maxVoltagePu[2],
      maxLineLoadingPercent: result.maxLineLoadingPercent,
      maxTransformerLoadingPercent: result.maxTransformerLoadingPercent,
      lossesKwh: result.lossesKwh,
      iterations: result.iterations,
      missingReadings: missing,
    });
    for (let b = 0; b < feeder.busCount; b++) {
      const node = 3 * b;
      stored.buses.push({
        secondarySubstationId: id,
        busId: feeder.busNames[b],
        feederId: feeder.segmentFeederIds[b],
        minVoltageA: result.busMinV[node],
        minVoltageB: result.busMinV[node + 1],
        minVoltageC: result.busMinV[node + 2],
        maxVoltageA: result.busMaxV[node],
        maxVoltageB: result.busMaxV[node + 1],
        maxVoltageC: result.busMaxV[node + 2],
      });
      if (b === 0) continue;
      const maxA = Math.max(result.segmentMaxA[node], result.segmentMaxA[node + 1], result.segmentMaxA[node + 2]);
      const ampacity = feeder.ampacityA[b];
      stored.segments.push({
        secondarySubstationId: id,
        segmentId: feeder.segmentNames[b],
        feederId: feeder.segmentFeederIds[b],
        maxCurrentA: result.segmentMaxA[node],
        maxCurrentB: result.segmentMaxA[node + 1],
        maxCurrentC: result.segmentMaxA[node + 2],
        maxLoadingPercent: Number.isNaN(ampacity) ? null : (100 * maxA) / ampacity,
      });
    }
    stored.constraints.push(...result.violations.map((violation) => toConstraint(id, violation, fromMs)));
    stored.needs.push(...toNeeds(id, result, fromMs));
  }
  return new PowerFlowRunRepo(db).store(stored, actor);
}

import type { LineCode, Load, LvNetwork, Phase } from './lv-network';

/**
 * A secondary substation's network model as the grid tables hold it, assembled into the LvNetwork
 * the power flow solves. Pure, so that the seed's tests and the import's checks build the same
 * network the database gives back.
 */

export interface SubstationModelRow {
  id: string;
  name: string;
  ratedPowerKva: number;
  transformerPrimaryKv: number | null;
  transformerSecondaryKv: number | null;
  transformerConnection: 'Dyn' | null;
  transformerResistancePercent: number | null;
  transformerReactancePercent: number | null;
  sourceVoltageKv: number | null;
  sourceVoltagePu: number | null;
  sourceIsc3A: number | null;
  sourceIsc1A: number | null;
  sourceX1R1: number | null;
  sourceX0R0: number | null;
  lvBusId: string | null;
}

export interface BusModelRow {
  id: string;
  x: number | null;
  y: number | null;
}

export interface SegmentModelRow {
  id: string;
  feederId: string;
  fromBusId: string;
  toBusId: string;
  lengthM: number;
  lineCode: string;
}

export interface ConnectionModelRow {
  meteringPointId: string;
  /** 'A', 'B', 'C' or 'ABC'. */
  phase: string;
  busId: string | null;
}

export interface NetworkModelRows {
  substation: SubstationModelRow;
  buses: readonly BusModelRow[];
  segments: readonly SegmentModelRow[];
  /** At least the codes the segments use. */
  lineCodes: ReadonlyMap<string, LineCode>;
  connections: readonly ConnectionModelRow[];
}

/**
 * Smart meters register active energy only, so the hub's loads take the power factor DTC
 * measurements show for LV residential feeders and the IEEE European LV feeder assumes: 0.95 lagging.
 */
export const HUB_LOAD_POWER_FACTOR = 0.95;

/**
 * A bus's or segment's id: its name (unique within the substation) under the substation's id,
 * which is how the seed and grid:import name them.
 */
export const modelId = (secondarySubstationId: string, name: string) => `${secondarySubstationId}-${name}`;

/** The model in the tables cannot make a network: incomplete, or inconsistent. */
export class NetworkModelError extends Error {
  constructor(
    readonly secondarySubstationId: string,
    detail: string,
  ) {
    super(`secondary substation ${secondarySubstationId}: ${detail}`);
    this.name = 'NetworkModelError';
  }
}

/** Whether the substation has its transformer, MV source and LV bus: all or none, as the table checks. */
export function hasNetworkModel(substation: SubstationModelRow): boolean {
  return substation.lvBusId !== null;
}

const THREE_PHASE_SHARE = 1 / 3;
const SQRT3 = Math.sqrt(3);

/**
 * The LvNetwork of one secondary substation: its buses and segments by id (the names the power
 * flow reports results under), every feeder in one tree from the LV bus; each connected metering
 * point a constant-power load on its bus and phase, a three-phase one three loads of a third.
 * Throws NetworkModelError when the substation has no model or a connected point has no bus.
 */
export function assembleLvNetwork({ substation, buses, segments, lineCodes, connections }: NetworkModelRows): LvNetwork {
  const s = substation;
  if (
    s.lvBusId === null ||
    s.transformerPrimaryKv === null ||
    s.transformerSecondaryKv === null ||
    s.transformerConnection === null ||
    s.transformerResistancePercent === null ||
    s.transformerReactancePercent === null ||
    s.sourceVoltageKv === null ||
    s.sourceVoltagePu === null ||
    s.sourceIsc3A === null ||
    s.sourceIsc1A === null ||
    s.sourceX1R1 === null ||
    s.sourceX0R0 === null
  ) {
    throw new NetworkModelError(s.id, 'has no network model (transformer, MV source and LV bus)');
  }
  const usedCodes = new Set(segments.map((segment) => segment.lineCode));
  const codes: LineCode[] = [];
  for (const name of [...usedCodes].sort()) {
    const code = lineCodes.get(name);
    if (!code) throw new NetworkModelError(s.id, `line code ${name} is not in the catalogue`);
    // Rows may carry more (the catalogue's source): the network holds what the solver reads.
    codes.push({ name: code.name, r1OhmPerKm: code.r1OhmPerKm, x1OhmPerKm: code.x1OhmPerKm, r0OhmPerKm: code.r0OhmPerKm, x0OhmPerKm: code.x0OhmPerKm, ampacityA: code.ampacityA });
  }
  const kv = s.transformerSecondaryKv / SQRT3;
  const loads: Load[] = [];
  const unplaced: string[] = [];
  for (const connection of connections) {
    if (connection.busId === null) {
      unplaced.push(connection.meteringPointId);
      continue;
    }
    const phases: readonly Phase[] = connection.phase === 'ABC' ? ['A', 'B', 'C'] : [connection.phase as Phase];
    // connections.phase holds 'A', 'B', 'C' or 'ABC' only (the seed and grid:import write it so).
    const share = phases.length === 3 ? THREE_PHASE_SHARE : 1;
    for (const phase of phases) {
      loads.push({ name: connection.meteringPointId, bus: connection.busId, phase, kv, powerFactor: HUB_LOAD_POWER_FACTOR, shape: null, meteringPointId: connection.meteringPointId, share });
    }
  }
  if (unplaced.length > 0) throw new NetworkModelError(s.id, `${unplaced.length} connected metering point(s) have no bus, e.g. ${unplaced[0]}`);
  return {
    name: s.id,
    source: { voltageKv: s.sourceVoltageKv, voltagePu: s.sourceVoltagePu, isc3A: s.sourceIsc3A, isc1A: s.sourceIsc1A, x1r1: s.sourceX1R1, x0r0: s.sourceX0R0 },
    transformer: {
      ratedKva: s.ratedPowerKva,
      primaryKv: s.transformerPrimaryKv,
      secondaryKv: s.transformerSecondaryKv,
      connection: s.transformerConnection,
      resistancePercent: s.transformerResistancePercent,
      reactancePercent: s.transformerReactancePercent,
    },
    rootBus: s.lvBusId,
    buses: buses.map((bus) => ({ name: bus.id, x: bus.x, y: bus.y })),
    lineCodes: codes,
    lines: segments.map((segment) => ({
      name: segment.id,
      fromBus: segment.fromBusId,
      toBus: segment.toBusId,
      lengthM: segment.lengthM,
      lineCode: segment.lineCode,
      feederId: segment.feederId,
    })),
    loads,
    shapes: new Map(),
  };
}

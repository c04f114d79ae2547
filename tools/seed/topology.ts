import type { buses, connections, feeders, lineSegments, secondarySubstations } from '../../schema/tables';
import { modelId } from '../../subgraphs/grid/network-model.rules';
import { CABLES, LV_KV, MV_KV, ampacityOf, transformerType, type Cable, type Route } from './equipment';
import { addToPhases, busbarSetPointPu, type Triple } from './load-curves';

/**
 * The demo parish's LV network model: for each secondary substation its transformer and MV
 * source, and for each feeder a radial tree from the LV board: a trunk along the street with
 * joints every 20-40 m and short branches into side streets, every customer at one of them.
 * Cables are sized as a planner does, for the feeder's customers after diversity, so that a normal
 * evening loads none above about two thirds of its rating; the one congested feeder is the
 * exception, built thin and long before its street took to electric cars.
 */

export type SecondarySubstationRow = typeof secondarySubstations.$inferSelect;
export type FeederRow = typeof feeders.$inferSelect;
export type BusRow = typeof buses.$inferSelect;
export type LineSegmentRow = typeof lineSegments.$inferSelect;
export type ConnectionRow = typeof connections.$inferSelect;

/** The draws topology needs; parish.ts's seeded generator. */
export interface Draws {
  next(): number;
  int(min: number, max: number): number;
  range(min: number, max: number): number;
  chance(p: number): boolean;
}

export interface TopologyInput {
  substations: readonly SecondarySubstationRow[];
  feedersBySubstation: readonly (readonly FeederRow[])[];
  /** Each connection's feeder and phase are kept; its bus is set here. */
  connections: ConnectionRow[];
  contractedKvaOf(meteringPointId: string): number;
  /** The congested feeder and the points on it whose home chargers congest it (placed at its far end). */
  congestion: { feederId: string; meteringPointIds: ReadonlySet<string> } | null;
  seed: number;
}

export interface Topology {
  /** The substations with their transformer, MV source and LV bus. */
  substations: SecondarySubstationRow[];
  buses: BusRow[];
  lineSegments: LineSegmentRow[];
}

/** The LV board's bus in every substation. */
export const LV_BOARD = 'LV';

const NOMINAL_PHASE_V = 230;
/** Customers per joint: a building's meters share one service cable. */
const CUSTOMERS_PER_BUS = 2.5;
const MAX_BUSES = 18;
const TRUNK_SHARE = 0.6;
/** A cable is chosen for at most this share of its rating at the design load. */
const DESIGN_UTILISATION = 0.8;
const OVERHEAD_SHARE = 0.2;
/**
 * After diversity, the share of contracted power a group of n customers draws at once: all of it
 * for one, falling towards a fifth for many (the shape of the ADMD curves planners use).
 */
const coincidence = (customers: number) => Math.min(1, 0.2 + 0.8 / Math.sqrt(customers));

/**
 * The congested feeder: 120 m of LSVAV 4x95 from the board to the street, then 180 m of LSVAV 4x50
 * along it, laid when the street had a few houses; the chargers sit on the last four joints.
 */
const CONGESTED_TRUNK_M: readonly number[] = [60, 30, 30];
const CONGESTED_THIN_M: readonly number[] = [30, 30, 30, 30, 30, 30, 30, 30];
const CONGESTED_FAR_JOINTS = 4;

/** MV source: Lisbon's 10 kV cable network, nearer the primary the stiffer. */
const ISC3_A: readonly [number, number] = [6_000, 14_000];
const X1R1: readonly [number, number] = [2, 4];
/** EDP earths its underground MV networks through a zig-zag reactance that limits earth faults to about 1 kA. */
const ISC1_A = 1_000;
/** OpenDSS's default; the delta winding keeps the MV zero sequence from the LV side. */
const X0R0 = 3;

const round = (value: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};
const cableByName = (name: string): Cable => {
  const cable = CABLES.find((c) => c.name === name);
  if (!cable) throw new Error(`no cable ${name}`);
  return cable;
};

interface Joint {
  name: string;
  /** The segment feeding it. */
  segment: string;
  parent: number;
  lengthM: number;
  x: number;
  y: number;
  trunk: boolean;
  /** Per phase, contracted kVA downstream (a three-phase customer a third on each), and how many customers. */
  kva: Triple;
  customers: number;
  /** Fixed by the feeder's design (the congested feeder); else sized. */
  cable: Cable | null;
}

/** A connection's contracted kVA on the joint's phases, for sizing. */
function addLoad(joint: Joint, phase: 'A' | 'B' | 'C' | 'ABC', kva: number): void {
  addToPhases(joint.kva, phase, kva);
  joint.customers++;
}

const BY_ROUTE: Readonly<Record<Route, readonly { cable: Cable; designLimitA: number }[]>> = {
  underground: CABLES.filter((c) => c.route === 'underground').map((cable) => ({ cable, designLimitA: DESIGN_UTILISATION * ampacityOf(cable) })),
  overhead: CABLES.filter((c) => c.route === 'overhead').map((cable) => ({ cable, designLimitA: DESIGN_UTILISATION * ampacityOf(cable) })),
};

/**
 * The smallest cable of the route with enough rating for the design current (on a trunk, not the
 * route's smallest: trunks are laid for growth), or the largest there is.
 */
function sizeCable(route: Route, designA: number, trunk: boolean): Cable {
  const choices = BY_ROUTE[route];
  for (let i = trunk ? 1 : 0; i < choices.length; i++) if (designA <= choices[i]!.designLimitA) return choices[i]!.cable;
  // Façade cables stop at 70 mm²: a heavier section goes underground.
  return BY_ROUTE.underground.at(-1)!.cable;
}

/**
 * The j-th joint of a feeder (F2-07, fed by segment F2-S07), lengthM from its parent's position
 * towards `angle`. Properties written out, not spread: spreads leave V8 slow objects, and the
 * seed makes thousands of joints.
 */
function joint(feederPrefix: string, j: number, parent: number, from: { x: number; y: number }, angle: number, lengthM: number, trunk: boolean, cable: Cable | null): Joint {
  const number = String(j + 1).padStart(2, '0');
  return {
    name: `${feederPrefix}-${number}`,
    segment: `${feederPrefix}-S${number}`,
    parent,
    lengthM,
    x: from.x + lengthM * Math.cos(angle),
    y: from.y + lengthM * Math.sin(angle),
    trunk,
    kva: [0, 0, 0],
    customers: 0,
    cable,
  };
}

const ORIGIN = { x: 0, y: 0 };

/** The joints of an ordinary feeder: a trunk, then branches off its joints. */
function layOut(feeder: FeederRow, customers: number, angle: number, random: Draws): Joint[] {
  const count = Math.min(MAX_BUSES, Math.max(2, Math.ceil(customers / CUSTOMERS_PER_BUS)));
  const trunkCount = Math.max(2, Math.ceil(count * TRUNK_SHARE));
  const joints: Joint[] = [];
  const prefix = feeder.id.slice(feeder.secondarySubstationId.length + 1);
  const add = (parent: number, lengthM: number, direction: number, trunk: boolean) => {
    joints.push(joint(prefix, joints.length, parent, parent < 0 ? ORIGIN : joints[parent]!, direction, lengthM, trunk, null));
  };
  for (let j = 0; j < trunkCount; j++) {
    // The first length runs from the substation to the street.
    add(j - 1, round(j === 0 ? random.range(40, 120) : random.range(20, 40), 1), angle + random.range(-0.25, 0.25), true);
  }
  while (joints.length < count) {
    const size = Math.min(count - joints.length, random.int(1, 3));
    let parent = random.int(1, trunkCount - 1);
    const side = angle + (random.chance(0.5) ? 1 : -1) * (Math.PI / 2);
    for (let b = 0; b < size; b++) {
      add(parent, round(random.range(20, 35), 1), side + random.range(-0.2, 0.2), false);
      parent = joints.length - 1;
    }
  }
  return joints;
}

/** The congested feeder's fixed layout (see CONGESTED_TRUNK_M). */
function layOutCongested(feeder: FeederRow, angle: number): Joint[] {
  const prefix = feeder.id.slice(feeder.secondarySubstationId.length + 1);
  const thick = cableByName('LSVAV 4x95');
  const thin = cableByName('LSVAV 4x50');
  const joints: Joint[] = [];
  [...CONGESTED_TRUNK_M, ...CONGESTED_THIN_M].forEach((lengthM, j) => {
    joints.push(joint(prefix, j, j - 1, j === 0 ? ORIGIN : joints[j - 1]!, angle, lengthM, true, j < CONGESTED_TRUNK_M.length ? thick : thin));
  });
  return joints;
}

/** The substation's transformer by its rating, and its MV source. */
function withModel(substation: SecondarySubstationRow, key: number, seed: number, random: Draws): SecondarySubstationRow {
  const transformer = transformerType(substation.ratedPowerKva);
  const nearness = random.next();
  return {
    ...substation,
    transformerPrimaryKv: MV_KV,
    transformerSecondaryKv: LV_KV,
    transformerConnection: 'Dyn',
    transformerResistancePercent: transformer.resistancePercent,
    transformerReactancePercent: transformer.reactancePercent,
    sourceVoltageKv: MV_KV,
    sourceVoltagePu: round(busbarSetPointPu(key, seed), 4),
    sourceIsc3A: Math.round((ISC3_A[0] + nearness * (ISC3_A[1] - ISC3_A[0])) / 100) * 100,
    sourceIsc1A: ISC1_A,
    sourceX1R1: round(X1R1[0] + nearness * (X1R1[1] - X1R1[0]), 1),
    sourceX0R0: X0R0,
    lvBusId: modelId(substation.id, LV_BOARD),
  };
}

export function generateTopology(input: TopologyInput, random: Draws): Topology {
  const { congestion } = input;
  const connectionsByFeeder = new Map<string, ConnectionRow[]>();
  for (const connection of input.connections) {
    const list = connectionsByFeeder.get(connection.feederId);
    if (list) list.push(connection);
    else connectionsByFeeder.set(connection.feederId, [connection]);
  }
  const busRows: BusRow[] = [];
  const segmentRows: LineSegmentRow[] = [];
  const substations = input.substations.map((substation, s) => {
    const modelled = withModel(substation, s + 1, input.seed, random);
    busRows.push({ id: modelId(substation.id, LV_BOARD), secondarySubstationId: substation.id, name: LV_BOARD, x: 0, y: 0 });
    const own = input.feedersBySubstation[s]!;
    const start = random.range(0, 2 * Math.PI);
    own.forEach((feeder, f) => {
      const angle = start + (2 * Math.PI * f) / own.length;
      const customers = connectionsByFeeder.get(feeder.id) ?? [];
      const congested = congestion?.feederId === feeder.id;
      const joints = congested ? layOutCongested(feeder, angle) : layOut(feeder, customers.length, angle, random);
      const route: Route = !congested && random.chance(OVERHEAD_SHARE) ? 'overhead' : 'underground';
      for (const connection of customers) {
        let at: number;
        if (!congested) at = random.int(0, joints.length - 1);
        else if (congestion.meteringPointIds.has(connection.meteringPointId)) at = joints.length - 1 - random.int(0, CONGESTED_FAR_JOINTS - 1);
        // The street's other houses before them on the thin cable; shops on the thick one.
        else if (connection.phase !== 'ABC') at = random.int(CONGESTED_TRUNK_M.length, joints.length - 1 - CONGESTED_FAR_JOINTS);
        else at = random.int(0, CONGESTED_TRUNK_M.length - 1);
        connection.busId = modelId(substation.id, joints[at]!.name);
        const kva = input.contractedKvaOf(connection.meteringPointId);
        // Every joint up to the board carries the customer.
        // connections.phase holds 'A', 'B', 'C' or 'ABC' (generateParish writes it so).
        const phase = connection.phase as 'A' | 'B' | 'C' | 'ABC';
        for (let j = at; j >= 0; j = joints[j]!.parent) addLoad(joints[j]!, phase, kva);
      }
      joints.forEach((node, j) => {
        const [a, b, c] = node.kva;
        const designA = (Math.max(a, b, c) * coincidence(Math.max(1, node.customers)) * 1000) / NOMINAL_PHASE_V;
        // The first length leaves the substation underground whatever the street has.
        const cable = node.cable ?? sizeCable(j === 0 ? 'underground' : route, designA, node.trunk);
        const to = modelId(substation.id, node.name);
        busRows.push({ id: to, secondarySubstationId: substation.id, name: node.name, x: round(node.x, 1), y: round(node.y, 1) });
        segmentRows.push({
          id: modelId(substation.id, node.segment),
          secondarySubstationId: substation.id,
          feederId: feeder.id,
          name: node.segment,
          fromBusId: node.parent < 0 ? modelId(substation.id, LV_BOARD) : modelId(substation.id, joints[node.parent]!.name),
          toBusId: to,
          lengthM: node.lengthM,
          lineCode: cable.name,
        });
      });
    });
    return modelled;
  });
  return { substations, buses: busRows, lineSegments: segmentRows };
}

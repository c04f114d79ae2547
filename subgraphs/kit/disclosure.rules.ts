/**
 * Which area totals a party that may not see individual households gets, for one quarter-hour
 * whose readings are complete. Pure: counts in, decisions out.
 *
 * The areas form a tree (network > primary > secondary substation > feeder > metering points)
 * and, for the regulator, the network is also split by retailer. A party may know some points
 * itself (a retailer its own customers, an aggregator the points it has consents for); every
 * other point is unknown to it. Whatever totals it is given, all it can compute is their linear
 * combinations, and every such combination is constant on "atoms": the points that lie in
 * exactly the same published totals. So no combination can single out fewer than `minPoints`
 * unknown points if every atom holds either none or at least `minPoints` of them. For a tree
 * the atoms are the published areas' residuals (an area minus its nearest published
 * sub-areas), split by the party's groups (its own points apart; for the regulator, by
 * published retailer). The rules below publish an area only when each of its residual groups
 * is empty or large enough:
 *
 * - primary suppression: an area with fewer than `minPoints` unknown points is withheld;
 * - complementary suppression: when an area's residual would hold a small non-empty group
 *   (say, the one small feeder of a substation whose other feeders are published), sub-areas
 *   are withheld, smallest first, until the residual hides it among at least `minPoints`; the
 *   larger area is kept, as statistical offices do, so one small feeder does not cost the
 *   network total. An area whose group is small in the whole area is withheld itself.
 */

export const WITHHELD_REASONS = ['TOO_FEW_POINTS', 'COMPLEMENTARY', 'INCOMPLETE'] as const;
export type WithheldReason = (typeof WITHHELD_REASONS)[number];

/** A group of unknown points: 'all' for most parties, a retailer id (or REST) for the regulator. */
export type Group = string;
export const ALL: Group = 'all';
/** The regulator's group of points outside the published retailers (small retailers, no contract). */
export const REST: Group = '*rest';

export type AreaKind = 'network' | 'primary' | 'secondary' | 'feeder';

export interface AreaTreeFeeder {
  id: string;
  secondarySubstationId: string;
  primarySubstationId: string;
}

/** Unknown points per group and placement: a feeder id, or NOT_CONNECTED for points on no feeder. */
export type PlacementCounts = ReadonlyMap<string, ReadonlyMap<Group, number>>;
export const NOT_CONNECTED = '';

/** An area as decisions name it: `network:`, `primary:<id>`, `secondary:<id>`, `feeder:<id>`. */
export const areaKey = (kind: AreaKind, id = '') => `${kind}:${id}`;

interface Node {
  key: string;
  children: Node[];
  counts: Map<Group, number>;
  total: number;
}

function add(into: Map<Group, number>, from: ReadonlyMap<Group, number>, sign = 1): void {
  for (const [group, n] of from) into.set(group, (into.get(group) ?? 0) + sign * n);
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The tree of areas with the counts of unknown points summed up from the placements. */
function buildTree(feeders: readonly AreaTreeFeeder[], counts: PlacementCounts): Node {
  const node = (key: string): Node => ({ key, children: [], counts: new Map(), total: 0 });
  const root = node(areaKey('network'));
  const primaries = new Map<string, Node>();
  const secondaries = new Map<string, Node>();
  const sorted = [...feeders].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const feederIds = new Set(sorted.map((feeder) => feeder.id));
  for (const feeder of sorted) {
    let primary = primaries.get(feeder.primarySubstationId);
    if (!primary) {
      primary = node(areaKey('primary', feeder.primarySubstationId));
      primaries.set(feeder.primarySubstationId, primary);
      root.children.push(primary);
    }
    let secondary = secondaries.get(feeder.secondarySubstationId);
    if (!secondary) {
      secondary = node(areaKey('secondary', feeder.secondarySubstationId));
      secondaries.set(feeder.secondarySubstationId, secondary);
      primary.children.push(secondary);
    }
    const leaf = node(areaKey('feeder', feeder.id));
    add(leaf.counts, counts.get(feeder.id) ?? new Map());
    secondary.children.push(leaf);
  }
  // Points on no feeder, or on one the tree does not know, are in the network total only.
  for (const [placement, groups] of counts) if (placement === NOT_CONNECTED || !feederIds.has(placement)) add(root.counts, groups);
  const sum = (n: Node): void => {
    n.children.sort(byKey);
    for (const child of n.children) {
      sum(child);
      add(n.counts, child.counts);
    }
    for (const [group, count] of n.counts) if (count === 0) n.counts.delete(group);
    n.total = [...n.counts.values()].reduce((a, b) => a + b, 0);
  };
  sum(root);
  return root;
}

const isSmall = (n: number, minPoints: number) => n > 0 && n < minPoints;

/**
 * For every area of the tree, null when its total may be given, else why it is withheld.
 * `counts` holds only points unknown to the party; groups split them as described above.
 */
export function discloseAreas(feeders: readonly AreaTreeFeeder[], counts: PlacementCounts, minPoints: number): Map<string, WithheldReason | null> {
  const decisions = new Map<string, WithheldReason | null>();
  /** The nearest published areas below each processed area (itself excluded). */
  const nearestBelow = new Map<string, Node[]>();
  /** Each published area's residual: its counts minus those of its nearest published areas. */
  const residualOf = new Map<string, Map<Group, number>>();

  const visit = (node: Node): Node[] => {
    // What the parent sees below this area: the area itself if published, else what is below it.
    const nearest = node.children.flatMap(visit);
    nearestBelow.set(node.key, nearest);
    if (node.total < minPoints) {
      decisions.set(node.key, 'TOO_FEW_POINTS');
      return nearest;
    }
    if ([...node.counts.values()].some((n) => isSmall(n, minPoints))) {
      // A group small in the whole area: no choice of sub-areas can hide it.
      decisions.set(node.key, 'COMPLEMENTARY');
      return nearest;
    }
    const residual = new Map(node.counts);
    for (const below of nearest) add(residual, below.counts, -1);
    for (;;) {
      const bad = [...residual.entries()].filter(([, n]) => isSmall(n, minPoints)).map(([group]) => group).sort();
      if (bad.length === 0) break;
      const group = bad[0]!;
      const holding = nearest.filter((below) => (below.counts.get(group) ?? 0) > 0);
      const freeing = holding.filter((below) => (residualOf.get(below.key)!.get(group) ?? 0) > 0);
      const pool = freeing.length > 0 ? freeing : holding;
      const withdrawn = pool.reduce((best, candidate) => (candidate.total < best.total || (candidate.total === best.total && candidate.key < best.key) ? candidate : best));
      decisions.set(withdrawn.key, 'COMPLEMENTARY');
      add(residual, residualOf.get(withdrawn.key)!);
      residualOf.delete(withdrawn.key);
      nearest.splice(nearest.indexOf(withdrawn), 1, ...nearestBelow.get(withdrawn.key)!);
    }
    decisions.set(node.key, null);
    residualOf.set(node.key, residual);
    return [node];
  };
  visit(buildTree(feeders, counts));
  return decisions;
}

/**
 * The regulator's per-retailer totals for one quarter-hour: each retailer with at least
 * `minPoints` reporting points, as long as what is left of the network (the other retailers'
 * and uncontracted points) is empty or large enough too; else the smallest published retailers
 * are withheld as well. `otherPoints`: points without a contract.
 */
export function discloseRetailers(pointsByRetailer: ReadonlyMap<string, number>, otherPoints: number, minPoints: number): Map<string, WithheldReason | null> {
  const decisions = new Map<string, WithheldReason | null>();
  let rest = otherPoints;
  const published: [string, number][] = [];
  for (const [retailer, n] of [...pointsByRetailer].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (n >= minPoints) {
      published.push([retailer, n]);
      decisions.set(retailer, null);
    } else {
      decisions.set(retailer, 'TOO_FEW_POINTS');
      rest += n;
    }
  }
  published.sort(([ra, a], [rb, b]) => a - b || (ra < rb ? -1 : 1));
  while (isSmall(rest, minPoints) && published.length > 0) {
    const [retailer, n] = published.shift()!;
    decisions.set(retailer, 'COMPLEMENTARY');
    rest += n;
  }
  return decisions;
}

import { bucketOf, nextBucket, type CurveWindow } from './demand.rules';
import { INTERVAL_MS } from './reading.rules';
import { discloseAreas, discloseRetailers, REST, ALL, type AreaTreeFeeder, type Group, type PlacementCounts, type WithheldReason } from '../kit/disclosure.rules';

/**
 * Applies the disclosure rules (disclosure.rules.ts) to a window of quarter-hours. Pure.
 *
 * Which points report in a quarter-hour is only known exactly when it is complete: every point
 * with a supply contract in force reported, and no other (the network's reading count equals
 * the retailers' and the number of contracts in force). Parties that may not see individuals
 * get complete quarter-hours only, for two reasons: the counts the rules need are then exactly
 * the contracts in force (no per-point scan), and a total once given never changes because a
 * late reading arrived, which would otherwise show that one household's reading as the
 * difference of two answers. Within a window, contracts (and a party's consents) change only
 * at a few instants; between them the counts, hence the decisions, are the same ("epochs").
 */

/** Points with a supply contract of `retailerId` in force over [fromMs, toMs), per placement (feeder, or '' for none). */
export interface ContractSpan {
  placement: string;
  retailerId: string;
  fromMs: number;
  toMs: number;
  points: number;
}

/** One point the party knows individually over [fromMs, toMs): under consent, while contracted. */
export interface KnownSpan {
  pointId: string;
  placement: string;
  retailerId: string;
  fromMs: number;
  toMs: number;
}

/** Who asks, as far as the rules go: which points it knows, and whether it gets retailers' totals. */
export type DisclosureParty =
  | { kind: 'public' }
  | { kind: 'regulator' }
  | { kind: 'retailer'; retailerId: string }
  | { kind: 'consent'; known: readonly KnownSpan[] };

export interface DisclosureEpoch {
  fromMs: number;
  toMs: number;
  /** Contracts in force: a complete quarter-hour has exactly this many readings. */
  expectedPoints: number;
  /** null: the area's total may be given; else why not. Keys: disclosure.rules areaKey. */
  areas: ReadonlyMap<string, WithheldReason | null>;
  /** The regulator's per-retailer totals; null for other parties. */
  retailers: ReadonlyMap<string, WithheldReason | null> | null;
}

type Cells = Map<string, Map<string, number>>;

function addCell(cells: Cells, placement: string, retailerId: string, n: number): void {
  let byRetailer = cells.get(placement);
  if (!byRetailer) cells.set(placement, (byRetailer = new Map()));
  byRetailer.set(retailerId, (byRetailer.get(retailerId) ?? 0) + n);
}

/** Unknown points per placement and group, as the party's rules group them. */
function groupedCounts(cells: Cells, known: Cells, group: (retailerId: string) => Group | null): PlacementCounts {
  const counts = new Map<string, Map<Group, number>>();
  for (const [placement, byRetailer] of cells) {
    const groups = new Map<Group, number>();
    for (const [retailerId, n] of byRetailer) {
      const name = group(retailerId);
      if (name === null) continue;
      const unknown = n - (known.get(placement)?.get(retailerId) ?? 0);
      if (unknown > 0) groups.set(name, (groups.get(name) ?? 0) + unknown);
    }
    counts.set(placement, groups);
  }
  return counts;
}

/** The decisions for one epoch's contracts in force (`cells`) and the party's known points. */
function decide(party: DisclosureParty, feeders: readonly AreaTreeFeeder[], cells: Cells, known: Cells, minPoints: number): Pick<DisclosureEpoch, 'areas' | 'retailers'> {
  switch (party.kind) {
    case 'public':
    case 'consent':
      return { areas: discloseAreas(feeders, groupedCounts(cells, known, () => ALL), minPoints), retailers: null };
    case 'retailer':
      // Its own points are known to it: only the others' count, and must hide each other.
      return { areas: discloseAreas(feeders, groupedCounts(cells, known, (retailerId) => (retailerId === party.retailerId ? null : ALL)), minPoints), retailers: null };
    case 'regulator': {
      const byRetailer = new Map<string, number>();
      for (const row of cells.values()) for (const [retailerId, n] of row) byRetailer.set(retailerId, (byRetailer.get(retailerId) ?? 0) + n);
      const retailers = discloseRetailers(byRetailer, 0, minPoints);
      const group = (retailerId: string) => (retailers.get(retailerId) === null ? retailerId : REST);
      return { areas: discloseAreas(feeders, groupedCounts(cells, known, group), minPoints), retailers };
    }
  }
}

/**
 * The epochs of [fromMs, toMs): the intervals between the instants at which a contract (or a
 * known point's span) starts or ends, each with its decisions, computed only when first asked.
 */
export function disclosureEpochs(
  party: DisclosureParty,
  feeders: readonly AreaTreeFeeder[],
  contracts: readonly ContractSpan[],
  window: { fromMs: number; toMs: number },
  minPoints: number,
): LazyEpoch[] {
  const known = party.kind === 'consent' ? party.known : [];
  const cuts = new Set<number>([window.fromMs, window.toMs]);
  for (const span of [...contracts, ...known]) {
    if (span.fromMs > window.fromMs && span.fromMs < window.toMs) cuts.add(span.fromMs);
    if (span.toMs > window.fromMs && span.toMs < window.toMs) cuts.add(span.toMs);
  }
  const bounds = [...cuts].sort((a, b) => a - b);
  return bounds.slice(0, -1).map((fromMs, i) => {
    const toMs = bounds[i + 1]!;
    const covers = (span: { fromMs: number; toMs: number }) => span.fromMs <= fromMs && span.toMs >= toMs;
    const cells: Cells = new Map();
    let expectedPoints = 0;
    for (const span of contracts) {
      if (!covers(span)) continue;
      addCell(cells, span.placement, span.retailerId, span.points);
      expectedPoints += span.points;
    }
    let decided: Pick<DisclosureEpoch, 'areas' | 'retailers'> | null = null;
    return {
      fromMs,
      toMs,
      expectedPoints,
      decisions() {
        if (!decided) {
          const knownCells: Cells = new Map();
          const seen = new Set<string>();
          for (const span of known) {
            // A point with two consents is one known point.
            if (!covers(span) || seen.has(span.pointId)) continue;
            seen.add(span.pointId);
            addCell(knownCells, span.placement, span.retailerId, 1);
          }
          decided = decide(party, feeders, cells, knownCells, minPoints);
        }
        return decided;
      },
    };
  });
}

export interface LazyEpoch {
  fromMs: number;
  toMs: number;
  expectedPoints: number;
  decisions(): Pick<DisclosureEpoch, 'areas' | 'retailers'>;
}

/** A quarter-hour that holds readings: how many points reported in the network, and how many with a contract (the retailers' counts). */
export interface QuarterCounts {
  startMs: number;
  networkReadings: number;
  contractedReadings: number;
}

/** What is asked: an area (disclosure.rules areaKey) or, for the regulator, a retailer's portfolio. */
export type DisclosureSubject = { area: string } | { retailerId: string };

/** Whether one quarter-hour's total of `subject` may be given: null, or why not. */
export function quarterStatus(epochs: readonly LazyEpoch[], quarter: QuarterCounts, subject: DisclosureSubject): WithheldReason | null {
  const epoch = epochAt(epochs, quarter.startMs);
  if (!epoch || quarter.networkReadings !== quarter.contractedReadings || quarter.contractedReadings !== epoch.expectedPoints) return 'INCOMPLETE';
  const { areas, retailers } = epoch.decisions();
  const decision = 'area' in subject ? areas.get(subject.area) : retailers?.get(subject.retailerId);
  // An area or retailer the decisions do not know holds none of the points in force.
  return decision === undefined ? 'TOO_FEW_POINTS' : decision;
}

const NO_READINGS = { networkReadings: 0, contractedReadings: 0 };

/**
 * Each bucket of the window (by its start, bucketOf) with its decision: null when every one of
 * its quarter-hours inside the window may be given, else the first reason one of them may not.
 * Every quarter-hour is checked, those without any reading too (`quarters` holds only those
 * with readings): an hour or a day missing a quarter-hour is INCOMPLETE, since its total would
 * change, by a household's reading, once that quarter-hour arrives.
 */
export function bucketDecisions(
  epochs: readonly LazyEpoch[],
  quarters: readonly QuarterCounts[],
  window: CurveWindow,
  subject: DisclosureSubject,
): Map<number, WithheldReason | null> {
  // By position in the window (an array: a Map keyed by ten years of instants takes a third of a second).
  const counted: (QuarterCounts | undefined)[] = new Array((window.toMs - window.fromMs) / INTERVAL_MS);
  for (const quarter of quarters) counted[(quarter.startMs - window.fromMs) / INTERVAL_MS] = quarter;
  const decisions = new Map<number, WithheldReason | null>();
  let startMs = window.fromMs;
  while (startMs < window.toMs) {
    const bucket = bucketOf(startMs, window.resolution);
    const endMs = Math.min(nextBucket(bucket, window.resolution), window.toMs);
    let reason: WithheldReason | null = null;
    for (let quarterMs = startMs; quarterMs < endMs && reason === null; quarterMs += INTERVAL_MS) {
      reason = quarterStatus(epochs, counted[(quarterMs - window.fromMs) / INTERVAL_MS] ?? { startMs: quarterMs, ...NO_READINGS }, subject);
    }
    decisions.set(bucket, reason);
    startMs = endMs;
  }
  return decisions;
}

function epochAt(epochs: readonly LazyEpoch[], atMs: number): LazyEpoch | undefined {
  let low = 0;
  let high = epochs.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const epoch = epochs[mid]!;
    if (atMs < epoch.fromMs) high = mid - 1;
    else if (atMs >= epoch.toMs) low = mid + 1;
    else return epoch;
  }
  return undefined;
}

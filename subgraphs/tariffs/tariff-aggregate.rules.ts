/**
 * Who may ask for which tariff aggregate (peakHours, compareSchemes, tariffKpis), as metering's
 * demand decides it (metering/demand.rules.ts demandPlan), and whether an area passes the
 * aggregate rule (kit/disclosure.rules.ts). Pure.
 *
 * - The DSO: anything.
 * - A set of metering points: only to a party that may read each of them one by one (a retailer
 *   its present customers, an aggregator or researcher the points it has a consent for, a
 *   customer its own), computed on the readings it may read (a retailer's inside its supply
 *   periods, a consent's inside its period).
 * - A retailer's portfolio (every point it supplied in the window, while it did): to that retailer.
 * - An area: to retailers, consent holders and stakeholders (regulator, developer, ...) under the
 *   aggregate rule, with the points the party knows itself (its customers, its consented points)
 *   left out of the count and the regulator's points grouped by retailer, as metering does for
 *   its demand totals. The rule is taken on the present metering points (their connections and
 *   contracts now). Metering's demand withholds buckets one by one; here the answer is one
 *   aggregate over the window (a ranking of hours, a cost), so an area the rule withholds is
 *   refused as a whole, with the rule's reason. A customer gets no area totals (no
 *   metering:aggregate either).
 */
import type { Identity } from '../../schema/identity';
import { ALL, areaKey, discloseAreas, discloseRetailers, REST, type AreaTreeFeeder, type Group, type WithheldReason } from '../kit/disclosure.rules';
import type { ScopeArea, TariffScope } from './tariff-scope.rules';

/** Who asks for an area, as far as the rule goes: whether it knows some points, whether its points are grouped by retailer. */
export type AggregateParty = { kind: 'public' } | { kind: 'regulator' } | { kind: 'knowing' };

export type AggregatePlan =
  | { kind: 'all' }
  | { kind: 'individual' }
  | { kind: 'own-portfolio' }
  | { kind: 'disclosed'; party: AggregateParty }
  | { kind: 'refused'; reason: string };

/** What to name instead of a set of points, by the input the scope came from: a TariffScopeInput names any area, a TariffSampleInput (tariffKpis) a secondary substation only. */
const AREAS_INSTEAD = {
  scope: 'ask for an area instead (network, primarySubstationId, secondarySubstationId or feederId)',
  sample: 'ask for a secondary substation instead (secondarySubstationId)',
} as const;
export type ScopeInput = keyof typeof AREAS_INSTEAD;

export function aggregatePlan(identity: Pick<Identity, 'role'>, scope: TariffScope, input: ScopeInput = 'scope'): AggregatePlan {
  const { role } = identity;
  if (role === 'dso') return { kind: 'all' };
  switch (scope.kind) {
    case 'points':
      return role === 'retailer' || role === 'aggregator' || role === 'researcher' || role === 'customer'
        ? { kind: 'individual' }
        : { kind: 'refused', reason: `sets of metering points are only for points you may read one by one; ${AREAS_INSTEAD[input]}` };
    case 'portfolio':
      return role === 'retailer' ? { kind: 'own-portfolio' } : { kind: 'refused', reason: "retailerPortfolio is a retailer's own customers: for retailers only" };
    case 'area':
      switch (role) {
        case 'customer':
          return { kind: 'refused', reason: 'area totals are for the DSO, retailers and stakeholders; ask for your own metering point' };
        case 'regulator':
          return { kind: 'disclosed', party: { kind: 'regulator' } };
        case 'retailer':
        case 'aggregator':
        case 'researcher':
          return { kind: 'disclosed', party: { kind: 'knowing' } };
        default:
          return { kind: 'disclosed', party: { kind: 'public' } };
      }
  }
}

/** Present metering points of one placement (a feeder, or '' for none) and retailer (null: no contract), and how many of them the party knows. */
export interface PlacementCount {
  placement: string;
  retailerId: string | null;
  points: number;
  known: number;
}

/** The area's decision under the aggregate rule for the party: null when its totals may be given, else why not. */
export function areaDecision(party: AggregateParty, feeders: readonly AreaTreeFeeder[], placements: readonly PlacementCount[], area: ScopeArea, minPoints: number): WithheldReason | null {
  let group: (retailerId: string | null) => Group = () => ALL;
  if (party.kind === 'regulator') {
    const byRetailer = new Map<string, number>();
    let uncontracted = 0;
    for (const { retailerId, points } of placements) {
      if (retailerId === null) uncontracted += points;
      else byRetailer.set(retailerId, (byRetailer.get(retailerId) ?? 0) + points);
    }
    const retailers = discloseRetailers(byRetailer, uncontracted, minPoints);
    group = (retailerId) => (retailerId !== null && retailers.get(retailerId) === null ? retailerId : REST);
  }
  const counts = new Map<string, Map<Group, number>>();
  for (const row of placements) {
    const unknown = row.points - (party.kind === 'knowing' ? row.known : 0);
    if (unknown <= 0) continue;
    const groups = counts.get(row.placement) ?? new Map<Group, number>();
    const name = group(row.retailerId);
    groups.set(name, (groups.get(name) ?? 0) + unknown);
    counts.set(row.placement, groups);
  }
  const key = area.kind === 'network' ? areaKey('network') : areaKey(area.kind, area.id);
  const decision = discloseAreas(feeders, counts, minPoints).get(key);
  // An area the rule does not know holds none of the points the party does not know.
  return decision === undefined ? 'TOO_FEW_POINTS' : decision;
}

/** The refusal of a withheld area, in the words of metering's DemandWithheldReason. */
export function withheldMessage(reason: WithheldReason, minPoints: number): string {
  const rule = 'Under the aggregate rule the totals of this area are withheld';
  switch (reason) {
    case 'TOO_FEW_POINTS':
      return `${rule} (TOO_FEW_POINTS): it holds fewer than ${minPoints} metering points other than those you may read yourself; ask for a larger area`;
    case 'COMPLEMENTARY':
      return `${rule} (COMPLEMENTARY): with the totals of the areas around it, it would single out fewer than ${minPoints} metering points; ask for the area above it`;
    case 'INCOMPLETE':
      return `${rule} (INCOMPLETE): not every metering point in it has reported yet`;
  }
}

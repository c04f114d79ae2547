import { BadUserInputError } from '../../schema/errors';
import type { Identity } from '../../schema/identity';
import { DAY_MS, HOUR_MS, lisbonLocalDay, lisbonMidnightUtcMs } from '../kit/calendar';
import { INTERVAL_MS } from './reading.rules';

export enum Resolution {
  PT15M = 'PT15M',
  PT1H = 'PT1H',
  P1D = 'P1D',
}

/** Rollup scope kinds, as stored in metering.demand_rollups.scope_kind. */
export enum DemandScopeKind {
  Network = 0,
  PrimarySubstation = 1,
  SecondarySubstation = 2,
  Feeder = 3,
  Retailer = 4,
}

/**
 * The longest window of one series at each resolution: a quarter of quarter-hours, a year of
 * hours, ten years of days (about 9,000 buckets each). Longer windows are for coarser resolutions.
 */
export const MAX_WINDOW_DAYS: Record<Resolution, number> = { [Resolution.PT15M]: 92, [Resolution.PT1H]: 366, [Resolution.P1D]: 3_660 };

const COARSER: Record<Resolution, string> = {
  [Resolution.PT15M]: 'use resolution PT1H or P1D for longer windows',
  [Resolution.PT1H]: 'use resolution P1D for longer windows',
  [Resolution.P1D]: 'split the window',
};

/** What is wrong with a requested window, or null. */
export function windowProblem(fromMs: number, toMs: number, resolution: Resolution): string | null {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) return 'from and to must be valid times';
  if (toMs <= fromMs) return 'to must be after from';
  if (fromMs % INTERVAL_MS !== 0 || toMs % INTERVAL_MS !== 0) return 'from and to must be aligned to 15 minutes';
  const days = MAX_WINDOW_DAYS[resolution];
  if (toMs - fromMs > days * DAY_MS) return `a ${resolution} window may span at most ${days} days; ${COARSER[resolution]}`;
  return null;
}

/**
 * Where a series over `window` starts (the start of the bucket `fromMs` falls in) and how many
 * buckets it has: the series form's arrays, one value per bucket (23- and 25-hour local days included).
 */
export function seriesFrame(window: CurveWindow): { startMs: number; length: number } {
  switch (window.resolution) {
    case Resolution.PT15M:
      return { startMs: window.fromMs, length: (window.toMs - window.fromMs) / INTERVAL_MS };
    case Resolution.PT1H: {
      const startMs = Math.floor(window.fromMs / HOUR_MS) * HOUR_MS;
      return { startMs, length: Math.ceil((window.toMs - startMs) / HOUR_MS) };
    }
    case Resolution.P1D: {
      const first = lisbonLocalDay(window.fromMs);
      return { startMs: lisbonMidnightUtcMs(first), length: lisbonLocalDay(window.toMs - 1) - first + 1 };
    }
  }
}

/** The start of the bucket an instant falls in, as bucketStart (bucket.sql.ts) computes it in SQL. */
export function bucketOf(utcMs: number, resolution: Resolution): number {
  switch (resolution) {
    case Resolution.PT15M:
      return utcMs - (utcMs % INTERVAL_MS);
    case Resolution.PT1H:
      return Math.floor(utcMs / HOUR_MS) * HOUR_MS;
    case Resolution.P1D:
      return lisbonMidnightUtcMs(lisbonLocalDay(utcMs));
  }
}

/** The start of the bucket after the one starting at `startMs` (a bucket's end). */
export function nextBucket(startMs: number, resolution: Resolution): number {
  switch (resolution) {
    case Resolution.PT15M:
      return startMs + INTERVAL_MS;
    case Resolution.PT1H:
      return startMs + HOUR_MS;
    case Resolution.P1D:
      return lisbonMidnightUtcMs(lisbonLocalDay(startMs) + 1);
  }
}

/** How many buckets a series over `window` has (the unit of the operation cost). */
export const bucketCount = (window: CurveWindow) => seriesFrame(window).length;

export interface CurveWindow {
  fromMs: number;
  toMs: number;
  resolution: Resolution;
}

/** A validated window from GraphQL arguments; BAD_USER_INPUT when it makes no sense. */
export function curveWindow(args: { from: Date; to: Date; resolution?: Resolution | null }): CurveWindow {
  const window = { fromMs: args.from.getTime(), toMs: args.to.getTime(), resolution: args.resolution ?? Resolution.PT15M };
  const problem = windowProblem(window.fromMs, window.toMs, window.resolution);
  if (problem) throw new BadUserInputError(problem);
  return window;
}

export type DemandScope =
  | { kind: 'points'; meteringPointIds: string[] }
  | { kind: 'area'; scopeKind: DemandScopeKind.Network | DemandScopeKind.PrimarySubstation | DemandScopeKind.SecondarySubstation | DemandScopeKind.Feeder; id: string }
  | { kind: 'retailer'; retailerId: string };

/**
 * How a demand question is answered, by who asks and what (the DSO's answers are never cut):
 * - a set of metering points only to a party that may read each of them individually (a
 *   retailer its own, an aggregator or researcher its consented ones), over what it may read;
 * - a retailer's own portfolio to that retailer;
 * - areas (and, for the regulator, retailers' portfolios) to everyone else under the disclosure
 *   rules, which withhold any quarter-hour whose total could single out a household.
 */
export type DemandPlan =
  | { kind: 'all' }
  | { kind: 'individual' }
  | { kind: 'own-portfolio' }
  | { kind: 'disclosed'; party: DisclosurePartyKind }
  | { kind: 'refused'; reason: string };

/** Who asks for disclosed totals: what it knows individually, and whether retailers' totals are for it. */
export type DisclosurePartyKind = { kind: 'public' } | { kind: 'regulator' } | { kind: 'retailer'; retailerId: string } | { kind: 'consent'; organisationId: string };

const AREAS_HINT = 'ask for an area instead (network, primarySubstationId, secondarySubstationId or feederId)';

export function demandPlan(identity: Identity, scope: DemandScope): DemandPlan {
  const { role, organisationId } = identity;
  if (role === 'dso') return { kind: 'all' };
  switch (scope.kind) {
    case 'points':
      return role === 'retailer' || role === 'aggregator' || role === 'researcher'
        ? { kind: 'individual' }
        : { kind: 'refused', reason: `sets of metering points are only for points you may read one by one; ${AREAS_HINT}` };
    case 'retailer':
      if (role === 'retailer' && scope.retailerId === organisationId) return { kind: 'own-portfolio' };
      if (role === 'regulator') return { kind: 'disclosed', party: { kind: 'regulator' } };
      return { kind: 'refused', reason: "a retailer's portfolio is for that retailer and the regulator" };
    case 'area':
      switch (role) {
        case 'regulator':
          return { kind: 'disclosed', party: { kind: 'regulator' } };
        case 'retailer':
          return { kind: 'disclosed', party: { kind: 'retailer', retailerId: organisationId } };
        case 'aggregator':
        case 'researcher':
          return { kind: 'disclosed', party: { kind: 'consent', organisationId } };
        default:
          return { kind: 'disclosed', party: { kind: 'public' } };
      }
  }
}

export interface DemandScopeFields {
  meteringPointIds?: string[] | null;
  feederId?: string | null;
  secondarySubstationId?: string | null;
  primarySubstationId?: string | null;
  retailerId?: string | null;
  network?: boolean | null;
}

export const MAX_SCOPE_POINTS = 10_000;

/** Exactly one way of naming the scope must be used. */
export function parseDemandScope(fields: DemandScopeFields): DemandScope | string {
  const given = [
    fields.meteringPointIds != null,
    fields.feederId != null,
    fields.secondarySubstationId != null,
    fields.primarySubstationId != null,
    fields.retailerId != null,
    fields.network === true,
  ].filter(Boolean).length;
  if (given !== 1) return 'give exactly one of meteringPointIds, feederId, secondarySubstationId, primarySubstationId, retailerId, network';
  if (fields.meteringPointIds) {
    const ids = [...new Set(fields.meteringPointIds)];
    if (ids.length === 0 || ids.length > MAX_SCOPE_POINTS) return `meteringPointIds must hold 1 to ${MAX_SCOPE_POINTS} ids`;
    return { kind: 'points', meteringPointIds: ids };
  }
  if (fields.retailerId) return { kind: 'retailer', retailerId: fields.retailerId };
  if (fields.feederId) return { kind: 'area', scopeKind: DemandScopeKind.Feeder, id: fields.feederId };
  if (fields.secondarySubstationId) return { kind: 'area', scopeKind: DemandScopeKind.SecondarySubstation, id: fields.secondarySubstationId };
  if (fields.primarySubstationId) return { kind: 'area', scopeKind: DemandScopeKind.PrimarySubstation, id: fields.primarySubstationId };
  return { kind: 'area', scopeKind: DemandScopeKind.Network, id: '' };
}

import { BadUserInputError } from '../../schema/errors';
import type { Identity } from '../../schema/identity';
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

/** Below this many metering points an aggregate could reveal a household: stakeholders are refused. */
export const MIN_AGGREGATE_POINTS = 10;
/** Scope that lets a stakeholder (regulator, TSO, researcher, aggregator) read aggregates. */
export const AGGREGATES_SCOPE = 'aggregates:read';
/** A year of quarter-hours: the most buckets one series may have. */
export const MAX_BUCKETS = 366 * 96;

const BUCKET_MS: Record<Resolution, number> = { [Resolution.PT15M]: INTERVAL_MS, [Resolution.PT1H]: 3_600_000, [Resolution.P1D]: 86_400_000 };

/** What is wrong with a requested window, or null. */
export function windowProblem(fromMs: number, toMs: number, resolution: Resolution): string | null {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) return 'from and to must be valid times';
  if (toMs <= fromMs) return 'to must be after from';
  if (fromMs % INTERVAL_MS !== 0 || toMs % INTERVAL_MS !== 0) return 'from and to must be aligned to 15 minutes';
  if ((toMs - fromMs) / BUCKET_MS[resolution] > MAX_BUCKETS) return `at most ${MAX_BUCKETS} ${resolution} buckets per request`;
  return null;
}

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

export type DemandAccess = { allowed: true; restrictToRetailer: string | null } | { allowed: false; reason: string };

const stakeholderMayRead = (identity: Identity) => identity.scopes.includes(AGGREGATES_SCOPE);

/**
 * Who may read which aggregate. The DSO reads everything. A retailer reads its own portfolio in
 * detail (only its supply periods) and areas as totals. Stakeholders with the aggregates scope
 * read areas, and point sets of at least MIN_AGGREGATE_POINTS; the regulator also reads
 * retailers' totals. No one but the DSO gets an aggregate of fewer than MIN_AGGREGATE_POINTS
 * points, except a retailer over its own customers. `pointCount` is the number of metering points
 * in the scope; `ownsAllPoints` whether the caller supplies (or supplied) every point in a point set.
 */
export function demandAccess(identity: Identity, scope: DemandScope, pointCount: number, ownsAllPoints: boolean): DemandAccess {
  if (identity.role === 'dso') return { allowed: true, restrictToRetailer: null };
  const tooFew = pointCount < MIN_AGGREGATE_POINTS;
  const tooFewReason = `aggregates over fewer than ${MIN_AGGREGATE_POINTS} metering points are not available`;
  if (identity.role === 'retailer') {
    const own = identity.organisationId;
    switch (scope.kind) {
      case 'points':
        return ownsAllPoints ? { allowed: true, restrictToRetailer: own } : { allowed: false, reason: 'every metering point must be one you supply' };
      case 'retailer':
        return scope.retailerId === own ? { allowed: true, restrictToRetailer: null } : { allowed: false, reason: "another retailer's portfolio" };
      case 'area':
        return tooFew ? { allowed: false, reason: tooFewReason } : { allowed: true, restrictToRetailer: null };
    }
  }
  if (!stakeholderMayRead(identity)) return { allowed: false, reason: `the key needs the ${AGGREGATES_SCOPE} scope` };
  if (scope.kind === 'retailer' && identity.role !== 'regulator') return { allowed: false, reason: "retailers' portfolios are for the regulator" };
  if (tooFew) return { allowed: false, reason: tooFewReason };
  return { allowed: true, restrictToRetailer: null };
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

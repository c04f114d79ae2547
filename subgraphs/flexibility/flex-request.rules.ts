import { ISP_MS, MAX_FLEX_PERIOD_MS, type FlexOrderStatus, type FlexRequestStatus } from '../../schema/flexibility';
import type { Problem } from '../kit/problem';
import { onIspGrid } from './flex-isp.rules';

/** One ISP of a request as given: its start and the least and most reduction (kW averaged over it). */
export interface IspDraft {
  startMs: number;
  minKw: number;
  maxKw: number;
}

/** Seven days of ISPs (MAX_FLEX_PERIOD_MS). */
export const MAX_ISPS = MAX_FLEX_PERIOD_MS / ISP_MS;
/** A watt: a smaller reduction means nothing. */
export const MIN_FLEX_KW = 0.001;
/** More than any secondary substation of the grid carries. */
export const MAX_FLEX_KW = 10_000;

/**
 * The problems of a request's ISPs (field `field`): at least one, at most MAX_ISPS, each on the
 * 15-minute UTC grid, none twice, none started before now, each with
 * MIN_FLEX_KW <= minKw <= maxKw <= MAX_FLEX_KW. Empty when they are valid.
 */
export function ispProblems(isps: readonly IspDraft[], nowMs: number, field = 'isps'): Problem[] {
  if (isps.length === 0) return [{ field, message: 'at least one ISP is needed' }];
  if (isps.length > MAX_ISPS) return [{ field, message: `at most ${MAX_ISPS} ISPs (7 days) per request` }];
  const problems: Problem[] = [];
  const seen = new Set<number>();
  for (const isp of isps) {
    const at = Number.isFinite(isp.startMs) ? new Date(isp.startMs).toISOString() : 'an invalid time';
    if (!onIspGrid(isp.startMs)) problems.push({ field, message: `ISP ${at} is not on the 15-minute grid` });
    else if (seen.has(isp.startMs)) problems.push({ field, message: `the ISP at ${at} is given twice` });
    seen.add(isp.startMs);
    if (isp.startMs < nowMs) problems.push({ field, message: `the ISP at ${at} has already started` });
    if (!(isp.minKw >= MIN_FLEX_KW && isp.minKw <= MAX_FLEX_KW)) problems.push({ field, message: `minKw of the ISP at ${at} must be from ${MIN_FLEX_KW} to ${MAX_FLEX_KW}` });
    if (!(isp.maxKw >= isp.minKw && isp.maxKw <= MAX_FLEX_KW)) problems.push({ field, message: `maxKw of the ISP at ${at} must be from its minKw to ${MAX_FLEX_KW}` });
  }
  return problems;
}

/** The ISPs in time order, as they are stored. */
export function sortedIsps(isps: readonly IspDraft[]): IspDraft[] {
  return [...isps].sort((a, b) => a.startMs - b.startMs);
}

/** The span of valid, sorted ISPs: from the first start to the end of the last ISP. */
export function periodOf(sorted: readonly IspDraft[]): { startMs: number; endMs: number } {
  return { startMs: sorted[0]!.startMs, endMs: sorted.at(-1)!.startMs + ISP_MS };
}

/** Offers are taken until the expiry: it must lie in the future, and no later than the first ISP. */
export function expiryProblem(expiresAtMs: number, periodStartMs: number, nowMs: number): Problem | null {
  if (!(expiresAtMs > nowMs)) return { field: 'expiresAt', message: 'expiresAt must be in the future' };
  if (expiresAtMs > periodStartMs) return { field: 'expiresAt', message: 'expiresAt must be no later than the first ISP' };
  return null;
}

/** One interval of a grid flexibility need. */
export interface NeedInterval {
  startMs: number;
  reductionKw: number;
}

/** A request filled from a need: its intervals not yet started, each asking for exactly the need's reduction. */
export function ispsFromNeed(intervals: readonly NeedInterval[], nowMs: number): IspDraft[] {
  return intervals.filter((interval) => interval.startMs >= nowMs).map((interval) => ({ startMs: interval.startMs, minKw: interval.reductionKw, maxKw: interval.reductionKw }));
}

/** Why the request may not be revised now (a CONFLICT), or null: only while OPEN, before its expiry, and with no orders. */
export function revisionConflict(request: { status: FlexRequestStatus; expiresAtMs: number; orderCount: number }, nowMs: number): string | null {
  if (request.status !== 'OPEN') return 'the request is closed';
  if (request.expiresAtMs <= nowMs) return 'the request has expired: it takes no more offers, and so no revision';
  if (request.orderCount > 0) return 'the request has orders: revising it would change what was ordered';
  return null;
}

/** Why the DSO may not close the request (a CONFLICT), or null. */
export function closeConflict(status: FlexRequestStatus): string | null {
  return status === 'OPEN' ? null : 'the request is already closed';
}

/**
 * Closing a request at `nowMs` (its restore) cancels every live order (ORDERED or ACTIVATED) whose
 * first ISP has not begun: nothing of it would run before the restore, so nothing of it could be
 * settled (flex-settlement.rules.ts settles only the ISPs before it). One that began stays.
 */
export function cancelledByClose(order: { status: FlexOrderStatus; firstIspStartMs: number }, nowMs: number): boolean {
  return (order.status === 'ORDERED' || order.status === 'ACTIVATED') && order.firstIspStartMs >= nowMs;
}

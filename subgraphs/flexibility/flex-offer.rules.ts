/**
 * What an offer to a flexibility request must be, and how a repeat is told from other content.
 * Pure: the command (flex-offer.command.ts) reads the request, the caller's other offers and its
 * customers' available flexibility (HEMS's flex-availability rules), and decides here.
 *
 * An offer answers one revision of one OPEN request before the request's expiry: per ISP of the
 * request (so on the 15-minute grid) at most once, kW in [MIN_OFFER_KW, the ISP's maxKw] (more is
 * never ordered), a price in [0, MAX_PRICE_EUR_PER_KWH], an expiry after now and no later than the
 * request's first ISP (an offer must be orderable before delivery starts). Per ISP, what it offers plus the caller's other
 * live offers on every OPEN request sharing points with this one (their current revisions) must
 * fit in what the caller's shared HEMS behind the congestion point can take off then, each run of
 * consecutive ISPs counting only loads held for all of it: an offerer cannot sell the same load
 * twice. An organisation makes at most MAX_OFFERS_PER_REQUEST offers to one request, whatever
 * became of them: the bound the cost model prices a request's offers by (flexibility.cost.ts).
 */
import { createHash } from 'node:crypto';
import { ISP_MS, type CongestionPointKind, type FlexOfferStatus } from '../../schema/flexibility';
import { isoTime as iso, type Problem } from '../kit/problem';
import { ispOutsideProblem } from './flex-isp.rules';
import { watts } from './flex-sufficiency.rules';

/** One watt: offers are kept to the watt, and smaller offers are noise. */
export const MIN_OFFER_KW = 0.001;
/** A price beyond this is a typo (the day-ahead market's cap is a few EUR/kWh). */
export const MAX_PRICE_EUR_PER_KWH = 10;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Offers of one organisation to one request: enough to revise its offer after each revoke or revision, few enough to price a request's offers. */
export const MAX_OFFERS_PER_REQUEST = 10;

export interface OfferIspDraft {
  startMs: number;
  kw: number;
}

export interface OfferDraft {
  flexRequestId: string;
  isps: readonly OfferIspDraft[];
  priceEurPerKwh: number;
  expiresAtMs: number;
  idempotencyKey: string;
}

/** The request as an offer is checked against it. */
export interface RequestTerms {
  status: 'OPEN' | 'CLOSED';
  expiresAtMs: number;
  periodStartMs: number;
  isps: readonly { startMs: number; maxKw: number }[];
}

/**
 * Problems of the offer on its own, which hold whenever it is sent: checked before the
 * idempotency key is looked up, so that a repeat of a valid offer is answered even once time
 * has made it late (its expiry passed, its request closed).
 */
export function offerShapeProblems(draft: OfferDraft): Problem[] {
  const problems: Problem[] = [];
  const key = draft.idempotencyKey;
  if (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) problems.push({ field: 'idempotencyKey', message: `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` });
  if (!Number.isFinite(draft.priceEurPerKwh) || draft.priceEurPerKwh < 0 || draft.priceEurPerKwh > MAX_PRICE_EUR_PER_KWH) {
    problems.push({ field: 'priceEurPerKwh', message: `priceEurPerKwh must be from 0 to ${MAX_PRICE_EUR_PER_KWH}` });
  }
  if (!Number.isFinite(draft.expiresAtMs)) problems.push({ field: 'expiresAt', message: 'expiresAt is not a time' });
  if (draft.isps.length === 0) problems.push({ field: 'isps', message: 'an offer needs at least one ISP' });
  const seen = new Set<number>();
  for (const [i, isp] of draft.isps.entries()) {
    if (seen.has(isp.startMs)) problems.push({ field: `isps[${i}].start`, message: `ISP ${iso(isp.startMs)} is offered twice` });
    seen.add(isp.startMs);
    if (!Number.isFinite(isp.kw) || isp.kw < MIN_OFFER_KW) problems.push({ field: `isps[${i}].kw`, message: `kw of ISP ${iso(isp.startMs)} must be at least ${MIN_OFFER_KW} (one watt)` });
  }
  return problems;
}

/** Problems of the offer against its request and the clock (the request is one the caller may see). */
export function offerTermsProblems(draft: OfferDraft, request: RequestTerms, nowMs: number): Problem[] {
  if (request.status !== 'OPEN') return [{ field: 'flexRequestId', message: 'the request is closed' }];
  if (request.expiresAtMs <= nowMs) return [{ field: 'flexRequestId', message: `the request expired at ${iso(request.expiresAtMs)}` }];
  const problems: Problem[] = [];
  if (draft.expiresAtMs <= nowMs) problems.push({ field: 'expiresAt', message: 'expiresAt must be in the future' });
  else if (draft.expiresAtMs > request.periodStartMs) problems.push({ field: 'expiresAt', message: `expiresAt must be no later than the request's first ISP (${iso(request.periodStartMs)})` });
  const maxKwAt = new Map(request.isps.map((isp) => [isp.startMs, isp.maxKw]));
  for (const [i, isp] of draft.isps.entries()) {
    const outside = ispOutsideProblem(isp.startMs, maxKwAt, 'the request', `isps[${i}].start`);
    if (outside) {
      problems.push(outside);
      continue;
    }
    // Not outside: one of the request's ISPs.
    const maxKw = maxKwAt.get(isp.startMs)!;
    if (isp.kw > maxKw) problems.push({ field: `isps[${i}].kw`, message: `kw of ISP ${iso(isp.startMs)} exceeds the request's maxKw there (${maxKw} kW)` });
  }
  return problems;
}

/** Per ISP: what the caller's HEMS could take off then, and what its other live offers on the revision already take. */
export interface IspCapacity {
  availableKw: number;
  alreadyOfferedKw: number;
}

/** The refusal of one more offer by an organisation that has made `made` to the request, or null. */
export function offerCountProblem(made: number): Problem | null {
  return made >= MAX_OFFERS_PER_REQUEST ? { field: 'flexRequestId', message: `at most ${MAX_OFFERS_PER_REQUEST} offers per organisation to one request, and yours has ${made}` } : null;
}

/** Sorted ISP starts on the grid as runs of consecutive ISPs, each [fromMs, toMs). */
export function consecutiveRuns(startsMs: readonly number[]): { fromMs: number; toMs: number }[] {
  const runs: { fromMs: number; toMs: number }[] = [];
  for (const startMs of [...startsMs].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && last.toMs === startMs) last.toMs = startMs + ISP_MS;
    else runs.push({ fromMs: startMs, toMs: startMs + ISP_MS });
  }
  return runs;
}

/** How the congestion point reads in a message. */
export function congestionPointLabel(kind: CongestionPointKind, id: string): string {
  return `${kind === 'FEEDER' ? 'feeder' : 'secondary substation'} ${id}`;
}

/**
 * ISPs whose offer, with the caller's other live offers, exceeds its available flexibility
 * (compared to the watt, as availability is computed). An ISP missing from `capacity` has none.
 */
export function availabilityProblems(isps: readonly OfferIspDraft[], capacity: ReadonlyMap<number, IspCapacity>, congestionPoint: string): Problem[] {
  const problems: Problem[] = [];
  for (const [i, isp] of isps.entries()) {
    const { availableKw, alreadyOfferedKw } = capacity.get(isp.startMs) ?? { availableKw: 0, alreadyOfferedKw: 0 };
    if (watts(isp.kw) + watts(alreadyOfferedKw) > watts(availableKw)) {
      problems.push({
        field: `isps[${i}].kw`,
        message: `offer of ${isp.kw} kW at ${iso(isp.startMs)} exceeds your available flexibility behind ${congestionPoint} (${availableKw} kW, ${alreadyOfferedKw} kW already offered)`,
      });
    }
  }
  return problems;
}

/**
 * The hash a repeat is recognised by: the request, the ISPs in time order, the price and the
 * expiry, normalised so that the order ISPs are listed in and how times are written do not matter.
 */
export function offerContentHash(draft: OfferDraft): string {
  const isps = [...draft.isps].sort((a, b) => a.startMs - b.startMs).map((isp) => [isp.startMs, isp.kw]);
  return createHash('sha256').update(JSON.stringify([draft.flexRequestId, isps, draft.priceEurPerKwh, draft.expiresAtMs])).digest('base64url');
}

/** EXPIRED is never stored: an OPEN offer reads so once its expiry has passed. */
export function offerStatusAt(stored: FlexOfferStatus, expiresAtMs: number, nowMs: number): FlexOfferStatus {
  return stored === 'OPEN' && expiresAtMs <= nowMs ? 'EXPIRED' : stored;
}

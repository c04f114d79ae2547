import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../../schema/errors';
import { flexOfferIsps, flexOffers } from '../../schema/tables';
import { recordMutation, type Actor } from '../kit/audit';
import { MINUTE_MS } from '../kit/calendar';
import type { Database, Transaction } from '../kit/db';
import { appendToOutbox } from '../kit/outbox';
import { badInput } from '../kit/bad-input';
import { FlexAvailabilityRepo } from '../hems/flex-availability.repo';
import { availableFlexibility, MAX_HOLD_MINUTES, type FlexScope } from '../hems/flex-availability.rules';
import { countedOffers, lockOffer, lockRequest, offerByKey, offerCountOf, offersByIds, overlappingOpenRequestIds, type LockedRequest } from './flex-offer.repo';
import {
  availabilityProblems,
  congestionPointLabel,
  consecutiveRuns,
  offerContentHash,
  offerCountProblem,
  offerShapeProblems,
  offerStatusAt,
  offerTermsProblems,
  type IspCapacity,
  type OfferDraft,
} from './flex-offer.rules';
import type { FlexOffer } from './flex-offer.type';
import { boundKwByIsp, roundToWatt } from './flex-sufficiency.rules';

// Transaction-scoped advisory locks, in a key space of their own (two int keys; the outbox's is one bigint).
const IDEMPOTENCY_LOCK = 12_001;
const OFFERER_LOCK = 12_002;

const lockKey = (tx: Transaction, space: number, ...parts: string[]) => tx.execute(sql`SELECT pg_advisory_xact_lock(${space}, hashtext(${parts.join('\u0001')}))`);

/** HEMS's scope of the congestion point: what lies behind it. */
const scopeOf = (request: LockedRequest): FlexScope =>
  request.congestionPointKind === 'FEEDER' ? { kind: 'feeder', id: request.congestionPointId } : { kind: 'secondarySubstation', id: request.congestionPointId };

/**
 * Per ISP of the draft: the caller's available flexibility behind the congestion point (its
 * shared HEMS, HEMS's rules) and what its live offers on every OPEN request sharing points with
 * this one already bind there (the same load is not sold twice to overlapping requests).
 *
 * Availability is computed per run of consecutive ISPs, counting only loads that can be held
 * for the whole run (capped at HEMS's MAX_HOLD_MINUTES): a load that cannot would have to be let
 * go mid-run and another one held in its place, a swap the hub cannot verify and the offerer may
 * not manage. It is conservative: such a relay of shorter loads is not offered.
 */
async function capacityOf(tx: Transaction, actor: Actor, request: LockedRequest, draft: OfferDraft): Promise<Map<number, IspCapacity>> {
  const runs = consecutiveRuns(draft.isps.map((isp) => isp.startMs));
  const window = { fromMs: runs[0]!.fromMs, toMs: runs.at(-1)!.toMs };
  // The HEMS repo reads HEMS's published contracts and its own tables as HEMS would for the caller (the agreed exception).
  const candidates = await new FlexAvailabilityRepo(tx, actor.identity).candidates(scopeOf(request), 'shared', window);
  const available = new Map<number, number>();
  for (const run of runs) {
    const minDurationMinutes = Math.min(MAX_HOLD_MINUTES, (run.toMs - run.fromMs) / MINUTE_MS);
    for (const interval of availableFlexibility(candidates.loads, run, { minDurationMinutes, listLoads: false })) available.set(interval.intervalStartMs, interval.reductionKw);
  }
  const bound = boundKwByIsp(await countedOffers(tx, await overlappingOpenRequestIds(tx, request), actor.identity.organisationId));
  return new Map(draft.isps.map(({ startMs }) => [startMs, { availableKw: available.get(startMs) ?? 0, alreadyOfferedKw: roundToWatt(bound.get(startMs) ?? 0) }]));
}

/**
 * submitFlexOffer: the caller's offer to a request it may see, with its audit line and its
 * FLEX_OFFER SUBMITTED event (to the offerer; the DSO receives every one), in one transaction.
 *
 * The idempotency key is looked up first, under a lock of the (organisation, key) pair, so two
 * sends of one key run one after the other: a repeat answers with the first offer as it is now,
 * without a new event, even once the request has closed; other content is a CONFLICT. Then the
 * request is locked FOR SHARE (a revision or a close waits) and the (organisation, secondary
 * substation) pair exclusively: every request an offer is counted against lies behind the
 * request's substation, so two offers of one offerer to overlapping requests are checked against
 * its availability one at a time, as is its count of offers to the request (MAX_OFFERS_PER_REQUEST).
 */
export function submitFlexOffer(db: Database, draft: OfferDraft, actor: Actor): Promise<FlexOffer> {
  const shape = offerShapeProblems(draft);
  if (shape.length > 0) throw badInput(shape);
  const organisationId = actor.identity.organisationId;
  const contentHash = offerContentHash(draft);
  return db.transaction(async (tx) => {
    await lockKey(tx, IDEMPOTENCY_LOCK, organisationId, draft.idempotencyKey);
    const first = await offerByKey(tx, organisationId, draft.idempotencyKey);
    if (first) {
      if (first.contentHash !== contentHash) throw new ConflictError('idempotencyKey was used for an offer with other content');
      return (await offersByIds(tx, [first.id]))[0]!;
    }
    const request = await lockRequest(tx, actor.identity, draft.flexRequestId, 'share');
    if (!request) throw new NotFoundError('Flexibility request');
    const terms = offerTermsProblems(draft, request, Date.now());
    if (terms.length > 0) throw badInput(terms);
    await lockKey(tx, OFFERER_LOCK, organisationId, request.secondarySubstationId);
    const tooMany = offerCountProblem(await offerCountOf(tx, request.id, organisationId));
    if (tooMany) throw badInput([tooMany]);
    const congestionPoint = congestionPointLabel(request.congestionPointKind, request.congestionPointId);
    const availability = availabilityProblems(draft.isps, await capacityOf(tx, actor, request, draft), congestionPoint);
    if (availability.length > 0) throw badInput(availability);

    const id = `fof-${randomUUID()}`;
    await tx.insert(flexOffers).values({
      id,
      requestId: request.id,
      requestRevision: request.revision,
      organisationId,
      status: 'OPEN',
      priceEurPerKwh: draft.priceEurPerKwh,
      expiresAt: new Date(draft.expiresAtMs),
      idempotencyKey: draft.idempotencyKey,
      contentHash,
      // Milliseconds, as a JavaScript Date holds it: autoSelect breaks price ties by it.
      createdAt: sql`date_trunc('milliseconds', now())`,
    });
    await tx.insert(flexOfferIsps).values(draft.isps.map((isp) => ({ offerId: id, start: new Date(isp.startMs), kw: isp.kw })));
    const totalKw = roundToWatt(draft.isps.reduce((sum, isp) => sum + isp.kw, 0));
    await recordMutation(tx, actor, 'submitFlexOffer', id, `${draft.isps.length} ISPs, ${totalKw} kW in all, at ${draft.priceEurPerKwh} EUR/kWh for ${request.id} revision ${request.revision}`);
    await appendToOutbox(tx, 'FLEX_OFFER', [organisationId], { kind: 'SUBMITTED', flexOfferId: id, flexRequestId: request.id });
    return (await offersByIds(tx, [id]))[0]!;
  });
}

/**
 * revokeFlexOffer: the offerer withdraws its OPEN offer, with its audit line and its FLEX_OFFER
 * REVOKED event. Another's offer is NOT_FOUND; one no longer open (ordered, revoked, superseded
 * or expired) is a CONFLICT naming its status.
 */
export function revokeFlexOffer(db: Database, offerId: string, actor: Actor): Promise<FlexOffer> {
  return db.transaction(async (tx) => {
    // The offerer's own only: the DSO orders offers, it does not revoke them.
    const offer = await lockOffer(tx, offerId, actor.identity.organisationId);
    if (!offer) throw new NotFoundError('Flexibility offer');
    const status = offerStatusAt(offer.status, offer.expiresAt.getTime(), Date.now());
    if (status !== 'OPEN') throw new ConflictError(`the offer is ${status.toLowerCase()}: only an open offer can be revoked`);
    await tx.update(flexOffers).set({ status: 'REVOKED', revokedAt: sql`now()` }).where(eq(flexOffers.id, offer.id));
    await recordMutation(tx, actor, 'revokeFlexOffer', offer.id, `offer to ${offer.requestId} revoked`);
    await appendToOutbox(tx, 'FLEX_OFFER', [offer.organisationId], { kind: 'REVOKED', flexOfferId: offer.id, flexRequestId: offer.requestId });
    return (await offersByIds(tx, [offer.id]))[0]!;
  });
}

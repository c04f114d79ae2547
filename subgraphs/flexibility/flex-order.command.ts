import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { BadUserInputError, ConflictError, NotFoundError } from '../../schema/errors';
import { flexOffers, flexOrders } from '../../schema/tables';
import { recordMutations, type Actor } from '../kit/audit';
import type { Database, Transaction } from '../kit/db';
import { appendEventsToOutbox } from '../kit/outbox';
import { badInput } from '../kit/bad-input';
import { anyText } from '../kit/sql';
import { lockOffer, lockOpenOffers, lockRequest, offersByIds, type LockedRequest } from './flex-offer.repo';
import { offerStatusAt } from './flex-offer.rules';
import { activationFactorProblem, nothingLeftToBuyProblem, orderableProblem, selectOffers, type Selection } from './flex-order-select.rules';
import { orderedKwByIsp, toFlexOrder } from './flex-order.repo';
import type { FlexOrder } from './flex-order.type';

/** The request of the offer, locked FOR UPDATE: orders of one request are placed one at a time, each against the orders before it. */
async function requestOfOffer(tx: Transaction, actor: Actor, offerId: string): Promise<LockedRequest> {
  const [offer] = await tx.select({ requestId: flexOffers.requestId }).from(flexOffers).where(eq(flexOffers.id, offerId));
  const request = offer && (await lockRequest(tx, actor.identity, offer.requestId, 'update'));
  if (!request) throw new NotFoundError('Flexibility offer');
  return request;
}

/**
 * Stores the orders (ORDERED, each for its offer's organisation), marks their offers ORDERED, and
 * writes one audit line and one FLEX_ORDER ORDERED event (to the offerer) each.
 */
async function placeOrders(
  tx: Transaction,
  actor: Actor,
  operation: 'orderFlex' | 'autoSelectFlexOffers',
  request: LockedRequest,
  selections: readonly (Selection & { organisationId: string })[],
): Promise<FlexOrder[]> {
  if (selections.length === 0) return [];
  const rows = await tx
    .insert(flexOrders)
    .values(
      selections.map((selection) => ({
        id: `fo-${randomUUID()}`,
        offerId: selection.offerId,
        requestId: request.id,
        organisationId: selection.organisationId,
        status: 'ORDERED' as const,
        activationFactor: selection.activationFactor,
        // Milliseconds, as a JavaScript Date and so a page cursor (orderKey) holds it.
        orderedAt: sql`date_trunc('milliseconds', now())`,
      })),
    )
    .returning();
  await tx
    .update(flexOffers)
    .set({ status: 'ORDERED' })
    .where(anyText(flexOffers.id, rows.map((row) => row.offerId)));
  await recordMutations(
    tx,
    actor,
    operation,
    rows.map((row) => ({ target: row.id, detail: `offer ${row.offerId} of ${row.organisationId} for ${request.id}, activation factor ${row.activationFactor}` })),
  );
  await appendEventsToOutbox(
    tx,
    'FLEX_ORDER',
    rows.map((row) => ({ audience: [row.organisationId], payload: { kind: 'ORDERED' as const, flexOrderId: row.id, flexRequestId: request.id } })),
  );
  return rows.map(toFlexOrder);
}

/**
 * orderFlex (DSO): orders one offer, whole or scaled by the activation factor, in one
 * transaction with its request locked. NOT_FOUND for no such offer; CONFLICT once it is ordered;
 * BAD_USER_INPUT for a factor outside (0, 1], an offer revoked, superseded or expired, a closed
 * request, or an offer all of whose ISPs the request's orders already fill to maxKw
 * (flex-order-select.rules.ts: orders may otherwise go past it).
 */
export function orderFlex(db: Database, input: { offerId: string; activationFactor: number }, actor: Actor): Promise<FlexOrder> {
  const factorProblem = activationFactorProblem(input.activationFactor);
  if (factorProblem) throw badInput([factorProblem]);
  return db.transaction(async (tx) => {
    const request = await requestOfOffer(tx, actor, input.offerId);
    // It exists (requestOfOffer found it), and offers are never deleted.
    const offer = (await lockOffer(tx, input.offerId, null))!;
    const problem = orderableProblem({ status: offerStatusAt(offer.status, offer.expiresAt.getTime(), Date.now()), requestRevision: offer.requestRevision }, request);
    if (problem) throw problem.conflict ? new ConflictError(problem.message) : new BadUserInputError(problem.message, { field: 'offerId' });
    const [current] = await offersByIds(tx, [offer.id]);
    const offered = { isps: current!.isps.map((isp) => ({ startMs: isp.start.getTime(), kw: isp.kw })) };
    const nothingToBuy = nothingLeftToBuyProblem(request.isps, await orderedKwByIsp(tx, request.id), offered);
    if (nothingToBuy) throw badInput([nothingToBuy]);
    const [order] = await placeOrders(tx, actor, 'orderFlex', request, [{ offerId: offer.id, activationFactor: input.activationFactor, organisationId: offer.organisationId }]);
    return order!;
  });
}

/**
 * autoSelectFlexOffers (DSO): orders the cheapest sufficient set of the request's open offers
 * (flex-order-select.rules.ts), all in one transaction with the request and the offers locked.
 * BAD_USER_INPUT, nothing written, when they cannot cover every ISP's minimum.
 */
export function autoSelectFlexOffers(db: Database, requestId: string, actor: Actor): Promise<FlexOrder[]> {
  return db.transaction(async (tx) => {
    const request = await lockRequest(tx, actor.identity, requestId, 'update');
    if (!request) throw new NotFoundError('Flexibility request');
    if (request.status !== 'OPEN') throw new BadUserInputError('the request is closed', { field: 'flexRequestId' });
    const offers = await lockOpenOffers(tx, request.id, request.revision);
    const result = selectOffers(request.isps, await orderedKwByIsp(tx, request.id), offers);
    if ('problem' in result) throw new BadUserInputError(result.problem, { field: 'flexRequestId' });
    const organisationOf = new Map(offers.map((offer) => [offer.id, offer.organisationId]));
    return placeOrders(
      tx,
      actor,
      'autoSelectFlexOffers',
      request,
      result.selections.map((selection) => ({ ...selection, organisationId: organisationOf.get(selection.offerId)! })),
    );
  });
}

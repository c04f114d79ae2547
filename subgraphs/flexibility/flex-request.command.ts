import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, inArray, lte, sql } from 'drizzle-orm';
import { BadUserInputError, ConflictError, NotFoundError } from '../../schema/errors';
import { flexOffers, flexOrders, flexRequestIsps, flexRequestRecipients, flexRequests } from '../../schema/tables';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database, Transaction } from '../kit/db';
import { appendEventsToOutbox, appendToOutbox } from '../kit/outbox';
import { badInput } from '../kit/bad-input';
import { congestionPointRecipients } from './flex-market-access.sql';
import { offerIspsOf } from './flex-offer.repo';
import { congestionPointOf, flexibilityNeed, recipientsOf, requestRecipients, type FlexRequestRow } from './flex-request.repo';
import { cancelledByClose, closeConflict, expiryProblem, ispProblems, ispsFromNeed, periodOf, revisionConflict, sortedIsps, type IspDraft } from './flex-request.rules';

export interface IspInput {
  start: Date;
  minKw: number;
  maxKw: number;
}

export interface NewFlexRequest {
  congestionPointId: string;
  isps: readonly IspInput[];
  expiresAt: Date;
  needId: string | null;
}

export interface FlexRequestRevision {
  id: string;
  isps: readonly IspInput[];
  expiresAt: Date;
}

/** How many ended requests one run of the close job closes at most: the next run takes the rest. */
const CLOSE_BATCH = 500;

const draftsOf = (isps: readonly IspInput[]): IspDraft[] => isps.map((isp) => ({ startMs: isp.start.getTime(), minKw: isp.minKw, maxKw: isp.maxKw }));

/** Valid ISPs in time order with their period and the expiry, or the problems (nothing is written then). */
function schedule(drafts: readonly IspDraft[], expiresAt: Date, nowMs: number, ispField: string) {
  const problems = ispProblems(drafts, nowMs, ispField);
  if (problems.length > 0) throw badInput(problems);
  const sorted = sortedIsps(drafts);
  const period = periodOf(sorted);
  const expiry = expiryProblem(expiresAt.getTime(), period.startMs, nowMs);
  if (expiry) throw badInput([expiry]);
  return { sorted, periodStart: new Date(period.startMs), periodEnd: new Date(period.endMs) };
}

async function writeIsps(tx: Transaction, requestId: string, sorted: readonly IspDraft[]): Promise<void> {
  await tx.insert(flexRequestIsps).values(sorted.map((isp) => ({ requestId, start: new Date(isp.startMs), minKw: isp.minKw, maxKw: isp.maxKw })));
}

/** Adds the organisations with customers behind the request's congestion point now; returns everyone it was ever published to. */
async function publishTo(tx: Transaction, request: Pick<FlexRequestRow, 'id' | 'congestionPointKind' | 'congestionPointId'>): Promise<string[]> {
  const current = await congestionPointRecipients(tx, request.congestionPointKind, request.congestionPointId);
  if (current.length > 0) {
    await tx
      .insert(flexRequestRecipients)
      .values(current.map((organisationId) => ({ requestId: request.id, organisationId })))
      .onConflictDoNothing();
  }
  return recipientsOf(tx, request.id);
}

async function lockRequest(tx: Transaction, id: string): Promise<FlexRequestRow> {
  const [request] = await tx.select().from(flexRequests).where(eq(flexRequests.id, id)).for('update');
  if (!request) throw new NotFoundError('Flexibility request');
  return request;
}

/**
 * createFlexRequest: the request at a feeder or secondary substation with its ISPs (given, or its
 * need's still to come), published to the organisations with customers behind it, with its audit
 * line and FLEX_REQUEST CREATED to them, in one transaction. BAD_USER_INPUT naming the field for
 * an unknown congestion point or need, a need elsewhere, or ISPs or an expiry the rules refuse.
 */
export function createFlexRequest(db: Database, input: NewFlexRequest, actor: Actor): Promise<FlexRequestRow> {
  return db.transaction(async (tx) => {
    const nowMs = Date.now();
    const point = await congestionPointOf(tx, input.congestionPointId);
    if (!point) throw new BadUserInputError(`Unknown congestion point ${input.congestionPointId}: no feeder or secondary substation has that id`, { field: 'congestionPointId' });
    const need = input.needId === null ? null : await flexibilityNeed(tx, input.needId);
    if (input.needId !== null && !need) throw new BadUserInputError(`Unknown flexibility need ${input.needId}`, { field: 'needId' });
    if (need && need.congestionPointId !== input.congestionPointId) {
      throw new BadUserInputError(`The flexibility need ${input.needId} is at congestion point ${need.congestionPointId}, not ${input.congestionPointId}`, { field: 'needId' });
    }
    const fromNeed = need !== null && input.isps.length === 0;
    const drafts = fromNeed ? ispsFromNeed(need.intervals, nowMs) : draftsOf(input.isps);
    if (fromNeed && drafts.length === 0) throw new BadUserInputError(`The flexibility need ${input.needId} has no interval still to come`, { field: 'needId' });
    const { sorted, periodStart, periodEnd } = schedule(drafts, input.expiresAt, nowMs, fromNeed ? 'needId' : 'isps');

    const [row] = await tx
      .insert(flexRequests)
      .values({
        id: `fr-${randomUUID()}`,
        congestionPointKind: point.kind,
        congestionPointId: input.congestionPointId,
        secondarySubstationId: point.secondarySubstationId,
        needId: input.needId,
        status: 'OPEN',
        periodStart,
        periodEnd,
        expiresAt: input.expiresAt,
        // Milliseconds, as a JavaScript Date and so a page cursor (requestKey) holds it.
        createdAt: sql`date_trunc('milliseconds', now())`,
      })
      .returning();
    await writeIsps(tx, row!.id, sorted);
    const recipients = await publishTo(tx, row!);
    await recordMutation(tx, actor, 'createFlexRequest', row!.id, `${sorted.length} ISPs at ${point.kind} ${row!.congestionPointId}, published to ${recipients.length}`);
    await appendToOutbox(tx, 'FLEX_REQUEST', recipients, { kind: 'CREATED', flexRequestId: row!.id });
    return row!;
  });
}

/**
 * reviseFlexRequest: new ISPs and expiry, revision + 1, its OPEN offers SUPERSEDED, published
 * again (to whoever has customers behind it now, and to those told before), with its audit line
 * and FLEX_REQUEST REVISED, in one transaction. NOT_FOUND for no such request; CONFLICT once
 * closed, expired or ordered (revisionConflict); BAD_USER_INPUT as for a new request.
 */
export function reviseFlexRequest(db: Database, revision: FlexRequestRevision, actor: Actor): Promise<FlexRequestRow> {
  return db.transaction(async (tx) => {
    const nowMs = Date.now();
    const request = await lockRequest(tx, revision.id);
    const [orders] = await tx.select({ n: count() }).from(flexOrders).where(eq(flexOrders.requestId, request.id));
    const conflict = revisionConflict({ status: request.status, expiresAtMs: request.expiresAt.getTime(), orderCount: orders?.n ?? 0 }, nowMs);
    if (conflict) throw new ConflictError(conflict);
    const { sorted, periodStart, periodEnd } = schedule(draftsOf(revision.isps), revision.expiresAt, nowMs, 'isps');

    await tx.delete(flexRequestIsps).where(eq(flexRequestIsps.requestId, request.id));
    await writeIsps(tx, request.id, sorted);
    const [row] = await tx
      .update(flexRequests)
      .set({ revision: request.revision + 1, revisedAt: sql`now()`, periodStart, periodEnd, expiresAt: revision.expiresAt })
      .where(eq(flexRequests.id, request.id))
      .returning();
    const superseded = await tx
      .update(flexOffers)
      .set({ status: 'SUPERSEDED' })
      .where(and(eq(flexOffers.requestId, request.id), eq(flexOffers.status, 'OPEN')))
      .returning({ id: flexOffers.id });
    const recipients = await publishTo(tx, row!);
    await recordMutation(tx, actor, 'reviseFlexRequest', row!.id, `revision ${row!.revision}: ${sorted.length} ISPs, ${superseded.length} offers superseded`);
    await appendToOutbox(tx, 'FLEX_REQUEST', recipients, { kind: 'REVISED', flexRequestId: row!.id });
    return row!;
  });
}

/**
 * closeFlexRequest: CLOSED BY_DSO and restored now; its ORDERED or ACTIVATED orders whose first
 * ISP has not begun (cancelledByClose) CANCELLED, each with FLEX_ORDER CANCELLED to its offerer;
 * FLEX_RESTORE BY_DSO to the recipients; with its audit line, in one transaction. Open offers stay as they are (the request
 * takes no more orders). NOT_FOUND for no such request, CONFLICT once closed.
 */
export function closeFlexRequest(db: Database, id: string, actor: Actor): Promise<FlexRequestRow> {
  return db.transaction(async (tx) => {
    const nowMs = Date.now();
    const request = await lockRequest(tx, id);
    const conflict = closeConflict(request.status);
    if (conflict) throw new ConflictError(conflict);

    // Locked after the request, in id order, as settlement locks them: a report or a settlement of
    // one of them runs before or after the close, never under it (READ COMMITTED re-reads a row
    // whose lock it waited for, so the status decided on is the committed one).
    const orders = await tx
      .select({ id: flexOrders.id, offerId: flexOrders.offerId, organisationId: flexOrders.organisationId, status: flexOrders.status })
      .from(flexOrders)
      .where(eq(flexOrders.requestId, request.id))
      .orderBy(asc(flexOrders.id))
      .for('update');
    const firstIspStartMs = new Map<string, number>();
    for (const isp of await offerIspsOf(tx, orders.map((order) => order.offerId))) {
      if (!firstIspStartMs.has(isp.offerId)) firstIspStartMs.set(isp.offerId, isp.start.getTime());
    }
    const cancelled = orders.filter((order) => cancelledByClose({ status: order.status, firstIspStartMs: firstIspStartMs.get(order.offerId)! }, nowMs));
    if (cancelled.length > 0) {
      const ids = cancelled.map((order) => order.id);
      await tx.update(flexOrders).set({ status: 'CANCELLED', cancelledAt: sql`now()` }).where(inArray(flexOrders.id, ids));
    }
    const [row] = await tx
      .update(flexRequests)
      // The instant the orders were judged at: settlement settles the ISPs before it (flex-settlement.rules.ts).
      .set({ status: 'CLOSED', closeReason: 'BY_DSO', closedAt: new Date(nowMs), restoredAt: new Date(nowMs) })
      .where(eq(flexRequests.id, request.id))
      .returning();
    await recordMutation(tx, actor, 'closeFlexRequest', row!.id, `closed by the DSO, ${cancelled.length} orders cancelled`);
    await appendEventsToOutbox(
      tx,
      'FLEX_ORDER',
      cancelled.map((order) => ({ audience: [order.organisationId], payload: { kind: 'CANCELLED', flexOrderId: order.id, flexRequestId: row!.id } })),
    );
    await appendToOutbox(tx, 'FLEX_RESTORE', await recipientsOf(tx, row!.id), { kind: 'BY_DSO', flexRequestId: row!.id });
    return row!;
  });
}

/**
 * The close job's work: OPEN requests whose period has ended become CLOSED PERIOD_ENDED and
 * restored, each with FLEX_RESTORE PERIOD_ENDED to its recipients, in one transaction; returns
 * how many. Their orders ran: they stay as they are, for settlement. Requests being revised or
 * closed right now are left to the next run (SKIP LOCKED).
 */
export function closeEndedFlexRequests(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    const due = tx
      .select({ id: flexRequests.id })
      .from(flexRequests)
      .where(and(eq(flexRequests.status, 'OPEN'), lte(flexRequests.periodEnd, sql`now()`)))
      .orderBy(asc(flexRequests.periodEnd), asc(flexRequests.id))
      .limit(CLOSE_BATCH)
      .for('update', { skipLocked: true });
    const closed = await tx
      .update(flexRequests)
      .set({ status: 'CLOSED', closeReason: 'PERIOD_ENDED', closedAt: sql`now()`, restoredAt: sql`now()` })
      .where(inArray(flexRequests.id, due))
      .returning({ id: flexRequests.id });
    if (closed.length === 0) return 0;
    const ids = closed.map((row) => row.id).sort();
    const recipients = await requestRecipients(tx, ids);
    await appendEventsToOutbox(
      tx,
      'FLEX_RESTORE',
      ids.map((id) => ({
        audience: recipients.filter((row) => row.requestId === id).map((row) => row.organisationId),
        payload: { kind: 'PERIOD_ENDED', flexRequestId: id },
      })),
    );
    return closed.length;
  });
}

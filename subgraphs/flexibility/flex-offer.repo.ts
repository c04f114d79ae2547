import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import type { CongestionPointKind } from '../../schema/flexibility';
import type { Identity } from '../../schema/identity';
import { flexOfferIsps, flexOffers, flexOrders, flexRequestIsps, flexRequests } from '../../schema/tables';
import type { Database, Transaction } from '../kit/db';
import { groupBy } from '../kit/group';
import { anyText } from '../kit/sql';
import { mayViewRequest } from './flex-market-access.sql';
import { offerStatusAt } from './flex-offer.rules';
import type { FlexOffer } from './flex-offer.type';
import type { SelectableOffer } from './flex-order-select.rules';
import type { CountedOffer } from './flex-sufficiency.rules';

type OfferRecord = typeof flexOffers.$inferSelect;

/** Who may see an offer (and its order): the DSO all, the offerer its own, nobody else any. */
export function mayViewOffer(identity: Identity, organisationId: SQL | typeof flexOffers.organisationId | typeof flexOrders.organisationId): SQL {
  return identity.role === 'dso' ? sql`true` : sql`${organisationId} = ${identity.organisationId}`;
}

/** The offers' ISPs (offered kW), by offer and in time order. */
export function offerIspsOf(db: Database | Transaction, offerIds: readonly string[]) {
  return db.select().from(flexOfferIsps).where(anyText(flexOfferIsps.offerId, offerIds)).orderBy(asc(flexOfferIsps.offerId), asc(flexOfferIsps.start));
}

const ispsByOffer = async (db: Database | Transaction, offerIds: readonly string[]) => groupBy(await offerIspsOf(db, offerIds), (isp) => isp.offerId);

async function withIsps(db: Database | Transaction, records: OfferRecord[]): Promise<FlexOffer[]> {
  if (records.length === 0) return [];
  const ispsOf = await ispsByOffer(db, records.map((record) => record.id));
  const nowMs = Date.now();
  return records.map((record) => ({
    id: record.id,
    organisationId: record.organisationId,
    status: offerStatusAt(record.status, record.expiresAt.getTime(), nowMs),
    isps: (ispsOf.get(record.id) ?? []).map((isp) => ({ start: isp.start, kw: isp.kw })),
    priceEurPerKwh: record.priceEurPerKwh,
    expiresAt: record.expiresAt,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
    flexRequestId: record.requestId,
    requestRevision: record.requestRevision,
  }));
}

/** The caller's reads of offers, each limited to what it may see (mayViewOffer). */
export class FlexOfferRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  async byIds(ids: readonly string[]): Promise<FlexOffer[]> {
    const records = await this.db
      .select()
      .from(flexOffers)
      .where(and(anyText(flexOffers.id, ids), mayViewOffer(this.identity, flexOffers.organisationId)));
    return withIsps(this.db, records);
  }

  /** The offers to the requests, oldest first. */
  async ofRequests(requestIds: readonly string[]): Promise<FlexOffer[]> {
    const records = await this.db
      .select()
      .from(flexOffers)
      .where(and(anyText(flexOffers.requestId, requestIds), mayViewOffer(this.identity, flexOffers.organisationId)))
      .orderBy(asc(flexOffers.createdAt), asc(flexOffers.id));
    return withIsps(this.db, records);
  }

  /** Every offer to the requests' current revisions, whoever made it, as sufficiency counts them (flex-sufficiency.rules.ts): for the DSO only. */
  async counted(requestIds: readonly string[]): Promise<(CountedOffer & { requestId: string })[]> {
    return countedOffers(this.db, requestIds, null);
  }
}

/**
 * The offers to the requests' current revisions with their ISPs and their orders (cancelled ones
 * too: flex-sufficiency.rules.ts counts their offers as nothing); of one organisation when given.
 * Read in the caller's transaction when it checks against them.
 */
export async function countedOffers(db: Database | Transaction, requestIds: readonly string[], organisationId: string | null): Promise<(CountedOffer & { requestId: string })[]> {
  const records = await db
    .select({
      id: flexOffers.id,
      requestId: flexOffers.requestId,
      status: flexOffers.status,
      expiresAt: flexOffers.expiresAt,
      orderStatus: flexOrders.status,
      activationFactor: flexOrders.activationFactor,
    })
    .from(flexOffers)
    .innerJoin(flexRequests, and(eq(flexRequests.id, flexOffers.requestId), eq(flexRequests.revision, flexOffers.requestRevision)))
    .leftJoin(flexOrders, eq(flexOrders.offerId, flexOffers.id))
    .where(and(anyText(flexOffers.requestId, requestIds), organisationId === null ? undefined : eq(flexOffers.organisationId, organisationId)));
  if (records.length === 0) return [];
  const ispsOf = await ispsByOffer(db, records.map((record) => record.id));
  const nowMs = Date.now();
  return records.map((record) => ({
    requestId: record.requestId,
    status: offerStatusAt(record.status, record.expiresAt.getTime(), nowMs),
    order: record.orderStatus === null || record.activationFactor === null ? null : { status: record.orderStatus, activationFactor: record.activationFactor },
    isps: (ispsOf.get(record.id) ?? []).map((isp) => ({ startMs: isp.start.getTime(), kw: isp.kw })),
  }));
}

/**
 * The OPEN requests that share metering points with `request` (itself, being OPEN, included): those behind
 * its secondary substation at the same congestion point, or at any point of it when either is the
 * whole substation (a feeder's points are behind its substation; two feeders share none).
 */
export async function overlappingOpenRequestIds(tx: Transaction, request: Pick<LockedRequest, 'congestionPointKind' | 'congestionPointId' | 'secondarySubstationId'>): Promise<string[]> {
  const samePoints =
    request.congestionPointKind === 'SECONDARY_SUBSTATION'
      ? sql`true`
      : sql`(${flexRequests.congestionPointId} = ${request.congestionPointId} OR ${flexRequests.congestionPointKind} = 'SECONDARY_SUBSTATION')`;
  const rows = await tx
    .select({ id: flexRequests.id })
    .from(flexRequests)
    .where(and(eq(flexRequests.secondarySubstationId, request.secondarySubstationId), eq(flexRequests.status, 'OPEN'), samePoints));
  return rows.map((row) => row.id);
}

/** How many offers the organisation has made to the request, whatever became of them. */
export async function offerCountOf(tx: Transaction, requestId: string, organisationId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(flexOffers)
    .where(and(eq(flexOffers.requestId, requestId), eq(flexOffers.organisationId, organisationId)));
  return row?.n ?? 0;
}

/** A request as offers and orders are checked against it, locked for the caller's transaction. */
export interface LockedRequest {
  id: string;
  status: 'OPEN' | 'CLOSED';
  revision: number;
  congestionPointKind: CongestionPointKind;
  congestionPointId: string;
  secondarySubstationId: string;
  periodStartMs: number;
  expiresAtMs: number;
  isps: { startMs: number; minKw: number; maxKw: number }[];
}

/**
 * The request if the caller may see it, its row locked: FOR SHARE lets offers to it proceed
 * together while a revision or a close (FOR UPDATE) waits for them, and they for it; FOR UPDATE
 * (orders) takes it alone, so that orders never oversell its maxKw.
 */
export async function lockRequest(tx: Transaction, identity: Identity, requestId: string, mode: 'share' | 'update'): Promise<LockedRequest | null> {
  const [row] = await tx
    .select()
    .from(flexRequests)
    .where(and(eq(flexRequests.id, requestId), mayViewRequest(identity, sql`${flexRequests.id}`)))
    .for(mode === 'share' ? 'share' : 'update');
  if (!row) return null;
  const isps = await tx.select().from(flexRequestIsps).where(eq(flexRequestIsps.requestId, requestId)).orderBy(asc(flexRequestIsps.start));
  return {
    id: row.id,
    status: row.status,
    revision: row.revision,
    congestionPointKind: row.congestionPointKind,
    congestionPointId: row.congestionPointId,
    secondarySubstationId: row.secondarySubstationId,
    periodStartMs: row.periodStart.getTime(),
    expiresAtMs: row.expiresAt.getTime(),
    isps: isps.map((isp) => ({ startMs: isp.start.getTime(), minKw: isp.minKw, maxKw: isp.maxKw })),
  };
}

/** The organisation's offer under the idempotency key, if any (keys are each organisation's own). */
export async function offerByKey(tx: Transaction, organisationId: string, idempotencyKey: string): Promise<OfferRecord | null> {
  const [row] = await tx
    .select()
    .from(flexOffers)
    .where(and(eq(flexOffers.organisationId, organisationId), eq(flexOffers.idempotencyKey, idempotencyKey)));
  return row ?? null;
}

/** The offer, its row locked for a change of status; only if it is the organisation's when one is given. */
export async function lockOffer(tx: Transaction, offerId: string, organisationId: string | null): Promise<OfferRecord | null> {
  const [row] = await tx
    .select()
    .from(flexOffers)
    .where(and(eq(flexOffers.id, offerId), organisationId === null ? undefined : eq(flexOffers.organisationId, organisationId)))
    .for('update');
  return row ?? null;
}

/** The offers as rows of the API, read in the caller's transaction (after its change). */
export async function offersByIds(tx: Transaction, ids: readonly string[]): Promise<FlexOffer[]> {
  return withIsps(tx, await tx.select().from(flexOffers).where(anyText(flexOffers.id, ids)));
}

/** The request revision's offers open now (not expired), rows locked, with their ISPs: what autoSelect may order. */
export async function lockOpenOffers(tx: Transaction, requestId: string, revision: number): Promise<(SelectableOffer & { organisationId: string })[]> {
  const records = await tx
    .select()
    .from(flexOffers)
    .where(and(eq(flexOffers.requestId, requestId), eq(flexOffers.requestRevision, revision), eq(flexOffers.status, 'OPEN'), sql`${flexOffers.expiresAt} > now()`))
    .for('update');
  return (await withIsps(tx, records)).map((offer) => ({
    id: offer.id,
    organisationId: offer.organisationId,
    priceEurPerKwh: offer.priceEurPerKwh,
    createdAtMs: offer.createdAt.getTime(),
    isps: offer.isps.map((isp) => ({ startMs: isp.start.getTime(), kw: isp.kw })),
  }));
}

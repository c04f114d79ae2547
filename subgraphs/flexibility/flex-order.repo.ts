import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { FlexOrderStatus } from '../../schema/flexibility';
import type { Identity } from '../../schema/identity';
import { flexOfferIsps, flexOrders } from '../../schema/tables';
import type { Page } from '../kit/connection';
import type { Database, Transaction } from '../kit/db';
import { anyText } from '../kit/sql';
import { mayViewOffer } from './flex-offer.repo';
import type { FlexOrder } from './flex-order.type';

type OrderRecord = typeof flexOrders.$inferSelect;

export const toFlexOrder = (row: OrderRecord): FlexOrder => ({
  id: row.id,
  status: row.status,
  activationFactor: row.activationFactor,
  organisationId: row.organisationId,
  orderedAt: row.orderedAt,
  activatedAt: row.activatedAt,
  settledAt: row.settledAt,
  cancelledAt: row.cancelledAt,
  offerId: row.offerId,
  requestId: row.requestId,
});

/** A page cursor's key: newest first by (orderedAt, id); orderedAt is stored to the millisecond. */
export const orderKey = (order: FlexOrder) => `${order.orderedAt.toISOString()}|${order.id}`;
export const isOrderKey = (key: string) => {
  const [orderedAt, id, ...rest] = key.split('|');
  return Boolean(id) && rest.length === 0 && !Number.isNaN(Date.parse(orderedAt!));
};

/** The caller's reads of orders: the DSO all, the offerer its own, nobody else any (mayViewOffer). */
export class FlexOrderRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  private visible() {
    return mayViewOffer(this.identity, flexOrders.organisationId);
  }

  async byIds(ids: readonly string[]): Promise<FlexOrder[]> {
    const rows = await this.db
      .select()
      .from(flexOrders)
      .where(and(anyText(flexOrders.id, ids), this.visible()));
    return rows.map(toFlexOrder);
  }

  async byOfferIds(offerIds: readonly string[]): Promise<FlexOrder[]> {
    const rows = await this.db
      .select()
      .from(flexOrders)
      .where(and(anyText(flexOrders.offerId, offerIds), this.visible()));
    return rows.map(toFlexOrder);
  }

  /** The requests' orders, oldest first. */
  async ofRequests(requestIds: readonly string[]): Promise<FlexOrder[]> {
    const rows = await this.db
      .select()
      .from(flexOrders)
      .where(and(anyText(flexOrders.requestId, requestIds), this.visible()))
      .orderBy(flexOrders.orderedAt, flexOrders.id);
    return rows.map(toFlexOrder);
  }

  /** A keyset page (keys: orderKey) of the orders the caller may see, of one status when given, newest first, and how many there are. */
  async page(status: FlexOrderStatus | null, page: Page): Promise<{ rows: FlexOrder[]; totalCount: number }> {
    const filter = and(this.visible(), status === null ? undefined : eq(flexOrders.status, status));
    const [orderedAt, id] = page.afterKey?.split('|') ?? [];
    const after = orderedAt && id ? sql`(${flexOrders.orderedAt}, ${flexOrders.id}) < (${new Date(orderedAt)}, ${id})` : undefined;
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(flexOrders)
        .where(and(filter, after))
        .orderBy(desc(flexOrders.orderedAt), desc(flexOrders.id))
        .limit(page.limit + 1),
      this.db.select({ n: count() }).from(flexOrders).where(filter),
    ]);
    return { rows: rows.map(toFlexOrder), totalCount: total?.n ?? 0 };
  }
}

/**
 * Per ISP start, what the request's orders take (offered kW × activation factor), cancelled
 * ones excepted: read under the request's lock, against its maxKw.
 */
export async function orderedKwByIsp(tx: Transaction, requestId: string): Promise<Map<number, number>> {
  const rows = await tx
    .select({ start: flexOfferIsps.start, kw: sql<number>`sum(${flexOfferIsps.kw} * ${flexOrders.activationFactor})::float8` })
    .from(flexOrders)
    .innerJoin(flexOfferIsps, eq(flexOfferIsps.offerId, flexOrders.offerId))
    .where(and(eq(flexOrders.requestId, requestId), sql`${flexOrders.status} <> 'CANCELLED'`))
    .groupBy(flexOfferIsps.start);
  return new Map(rows.map((row) => [row.start.getTime(), row.kw]));
}

import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { flexOffers, flexOrders, flexRequests, flexSettlementIsps, flexSettlements } from '../../schema/tables';
import type { Database, Transaction } from '../kit/db';
import { groupBy } from '../kit/group';
import { anyText } from '../kit/sql';
import type { PointsAt } from './flex-settlement.rules';

export interface OrderToSettleRow {
  id: string;
  offerId: string;
  requestId: string;
  organisationId: string;
  activationFactor: number;
  priceEurPerKwh: number;
  /** When the DSO restored its request by closing it early (BY_DSO); null while open or once its period ended. */
  restoredByDsoAt: Date | null;
}

/**
 * The orders among `orderIds` that may be settled now, locked: ORDERED or ACTIVATED, their
 * request's period over. Locked in id order, so that two settlement runs never deadlock.
 */
export async function lockOrdersToSettle(tx: Transaction, orderIds: readonly string[], nowMs: number): Promise<OrderToSettleRow[]> {
  if (orderIds.length === 0) return [];
  // The offer's price and the request's period are read in subqueries: FOR UPDATE then locks the orders alone.
  return tx
    .select({
      id: flexOrders.id,
      offerId: flexOrders.offerId,
      requestId: flexOrders.requestId,
      organisationId: flexOrders.organisationId,
      activationFactor: flexOrders.activationFactor,
      priceEurPerKwh: sql<number>`(SELECT ${flexOffers.priceEurPerKwh} FROM ${flexOffers} WHERE ${flexOffers.id} = ${flexOrders.offerId})`.mapWith(Number),
      restoredByDsoAt: sql<Date | null>`(SELECT ${flexRequests.restoredAt} FROM ${flexRequests} WHERE ${flexRequests.id} = ${flexOrders.requestId} AND ${flexRequests.closeReason} = 'BY_DSO')`.mapWith(
        flexRequests.restoredAt,
      ),
    })
    .from(flexOrders)
    .where(
      and(
        anyText(flexOrders.id, orderIds),
        inArray(flexOrders.status, ['ORDERED', 'ACTIVATED']),
        sql`EXISTS (SELECT 1 FROM ${flexRequests} WHERE ${flexRequests.id} = ${flexOrders.requestId} AND ${flexRequests.periodEnd} <= ${new Date(nowMs)})`,
      ),
    )
    .orderBy(asc(flexOrders.id))
    .for('update');
}

/** The orders (ORDERED or ACTIVATED) of requests whose period starts in [fromMs, toMs) and has ended by nowMs. */
export async function orderIdsStartingIn(tx: Transaction, fromMs: number, toMs: number, nowMs: number): Promise<string[]> {
  const rows = await tx
    .select({ id: flexOrders.id })
    .from(flexOrders)
    .innerJoin(flexRequests, eq(flexRequests.id, flexOrders.requestId))
    .where(
      and(
        inArray(flexOrders.status, ['ORDERED', 'ACTIVATED']),
        sql`${flexRequests.periodStart} >= ${new Date(fromMs)} AND ${flexRequests.periodStart} < ${new Date(toMs)} AND ${flexRequests.periodEnd} <= ${new Date(nowMs)}`,
      ),
    );
  return rows.map((row) => row.id);
}

export interface PointWindow {
  orderId: string;
  meteringPointId: string;
  fromMs: number;
  toMs: number;
}

/**
 * Per order and reading instant, its points' summed import and how many of them have a reading
 * there, from metering's point_readings (its published contract), over each point's windows:
 * one statement for every order, aggregated in the database so that only the sums travel.
 */
export async function summedReadings(tx: Transaction, windows: readonly PointWindow[]): Promise<Map<string, Map<number, PointsAt>>> {
  const byOrder = new Map<string, Map<number, PointsAt>>();
  if (windows.length === 0) return byOrder;
  const result = await tx.execute<{ order_id: string; interval_start: Date; import_wh: string; points: number }>(sql`
    SELECT w.order_id, r.interval_start, sum(r.import_wh)::bigint AS import_wh, count(*)::int AS points
    FROM unnest(${sql.param(windows.map((w) => w.orderId))}::text[], ${sql.param(windows.map((w) => w.meteringPointId))}::text[],
                ${sql.param(windows.map((w) => new Date(w.fromMs).toISOString()))}::timestamptz[], ${sql.param(windows.map((w) => new Date(w.toMs).toISOString()))}::timestamptz[])
         AS w(order_id, point_id, from_ts, to_ts)
    CROSS JOIN LATERAL metering.point_readings(w.point_id, w.from_ts, w.to_ts) r
    GROUP BY w.order_id, r.interval_start`);
  for (const row of result.rows) {
    let sums = byOrder.get(row.order_id);
    if (!sums) byOrder.set(row.order_id, (sums = new Map()));
    sums.set(new Date(row.interval_start).getTime(), { importWh: Number(row.import_wh), points: row.points });
  }
  return byOrder;
}

export type SettlementRow = typeof flexSettlements.$inferSelect;
export type SettlementIspRow = typeof flexSettlementIsps.$inferSelect;

/** The settlements of orders (those settled), each with its ISPs in time order. */
export async function settlementsOf(db: Database, orderIds: readonly string[]): Promise<(SettlementRow & { isps: SettlementIspRow[] })[]> {
  const [settlements, isps] = await Promise.all([
    db.select().from(flexSettlements).where(anyText(flexSettlements.orderId, orderIds)),
    db.select().from(flexSettlementIsps).where(anyText(flexSettlementIsps.orderId, orderIds)).orderBy(asc(flexSettlementIsps.start)),
  ]);
  const byOrder = groupBy(isps, (isp) => isp.orderId);
  return settlements.map((settlement) => ({ ...settlement, isps: byOrder.get(settlement.orderId) ?? [] }));
}

/** The metering points each settlement was computed on: personal data of the offerer's customers. */
export function settlementPoints(db: Database, orderIds: readonly string[]): Promise<{ orderId: string; meteringPointId: string }[]> {
  return db
    .select({ orderId: flexSettlements.orderId, meteringPointId: sql<string>`unnest(${flexSettlements.meteringPointIds})` })
    .from(flexSettlements)
    .where(anyText(flexSettlements.orderId, orderIds));
}

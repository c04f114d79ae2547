import { ISP_MS } from '../../schema/flexibility';
import { flexOrders, flexSettlementIsps, flexSettlements } from '../../schema/tables';
import { recordMutation, type Actor } from '../kit/audit';
import { lisbonLocalDay, lisbonMidnightUtcMs } from '../kit/calendar';
import type { Database, Transaction } from '../kit/db';
import { groupBy } from '../kit/group';
import { localDayText } from '../kit/local-day';
import { appendEventsToOutbox } from '../kit/outbox';
import { anyText } from '../kit/sql';
import { orderInstantsOnPoints, orderHems } from './flex-order-hems.repo';
import {
  BASELINE_LOOKBACK_DAYS,
  BASELINE_MAX_DAYS,
  baselineCandidateDays,
  baselineWindows,
  ispsToSettle,
  ispWindow,
  settleOrder,
  wantsMoreBaselineDays,
  type OrderToSettle,
  type ReadingWindow,
  type SettlementFigures,
} from './flex-settlement.rules';
import { offerIspsOf } from './flex-offer.repo';
import { lockOrdersToSettle, orderIdsStartingIn, summedReadings, type OrderToSettleRow, type PointWindow } from './flex-settlement.repo';

/**
 * Settles the orders among `orderIds` that may be settled at `nowMs` (ORDERED or ACTIVATED, their
 * request's period over) from metered data (flex-settlement.rules.ts: the ISPs before the DSO's
 * restore when it closed the request early, ispsToSettle), in the caller's
 * transaction: their settlements, SETTLED with settledAt, and a FLEX_ORDER SETTLED event each to
 * its offerer. Every read is one statement for all the orders (the readings two: see below). `unsettled`: those that may be
 * settled but cannot be yet (too few baseline days, readings not all in); orders that may not be
 * settled are in neither list. The caller records the audit line.
 */
export async function settleOrders(tx: Transaction, orderIds: readonly string[], nowMs: number): Promise<{ settled: string[]; unsettled: string[] }> {
  const orders = await lockOrdersToSettle(tx, orderIds, nowMs);
  if (orders.length === 0) return { settled: [], unsettled: [] };
  const isps = groupBy(await offerIspsOf(tx, orders.map((order) => order.offerId)), (isp) => isp.offerId);
  const points = groupBy(await orderHems(tx, orders.map((order) => order.id)), (row) => row.orderId);
  const pointsOf = (orderId: string) => [...new Set((points.get(orderId) ?? []).map((row) => row.meteringPointId))];
  const ispsOf = (order: OrderToSettleRow) =>
    ispsToSettle(
      (isps.get(order.offerId) ?? []).map((isp) => ({ startMs: isp.start.getTime(), offeredKw: isp.kw })),
      order.restoredByDsoAt?.getTime() ?? null,
    );

  // Activation days are looked for from the earliest look-back of any order to the last ISP of any.
  const starts = orders.flatMap((order) => ispsOf(order).map((isp) => isp.startMs));
  const allPoints = [...new Set(orders.flatMap((order) => pointsOf(order.id)))];
  const activationRows =
    starts.length === 0
      ? []
      : await orderInstantsOnPoints(
          tx,
          allPoints,
          // Reduced, not spread: a day of orders of a week's ISPs each is more arguments than a call takes.
          lisbonMidnightUtcMs(lisbonLocalDay(starts.reduce((a, b) => Math.min(a, b))) - BASELINE_LOOKBACK_DAYS),
          starts.reduce((a, b) => Math.max(a, b)) + ISP_MS,
        );
  const activations = groupBy(activationRows, (row) => row.meteringPointId);

  const toSettle = new Map<string, OrderToSettle>(
    orders.map((order) => {
      const meteringPointIds = pointsOf(order.id);
      return [
        order.id,
        {
          isps: ispsOf(order),
          activationFactor: order.activationFactor,
          priceEurPerKwh: order.priceEurPerKwh,
          meteringPointIds,
          activationStartsMs: meteringPointIds.flatMap((point) => (activations.get(point) ?? []).map((row) => row.startMs)),
        },
      ];
    }),
  );
  // Readings in two rounds: the ISPs and the most recent candidate days, which settle an order
  // whose readings are all in; then the older candidates, for the orders still short of days.
  // An order with no ISP to settle reads nothing (settleOrder settles it as such).
  const windowsOf = (select: (order: OrderToSettle) => ReadingWindow[]) => (entries: Iterable<[string, OrderToSettle]>) =>
    [...entries].filter(([, order]) => order.isps.length > 0).flatMap(([orderId, order]) => select(order).flatMap((window) => order.meteringPointIds.map((meteringPointId): PointWindow => ({ orderId, meteringPointId, ...window }))));
  const recent = windowsOf((order) => [ispWindow(order), ...baselineWindows(order, baselineCandidateDays(order).slice(0, BASELINE_MAX_DAYS))]);
  const older = windowsOf((order) => baselineWindows(order, baselineCandidateDays(order).slice(BASELINE_MAX_DAYS)));
  const readings = await summedReadings(tx, recent(toSettle));
  const short = [...toSettle].filter(([orderId, order]) => wantsMoreBaselineDays(order, readings.get(orderId) ?? new Map(), BASELINE_MAX_DAYS));
  for (const [orderId, sums] of await summedReadings(tx, older(short))) {
    const known = readings.get(orderId);
    if (known) for (const [instant, at] of sums) known.set(instant, at);
    else readings.set(orderId, sums);
  }

  const settled: SettledOrder[] = [];
  const unsettled: string[] = [];
  for (const order of orders) {
    const outcome = settleOrder(toSettle.get(order.id)!, readings.get(order.id) ?? new Map());
    if (outcome.settled) settled.push({ ...order, figures: outcome.figures });
    else unsettled.push(order.id);
  }
  if (settled.length > 0) await writeSettlements(tx, settled, nowMs);
  return { settled: settled.map((order) => order.id), unsettled };
}

interface SettledOrder {
  id: string;
  requestId: string;
  organisationId: string;
  figures: SettlementFigures;
}

async function writeSettlements(tx: Transaction, settled: readonly SettledOrder[], nowMs: number): Promise<void> {
  const settledAt = new Date(nowMs);
  await tx.insert(flexSettlements).values(
    settled.map(({ id, figures }) => ({ orderId: id, baselineDays: figures.baselineDays, meteringPointIds: figures.meteringPointIds, amountMicroEur: figures.amountMicroEur, settledAt })),
  );
  const isps = settled.flatMap(({ id, figures }) => figures.isps.map(({ startMs, ...kw }) => ({ orderId: id, start: new Date(startMs), ...kw })));
  if (isps.length > 0) await tx.insert(flexSettlementIsps).values(isps);
  await tx
    .update(flexOrders)
    .set({ status: 'SETTLED', settledAt })
    .where(anyText(flexOrders.id, settled.map((order) => order.id)));
  await appendEventsToOutbox(
    tx,
    'FLEX_ORDER',
    settled.map((order) => ({ audience: [order.organisationId], payload: { kind: 'SETTLED', flexOrderId: order.id, flexRequestId: order.requestId } })),
  );
}

/**
 * settleFlexOrders: settles every ORDERED or ACTIVATED order of the requests whose period starts
 * in Lisbon local day `localDay` and has ended, with its audit line, in one transaction.
 */
export function settleFlexOrdersOfDay(db: Database, localDay: number, actor: Actor): Promise<{ settled: string[]; unsettled: string[] }> {
  return db.transaction(async (tx) => {
    const nowMs = Date.now();
    const candidates = await orderIdsStartingIn(tx, lisbonMidnightUtcMs(localDay), lisbonMidnightUtcMs(localDay + 1), nowMs);
    const outcome = await settleOrders(tx, candidates, nowMs);
    await recordMutation(tx, actor, 'settleFlexOrders', localDayText(localDay), `${outcome.settled.length} settled, ${outcome.unsettled.length} not yet: ${outcome.unsettled.join(', ') || 'none'}`);
    return outcome;
  });
}

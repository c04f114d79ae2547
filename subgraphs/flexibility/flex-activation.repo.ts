import { asc } from 'drizzle-orm';
import { flexActivations, flexOrders } from '../../schema/tables';
import type { Database } from '../kit/db';
import { groupBy } from '../kit/group';
import { anyText } from '../kit/sql';
import type { FeedbackOrder } from './flex-activation.rules';
import { offerIspsOf } from './flex-offer.repo';

export type ActivationRow = typeof flexActivations.$inferSelect;

/** The orders' activation reports, by ISP then HEMS. */
export function activationsOf(db: Database, orderIds: readonly string[]): Promise<ActivationRow[]> {
  return db.select().from(flexActivations).where(anyText(flexActivations.orderId, orderIds)).orderBy(asc(flexActivations.start), asc(flexActivations.hemsId));
}

/** Every order of the requests (for the DSO's feedback), each with its offer's ISPs and its reports. */
export async function feedbackOrders(db: Database, requestIds: readonly string[]): Promise<(FeedbackOrder & { requestId: string })[]> {
  const orders = await db.select().from(flexOrders).where(anyText(flexOrders.requestId, requestIds));
  if (orders.length === 0) return [];
  const [isps, activations] = await Promise.all([offerIspsOf(db, orders.map((order) => order.offerId)), activationsOf(db, orders.map((order) => order.id))]);
  const ispsByOffer = groupBy(isps, (isp) => isp.offerId);
  const activationsByOrder = groupBy(activations, (activation) => activation.orderId);
  return orders.map((order) => ({
    requestId: order.requestId,
    status: order.status,
    activationFactor: order.activationFactor,
    isps: (ispsByOffer.get(order.offerId) ?? []).map((isp) => ({ startMs: isp.start.getTime(), kw: isp.kw })),
    activations: (activationsByOrder.get(order.id) ?? []).map((activation) => ({ startMs: activation.start.getTime(), hemsId: activation.hemsId, kw: activation.kw })),
  }));
}

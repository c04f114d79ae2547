import { and, eq, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../../schema/errors';
import { flexActivations, flexOrders } from '../../schema/tables';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database } from '../kit/db';
import { appendToOutbox } from '../kit/outbox';
import { badInput } from '../kit/bad-input';
import { offerIspsOf } from './flex-offer.repo';
import { activationProblems, reportConflict, type ActivationEntry } from './flex-activation.rules';
import { orderHems } from './flex-order-hems.repo';
import { toFlexOrder } from './flex-order.repo';
import type { FlexOrder } from './flex-order.type';

/**
 * reportActivation: stores what the offerer's HEMS shifted in the order's ISPs (a later report of
 * the same HEMS and ISP replaces the earlier), moves an ORDERED order to ACTIVATED, with its
 * audit line and a FLEX_ORDER ACTIVATED event to the offerer, in one transaction under the
 * order's lock. Another organisation's order is NOT_FOUND; a SETTLED or CANCELLED one a
 * CONFLICT; entries activationProblems refuses BAD_USER_INPUT. Nothing is written then.
 */
export function reportActivation(db: Database, orderId: string, entries: readonly ActivationEntry[], actor: Actor): Promise<FlexOrder> {
  return db.transaction(async (tx) => {
    const [order] = await tx
      .select()
      .from(flexOrders)
      .where(and(eq(flexOrders.id, orderId), eq(flexOrders.organisationId, actor.identity.organisationId)))
      .for('update');
    if (!order) throw new NotFoundError('Flexibility order');
    const conflict = reportConflict(order.id, order.status);
    if (conflict) throw new ConflictError(conflict);
    const [hems, isps] = await Promise.all([orderHems(tx, [order.id]), offerIspsOf(tx, [order.offerId])]);
    const problems = activationProblems(
      order.id,
      entries,
      new Set(hems.map((row) => row.hemsId)),
      new Set(isps.map((isp) => isp.start.getTime())),
      Date.now(),
    );
    if (problems.length > 0) throw badInput(problems);

    await tx
      .insert(flexActivations)
      .values(entries.map((entry) => ({ orderId: order.id, hemsId: entry.hemsId, start: new Date(entry.startMs), kw: entry.kw })))
      .onConflictDoUpdate({
        target: [flexActivations.orderId, flexActivations.hemsId, flexActivations.start],
        set: { kw: sql`excluded.kw`, reportedAt: sql`now()` },
      });
    const [row] =
      order.status === 'ORDERED'
        ? await tx.update(flexOrders).set({ status: 'ACTIVATED', activatedAt: sql`now()` }).where(eq(flexOrders.id, order.id)).returning()
        : [order];
    await recordMutation(tx, actor, 'reportActivation', order.id, `${entries.length} HEMS ISPs reported, ${entries.reduce((sum, entry) => sum + entry.kw, 0)} kW in all`);
    await appendToOutbox(tx, 'FLEX_ORDER', [order.organisationId], { kind: 'ACTIVATED', flexOrderId: order.id, flexRequestId: order.requestId });
    return toFlexOrder(row!);
  });
}

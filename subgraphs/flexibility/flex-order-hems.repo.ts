import { sql, type SQL } from 'drizzle-orm';
import type { Database, Transaction } from '../kit/db';

/**
 * An order's HEMS, from HEMS's published contract (hems.flex_order_commands_v): those its offerer
 * holds for it (the view's `holds`: a SHIFT or CURTAIL the HEMS did not refuse and that did not go
 * unanswered). `command` and `order` name the view's and flex_orders' rows in the caller's query.
 */
const commandOfOrder = (command: string, order: string): SQL =>
  sql.raw(`${command}.order_id = ${order}.id AND ${command}.issuer_id = ${order}.organisation_id AND ${command}.holds`);

export interface OrderHems {
  orderId: string;
  hemsId: string;
  meteringPointId: string;
}

/** The HEMS of each order (commandOfOrder), with their metering points. */
export async function orderHems(db: Database | Transaction, orderIds: readonly string[]): Promise<OrderHems[]> {
  const result = await db.execute<{ order_id: string; hems_id: string; metering_point_id: string }>(sql`
    SELECT DISTINCT o.id AS order_id, c.hems_id, c.metering_point_id
    FROM flexibility.flex_orders o
    JOIN hems.flex_order_commands_v c ON ${commandOfOrder('c', 'o')}
    WHERE o.id = ANY(${sql.param([...orderIds])}::text[])
    ORDER BY 1, 2`);
  return result.rows.map((row) => ({ orderId: row.order_id, hemsId: row.hems_id, meteringPointId: row.metering_point_id }));
}

/** Every FLEX_ORDER command each order's offerer sent for it, whatever came of it, oldest first: the chain the DSO traverses. */
export async function orderCommandIds(db: Database, orderIds: readonly string[]): Promise<{ orderId: string; commandId: string }[]> {
  const result = await db.execute<{ order_id: string; command_id: string }>(sql`
    SELECT o.id AS order_id, c.command_id
    FROM flexibility.flex_orders o
    JOIN hems.flex_order_commands_v c ON c.order_id = o.id AND c.issuer_id = o.organisation_id
    WHERE o.id = ANY(${sql.param([...orderIds])}::text[])
    ORDER BY c.issued_at, c.command_id`);
  return result.rows.map((row) => ({ orderId: row.order_id, commandId: row.command_id }));
}

/**
 * The instants in [fromMs, toMs) at which one of the points was under an order, per point: the
 * ISP starts of the non-cancelled flex orders whose HEMS include it, and the quarter-hours of the
 * contracted-power orders that capped it (not cancelled; until restored, or their expected end).
 * Their local days are the activation days a settlement's baseline skips: a capped evening is no
 * more a household's usual one than a shifted one.
 */
export async function orderInstantsOnPoints(tx: Transaction, pointIds: readonly string[], fromMs: number, toMs: number): Promise<{ meteringPointId: string; startMs: number }[]> {
  if (pointIds.length === 0) return [];
  const points = sql`${sql.param([...pointIds])}::text[]`;
  const from = new Date(fromMs);
  const to = new Date(toMs);
  const result = await tx.execute<{ metering_point_id: string; start: Date }>(sql`
    SELECT DISTINCT c.metering_point_id, i.start
    FROM hems.flex_order_commands_v c
    JOIN flexibility.flex_orders o ON ${commandOfOrder('c', 'o')}
    JOIN flexibility.flex_offer_isps i ON i.offer_id = o.offer_id
    WHERE c.metering_point_id = ANY(${points}) AND o.status <> 'CANCELLED'
      AND i.start >= ${from} AND i.start < ${to}
    UNION
    SELECT p.metering_point_id, q.start
    FROM flexibility.contracted_power_order_points p
    JOIN flexibility.contracted_power_orders o ON o.id = p.order_id
    CROSS JOIN LATERAL generate_series(greatest(o.start, ${from}), least(COALESCE(o.restored_at, o.expected_end), ${to}) - interval '1 millisecond', interval '15 minutes') AS q(start)
    WHERE p.metering_point_id = ANY(${points}) AND o.status <> 'CANCELLED'
      AND o.start < ${to} AND COALESCE(o.restored_at, o.expected_end) > ${from}`);
  return result.rows.map((row) => ({ meteringPointId: row.metering_point_id, startMs: new Date(row.start).getTime() }));
}

import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../../schema/errors';
import type { ContractedPowerOrderEventKind } from '../../schema/events';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import type { Identity } from '../../schema/identity';
import { recordMutation, type Actor } from '../kit/audit';
import { mayReadAt } from '../kit/point-access.sql';
import { appendToOutbox } from '../kit/outbox';
import { anyText } from '../kit/sql';
import type { Area } from '../kit/area.rules';
import { unknownAreaIds } from '../kit/area.sql';
import { temporaryMaxPowerKw } from './contracted-power-order.rules';

export interface OrderRow {
  id: string;
  status: string;
  reductionPercent: number;
  start: Date;
  expectedEnd: Date;
  reason: string;
  issuedAt: Date;
  restoredAt: Date | null;
  cancelledAt: Date | null;
}

export interface AffectedRow {
  orderId: string;
  meteringPointId: string;
  retailerId: string;
  temporaryMaxPowerKw: number;
}

/** One quarter-hour reading of an order's point inside the order's window, with the point's cap. */
export interface WindowReading {
  orderId: string;
  meteringPointId: string;
  temporaryMaxPowerKw: number;
  intervalStartMs: number;
  importWh: number;
}

export interface AckRow {
  orderId: string;
  organisationId: string;
  acknowledgedAt: Date;
}

interface RawOrder extends Record<string, unknown> {
  id: string;
  status: string;
  reduction_percent: number;
  start: string;
  expected_end: string;
  reason: string;
  issued_at: string;
  restored_at: string | null;
  cancelled_at: string | null;
}

const toOrder = (row: RawOrder): OrderRow => ({
  id: row.id,
  status: row.status,
  reductionPercent: row.reduction_percent,
  start: new Date(row.start),
  expectedEnd: new Date(row.expected_end),
  reason: row.reason,
  issuedAt: new Date(row.issued_at),
  restoredAt: row.restored_at ? new Date(row.restored_at) : null,
  cancelledAt: row.cancelled_at ? new Date(row.cancelled_at) : null,
});

const date = (value: Date | string | null) => (value === null ? null : new Date(value));

/** Grid's and metering's published views name which points an area holds and who supplies them. */
function areaCondition(area: Area) {
  switch (area.kind) {
    case 'primary':
      return sql`c.primary_substation_id = ${area.id}`;
    case 'secondary':
      return anyText(sql.raw('c.secondary_substation_id'), area.ids);
    case 'feeders':
      return anyText(sql.raw('c.feeder_id'), area.ids);
  }
}

export interface NewOrder {
  area: Area;
  areaFields: object;
  reductionPercent: number;
  start: Date;
  expectedEnd: Date;
  reason: string;
}

/** An order's keyset key, newest first: its issue time, then its id. */
export const orderKey = (row: OrderRow) => `${row.issuedAt.toISOString()}|${row.id}`;
export const isOrderKey = (key: string) => {
  const [issuedAt, id, ...rest] = key.split('|');
  return Boolean(id) && rest.length === 0 && !Number.isNaN(Date.parse(issuedAt!));
};

export class ContractedPowerOrderRepo {
  constructor(private readonly db: Database) {}

  /** Ids of the area that do not exist (grid's published views), so the caller can name them. */
  unknownAreaIds(area: Area): Promise<string[]> {
    return unknownAreaIds(this.db, area);
  }

  /**
   * Stores the order, a snapshot of its affected points and the ISSUED event in one transaction;
   * null when the area holds no metering point (nothing is written then).
   */
  async issue(order: NewOrder, actor: Actor): Promise<{ order: OrderRow; eventId: number } | null> {
    return this.db.transaction(async (tx) => {
      const id = `cpo-${randomUUID()}`;
      const points = await tx.execute<{ metering_point_id: string; retailer_id: string; contracted_power_kva: number }>(sql`
        SELECT c.metering_point_id, m.retailer_id, m.contracted_power_kva
        FROM grid.metering_point_connections_v c
        JOIN metering.metering_points_v m ON m.metering_point_id = c.metering_point_id
        WHERE ${areaCondition(order.area)}`);
      if (points.rows.length === 0) return null;
      const inserted = await tx.execute<RawOrder>(sql`
        INSERT INTO flexibility.contracted_power_orders (id, status, reduction_percent, start, expected_end, reason, area)
        VALUES (${id}, 'ISSUED', ${order.reductionPercent}, ${order.start}, ${order.expectedEnd}, ${order.reason}, ${JSON.stringify(order.areaFields)}::jsonb)
        RETURNING *`);
      await tx.execute(sql`
        INSERT INTO flexibility.contracted_power_order_points (order_id, metering_point_id, retailer_id, contracted_power_kva, temporary_max_power_kw)
        SELECT ${id}, * FROM unnest(
          ${sql.param(points.rows.map((p) => p.metering_point_id))}::text[],
          ${sql.param(points.rows.map((p) => p.retailer_id))}::text[],
          ${sql.param(points.rows.map((p) => p.contracted_power_kva))}::real[],
          ${sql.param(points.rows.map((p) => temporaryMaxPowerKw(p.contracted_power_kva, order.reductionPercent)))}::real[])`);
      const retailers = [...new Set(points.rows.map((p) => p.retailer_id))].sort();
      await recordMutation(tx, actor, 'issueContractedPowerOrder', id, `${order.reductionPercent} % for ${points.rows.length} metering points`);
      const eventId = await appendToOutbox(tx, 'CONTRACTED_POWER_ORDER', retailers, { kind: 'ISSUED', orderId: id });
      return { order: toOrder(inserted.rows[0]!), eventId };
    });
  }

  /** RESTORED or CANCELLED, once: the order must still be in force; the event goes to the same retailers. */
  async end(orderId: string, kind: Exclude<ContractedPowerOrderEventKind, 'ISSUED'>, actor: Actor): Promise<OrderRow> {
    return this.db.transaction(async (tx) => {
      const column = sql.raw(kind === 'RESTORED' ? 'restored_at' : 'cancelled_at');
      const updated = await tx.execute<RawOrder>(sql`
        UPDATE flexibility.contracted_power_orders SET status = ${kind}, ${column} = now()
        WHERE id = ${orderId} AND status = 'ISSUED' RETURNING *`);
      const row = updated.rows[0];
      if (!row) {
        const exists = await tx.execute(sql`SELECT 1 FROM flexibility.contracted_power_orders WHERE id = ${orderId}`);
        if (exists.rows.length === 0) throw new NotFoundError('Contracted-power order');
        throw new ConflictError('The order is no longer in force');
      }
      const retailers = await tx.execute<{ retailer_id: string }>(sql`
        SELECT DISTINCT retailer_id FROM flexibility.contracted_power_order_points WHERE order_id = ${orderId} ORDER BY retailer_id`);
      await recordMutation(tx, actor, kind === 'RESTORED' ? 'restoreContractedPowerOrder' : 'cancelContractedPowerOrder', orderId, kind.toLowerCase());
      await appendToOutbox(tx, 'CONTRACTED_POWER_ORDER', retailers.rows.map((r) => r.retailer_id), { kind, orderId });
      return toOrder(row);
    });
  }

  /** Records receipt once (a second acknowledgement keeps the first time); the caller has found the order addressed to it (loaders.order). */
  async acknowledge(orderId: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (tx) => {
      const inserted = await tx.execute(sql`
        INSERT INTO flexibility.contracted_power_order_acks (order_id, organisation_id) VALUES (${orderId}, ${actor.identity.organisationId})
        ON CONFLICT (order_id, organisation_id) DO NOTHING`);
      if (inserted.rowCount) await recordMutation(tx, actor, 'acknowledgeContractedPowerOrder', orderId, 'acknowledged');
    });
  }

  async byIds(ids: readonly string[]): Promise<OrderRow[]> {
    const result = await this.db.execute<RawOrder>(sql`SELECT * FROM flexibility.contracted_power_orders WHERE ${anyText(sql.raw('id'), ids)}`);
    return result.rows.map(toOrder);
  }

  /** A keyset page of the orders addressed to `retailerId` (all orders when null), newest first (keys: orderKey). */
  async page(retailerId: string | null, page: Page): Promise<{ rows: OrderRow[]; totalCount: number }> {
    const addressed = retailerId
      ? sql`EXISTS (SELECT 1 FROM flexibility.contracted_power_order_points p WHERE p.order_id = o.id AND p.retailer_id = ${retailerId})`
      : sql`true`;
    const [issuedAt, id] = page.afterKey?.split('|') ?? [];
    const after = issuedAt && id ? sql`AND (o.issued_at, o.id) < (${new Date(issuedAt)}, ${id})` : sql``;
    const [rows, total] = await Promise.all([
      this.db.execute<RawOrder>(sql`SELECT o.* FROM flexibility.contracted_power_orders o WHERE ${addressed} ${after} ORDER BY o.issued_at DESC, o.id DESC LIMIT ${page.limit + 1}`),
      this.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM flexibility.contracted_power_orders o WHERE ${addressed}`),
    ]);
    return { rows: rows.rows.map(toOrder), totalCount: Number(total.rows[0]!.n) };
  }

  /** Affected points of many orders; only `retailerId`'s when given. */
  async affected(orderIds: readonly string[], retailerId: string | null): Promise<AffectedRow[]> {
    const own = retailerId ? sql`AND retailer_id = ${retailerId}` : sql``;
    const result = await this.db.execute<{ order_id: string; metering_point_id: string; retailer_id: string; temporary_max_power_kw: number }>(sql`
      SELECT order_id, metering_point_id, retailer_id, temporary_max_power_kw FROM flexibility.contracted_power_order_points
      WHERE ${anyText(sql.raw('order_id'), orderIds)} ${own} ORDER BY order_id, metering_point_id`);
    return result.rows.map((row) => ({ orderId: row.order_id, meteringPointId: row.metering_point_id, retailerId: row.retailer_id, temporaryMaxPowerKw: row.temporary_max_power_kw }));
  }

  async acknowledgements(orderIds: readonly string[]): Promise<AckRow[]> {
    const result = await this.db.execute<{ order_id: string; organisation_id: string; acknowledged_at: string }>(sql`
      SELECT order_id, organisation_id, acknowledged_at FROM flexibility.contracted_power_order_acks
      WHERE ${anyText(sql.raw('order_id'), orderIds)} ORDER BY order_id, acknowledged_at`);
    return result.rows.map((row) => ({ orderId: row.order_id, organisationId: row.organisation_id, acknowledgedAt: date(row.acknowledged_at)! }));
  }

  /** Addressed retailers of many orders. */
  async addressees(orderIds: readonly string[]): Promise<{ orderId: string; retailerId: string }[]> {
    const result = await this.db.execute<{ order_id: string; retailer_id: string }>(sql`
      SELECT DISTINCT order_id, retailer_id FROM flexibility.contracted_power_order_points
      WHERE ${anyText(sql.raw('order_id'), orderIds)} ORDER BY order_id, retailer_id`);
    return result.rows.map((row) => ({ orderId: row.order_id, retailerId: row.retailer_id }));
  }

  /**
   * Import energy per quarter-hour of many orders' points over each order's window, with each
   * point's cap, from metering's published view; only `retailerId`'s points when given, each
   * reading kept only where the caller may read it (a point that changed supplier during the
   * order is its former retailer's only up to the switch).
   */
  async readingsInWindow(orderIds: readonly string[], retailerId: string | null, identity: Identity): Promise<WindowReading[]> {
    const own = retailerId ? sql`AND p.retailer_id = ${retailerId}` : sql``;
    const result = await this.db.execute<{ order_id: string; metering_point_id: string; temporary_max_power_kw: number; interval_start: string; import_wh: number }>(sql`
      SELECT o.id AS order_id, r.metering_point_id, p.temporary_max_power_kw, r.interval_start, r.import_wh
      FROM flexibility.contracted_power_orders o
      JOIN flexibility.contracted_power_order_points p ON p.order_id = o.id ${own}
      JOIN metering.readings_v r ON r.metering_point_id = p.metering_point_id
        AND r.interval_start >= o.start AND r.interval_start < coalesce(o.restored_at, o.cancelled_at, o.expected_end)
      WHERE ${anyText(sql.raw('o.id'), orderIds)} AND ${mayReadAt(identity, sql.raw('r.metering_point_id'), sql.raw('r.interval_start'), 'metering:read')}`);
    return result.rows.map((row) => ({
      orderId: row.order_id,
      meteringPointId: row.metering_point_id,
      temporaryMaxPowerKw: row.temporary_max_power_kw,
      intervalStartMs: Date.parse(row.interval_start),
      importWh: row.import_wh,
    }));
  }
}

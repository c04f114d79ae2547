import { and, count, desc, eq, gt, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import { MAX_FLEX_PERIOD_MS } from '../../schema/flexibility';
import type { HemsCommandReason } from '../../schema/hems';
import type { Identity } from '../../schema/identity';
import { devices, flexOrderCommandsView, flexOrderPeriodsView, hemsCommands, hemsSystems, openOrderPointsView } from '../../schema/tables';
import type { Page } from '../kit/connection';
import type { Database, Transaction } from '../kit/db';
import { mayReadPresent } from '../kit/point-access.sql';
import { anyText } from '../kit/sql';
import { mayControlHems } from './hems-access.sql';
import { HOLDING_KINDS, type CommandedDevice } from './hems-command.rules';

/** A stored command; the GraphQL HemsCommand resolves from it (hems and device are field resolvers). */
export type HemsCommandRow = typeof hemsCommands.$inferSelect;

/**
 * Who may see a command: the organisation that sent it (even once the HEMS is no longer shared
 * with it: it is its own record of what it asked), the customer of the HEMS, and the DSO those
 * sent for a flex order (it ordered that flexibility and settles it from those households'
 * meters: the commands are the link from its order to them). The DSO sees no other command.
 */
function mayViewCommand(identity: Identity): SQL {
  switch (identity.role) {
    case 'retailer':
    case 'aggregator':
      return eq(hemsCommands.issuerId, identity.organisationId);
    case 'customer':
      return sql`EXISTS (SELECT 1 FROM ${hemsSystems} WHERE ${hemsSystems.id} = ${hemsCommands.hemsId} AND ${hemsSystems.meteringPointId} = ${identity.organisationId})`;
    case 'dso':
      return eq(hemsCommands.reason, 'FLEX_ORDER');
    default:
      return sql`false`;
  }
}

/** Who may report a command's outcome: the HEMS's own key, or the platform that sent it (relaying the HEMS's answer). */
export function mayReportOutcome(identity: Identity): SQL {
  switch (identity.role) {
    case 'hems':
      return eq(hemsCommands.hemsId, identity.organisationId);
    case 'retailer':
    case 'aggregator':
      return eq(hemsCommands.issuerId, identity.organisationId);
    default:
      return sql`false`;
  }
}

/** A command's keyset key, newest first: its issue time (stored to the millisecond for this), then its id. */
export const commandKey = (row: HemsCommandRow) => `${row.issuedAt.toISOString()}|${row.id}`;
export const isCommandKey = (key: string) => {
  const [issuedAt, id, ...rest] = key.split('|');
  return Boolean(id) && rest.length === 0 && !Number.isNaN(Date.parse(issuedAt!));
};

/** What issuing a command to a HEMS needs to know of it, for the caller. */
export interface CommandTarget {
  meteringPointId: string;
  mayControl: boolean;
  /** The customer once shared it with the caller (a hems:read consent, over or not): a refusal may say it is no longer shared. */
  wasShared: boolean;
  /** The caller may read the point's metering data now (supplying it, or a metering:read consent in force). */
  mayReadMetering: boolean;
}

export async function commandTarget(tx: Transaction, identity: Identity, hemsId: string): Promise<CommandTarget | null> {
  // Wrapped, drizzle names a column with its table inside a selected expression: bare, the
  // subqueries' own metering_point_id would answer for it.
  const pointId = sql`${hemsSystems.meteringPointId}`;
  const [target] = await tx
    .select({
      meteringPointId: hemsSystems.meteringPointId,
      mayControl: mayControlHems(identity, sql`${hemsSystems.id}`, pointId).mapWith(Boolean),
      wasShared: sql`EXISTS (
        SELECT 1 FROM hub.consents c
        WHERE c.metering_point_id = ${pointId} AND c.organisation_id = ${identity.organisationId} AND 'hems:read'::hub.consent_scope = ANY(c.scopes))`.mapWith(Boolean),
      mayReadMetering: mayReadPresent(identity, pointId, 'metering:read').mapWith(Boolean),
    })
    .from(hemsSystems)
    .where(eq(hemsSystems.id, hemsId));
  return target ?? null;
}

/** The device if it is one of the HEMS's. */
export async function deviceOfHems(tx: Transaction, hemsId: string, deviceId: string): Promise<CommandedDevice | null> {
  const [device] = await tx
    .select({ kind: devices.kind, ratedPowerKw: devices.ratedPowerKw, controllable: devices.controllable })
    .from(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.hemsId, hemsId)));
  return device ?? null;
}

/**
 * The period of the order of that reason (a contracted-power order in force, or a flex order
 * ordered or activated on an open request) if it covers the point and is addressed to the retailer
 * (flexibility's published view); null otherwise.
 */
export async function openOrderCovering(
  tx: Transaction,
  reason: HemsCommandReason,
  orderId: string,
  meteringPointId: string,
  retailerId: string,
): Promise<{ start: Date; expectedEnd: Date } | null> {
  const [row] = await tx
    .select({ start: openOrderPointsView.start, expectedEnd: openOrderPointsView.expectedEnd })
    .from(openOrderPointsView)
    .where(
      and(
        eq(openOrderPointsView.orderId, orderId),
        eq(openOrderPointsView.reason, reason),
        eq(openOrderPointsView.meteringPointId, meteringPointId),
        eq(openOrderPointsView.retailerId, retailerId),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** Whether the issuer sent the HEMS a SHIFT or CURTAIL for the order, whatever came of it: what a RESTORE may undo once the order has left. */
export async function heldForOrder(tx: Transaction, hemsId: string, reason: HemsCommandReason, orderId: string, issuerId: string): Promise<boolean> {
  const [held] = await tx
    .select({ id: hemsCommands.id })
    .from(hemsCommands)
    .where(
      and(
        eq(hemsCommands.hemsId, hemsId),
        eq(hemsCommands.reason, reason),
        eq(hemsCommands.orderId, orderId),
        eq(hemsCommands.issuerId, issuerId),
        inArray(hemsCommands.kind, [...HOLDING_KINDS]),
      ),
    )
    .limit(1);
  return held !== undefined;
}

/**
 * Whether the HEMS's household is held for another flex order over part of [start, end): a
 * command of that order's offerer that holds it (hems.flex_order_commands_v, the contract the
 * market settles by: flex-order-hems.repo.ts), the order not cancelled and its settled period
 * (flexibility.flex_order_periods_v) overlapping, whether its request is still open or not. The
 * HEMS's row is locked first, in a statement of its own: two offerers holding it at once are
 * taken one after the other, and the second's read, after the lock, sees the first's command.
 */
export async function heldForOtherFlexOrder(tx: Transaction, hemsId: string, orderId: string, start: Date, end: Date): Promise<boolean> {
  // NO KEY UPDATE: it serialises the HEMS's commands without holding up inserts that reference it.
  await tx.select({ id: hemsSystems.id }).from(hemsSystems).where(eq(hemsSystems.id, hemsId)).for('no key update');
  // A command lies within its order's period, at most MAX_FLEX_PERIOD_MS long: an overlapping
  // order's commands start within that of ours, which bounds the read on commands_hems_idx
  // however long the HEMS's history.
  const [held] = await tx
    .select({ orderId: flexOrderCommandsView.orderId })
    .from(flexOrderCommandsView)
    .innerJoin(flexOrderPeriodsView, and(eq(flexOrderPeriodsView.orderId, flexOrderCommandsView.orderId), eq(flexOrderPeriodsView.organisationId, flexOrderCommandsView.issuerId)))
    .where(
      and(
        eq(flexOrderCommandsView.hemsId, hemsId),
        flexOrderCommandsView.holds,
        ne(flexOrderCommandsView.orderId, orderId),
        gt(flexOrderCommandsView.start, new Date(start.getTime() - MAX_FLEX_PERIOD_MS)),
        lt(flexOrderCommandsView.start, new Date(end.getTime() + MAX_FLEX_PERIOD_MS)),
        lt(flexOrderPeriodsView.start, end),
        gt(flexOrderPeriodsView.end, start),
      ),
    )
    .limit(1);
  return held !== undefined;
}

/** Commands read only as far as the caller may see them (mayViewCommand). */
export class HemsCommandRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  byIds(ids: readonly string[]): Promise<HemsCommandRow[]> {
    return this.db
      .select()
      .from(hemsCommands)
      .where(and(anyText(hemsCommands.id, ids), mayViewCommand(this.identity)));
  }

  /** A keyset page (keys: commandKey) of the commands the caller may see, of one HEMS when given, newest first, and how many there are. */
  async page(hemsId: string | null, page: Page): Promise<{ rows: HemsCommandRow[]; totalCount: number }> {
    const visible = and(mayViewCommand(this.identity), hemsId === null ? undefined : eq(hemsCommands.hemsId, hemsId));
    const [issuedAt, id] = page.afterKey?.split('|') ?? [];
    const after = issuedAt && id ? sql`(${hemsCommands.issuedAt}, ${hemsCommands.id}) < (${new Date(issuedAt)}, ${id})` : undefined;
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(hemsCommands)
        .where(and(visible, after))
        .orderBy(desc(hemsCommands.issuedAt), desc(hemsCommands.id))
        .limit(page.limit + 1),
      this.db.select({ n: count() }).from(hemsCommands).where(visible),
    ]);
    return { rows, totalCount: total?.n ?? 0 };
  }
}

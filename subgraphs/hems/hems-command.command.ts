import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../schema/errors';
import type { HemsCommandKind, HemsCommandReason } from '../../schema/hems';
import { hemsCommands } from '../../schema/tables';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database } from '../kit/db';
import { appendEventsToOutbox, appendToOutbox } from '../kit/outbox';
import { badInput } from '../kit/bad-input';
import { commandTarget, deviceOfHems, heldForOrder, heldForOtherFlexOrder, mayReportOutcome, openOrderCovering, type HemsCommandRow } from './hems-command.repo';
import { commandProblems, defaultExpiryMs, isHolding, orderProblem, outcomeDetail, outcomeTime, transitionProblem, type HemsCommandOutcome } from './hems-command.rules';

export interface NewHemsCommand {
  hemsId: string;
  deviceId: string | null;
  kind: HemsCommandKind;
  targetPowerKw: number | null;
  start: Date;
  end: Date;
  reason: HemsCommandReason;
  orderId: string;
  expiresAt: Date | null;
}

export interface HemsCommandOutcomeReport {
  commandId: string;
  status: HemsCommandOutcome;
  at: Date | null;
  detail: string | null;
}

/** How many expired commands one sweep marks at most: the next sweep takes the rest. */
const EXPIRY_BATCH = 1_000;

/** The outcome's event, to the organisation that sent the command only. */
const commandEvent = (row: HemsCommandRow) => ({ audience: [row.issuerId], payload: { kind: row.status, commandId: row.id, hemsId: row.hemsId } });

/**
 * issueHemsCommand: stores the command (SENT) with its audit line. The HEMS must be shared with
 * the caller now (mayControlHems): NOT_FOUND when it never was, FORBIDDEN when it no longer is,
 * and FORBIDDEN for a SHIFT or CURTAIL for a flex order when the caller may not read the
 * household's meter now (mayReadPresent metering:read: the order's settlement shows it);
 * BAD_USER_INPUT naming the field for the command's own problems, an order (of its reason, open,
 * the caller's) that does not cover the HEMS's point, or a window outside a flex order's period
 * (orderProblem: a RESTORE of what the caller held off for an order that has since left is taken);
 * CONFLICT for a flex order's SHIFT or CURTAIL of a household held for another flex order over an
 * overlapping period (heldForOtherFlexOrder), whoever's. Nothing is written then.
 */
export function issueHemsCommand(db: Database, command: NewHemsCommand, actor: Actor): Promise<HemsCommandRow> {
  const { identity } = actor;
  return db.transaction(async (tx) => {
    const target = await commandTarget(tx, identity, command.hemsId);
    if (!target?.mayControl) {
      if (target?.wasShared) throw new ForbiddenError(`HEMS ${command.hemsId} is no longer shared with you: the customer's hems:read consent or your supply contract has ended`);
      throw new NotFoundError('HEMS');
    }
    // The offerer reads its order's settlement, the household's metered import per ISP: holding
    // off a load for a flex order needs what reading that meter needs.
    if (command.reason === 'FLEX_ORDER' && isHolding(command.kind) && !target.mayReadMetering) {
      throw new ForbiddenError(
        `the market settles a flex order from the household's meter, so a flex order's commands need a metering:read consent for HEMS ${command.hemsId}'s metering point (for an aggregator)`,
      );
    }
    const device = command.deviceId === null ? null : await deviceOfHems(tx, command.hemsId, command.deviceId);
    const nowMs = Date.now();
    const draft = { ...command, startMs: command.start.getTime(), endMs: command.end.getTime(), expiresAtMs: command.expiresAt?.getTime() ?? null };
    const problems = commandProblems(draft, device, nowMs);
    const orderId = command.orderId.trim();
    let period: Awaited<ReturnType<typeof openOrderCovering>> = null;
    if (!problems.some((problem) => problem.field === 'orderId')) {
      period = await openOrderCovering(tx, command.reason, orderId, target.meteringPointId, identity.organisationId);
      // Only a RESTORE may follow an order that has left, and only what the sender held off for it.
      const heldBefore = !period && command.kind === 'RESTORE' && (await heldForOrder(tx, command.hemsId, command.reason, orderId, identity.organisationId));
      const problem = orderProblem({ ...draft, orderId }, { period: period && { startMs: period.start.getTime(), endMs: period.expectedEnd.getTime() }, heldBefore });
      if (problem) problems.push(problem);
    }
    if (problems.length > 0) throw badInput(problems);
    // Each flex order settles on the meters of the HEMS it held: a household held for two at once would be paid twice for one reduction.
    if (period && command.reason === 'FLEX_ORDER' && isHolding(command.kind) && (await heldForOtherFlexOrder(tx, command.hemsId, orderId, period.start, period.expectedEnd))) {
      throw new ConflictError(`HEMS ${command.hemsId}'s household is already held for another flex order over this period: a reduction is sold once`);
    }
    const [row] = await tx
      .insert(hemsCommands)
      .values({
        id: `hc-${randomUUID()}`,
        hemsId: command.hemsId,
        deviceId: command.deviceId,
        kind: command.kind,
        targetPowerKw: command.targetPowerKw,
        start: command.start,
        end: command.end,
        reason: command.reason,
        orderId,
        issuerId: identity.organisationId,
        issuedByKeyId: identity.keyId,
        // Milliseconds, as a JavaScript Date and so a page cursor (commandKey) holds it.
        issuedAt: sql`date_trunc('milliseconds', now())`,
        expiresAt: new Date(command.expiresAt?.getTime() ?? defaultExpiryMs(draft, nowMs)),
      })
      .returning();
    await recordMutation(tx, actor, 'issueHemsCommand', row!.id, `${row!.kind} ${row!.deviceId ?? 'every device'} of ${row!.hemsId} for ${row!.reason} ${orderId}`);
    return row!;
  });
}

/**
 * reportHemsCommandOutcome: moves the command to the outcome with its time and detail, its audit
 * line and its HEMS_COMMAND event to the issuer, in one transaction. NOT_FOUND when the caller
 * may not report on it (mayReportOutcome), CONFLICT for a change its status does not allow
 * (transitionProblem), BAD_USER_INPUT for a time or detail that cannot be right.
 */
export function reportHemsCommandOutcome(db: Database, report: HemsCommandOutcomeReport, actor: Actor): Promise<HemsCommandRow> {
  const detail = outcomeDetail(report.detail);
  if ('problem' in detail) throw new BadUserInputError(detail.problem, { field: 'detail' });
  return db.transaction(async (tx) => {
    const [command] = await tx
      .select()
      .from(hemsCommands)
      .where(and(eq(hemsCommands.id, report.commandId), mayReportOutcome(actor.identity)))
      .for('update');
    if (!command) throw new NotFoundError('HEMS command');
    const nowMs = Date.now();
    const conflict = transitionProblem(command.status, report.status, command.expiresAt.getTime(), nowMs);
    if (conflict) throw new ConflictError(conflict);
    const time = outcomeTime(report.at?.getTime() ?? null, (command.acknowledgedAt ?? command.issuedAt).getTime(), nowMs);
    if ('problem' in time) throw new BadUserInputError(time.problem, { field: 'at' });
    const at = new Date(time.atMs);
    const recorded = { ACKNOWLEDGED: { acknowledgedAt: at }, EXECUTED: { executedAt: at }, REJECTED: { rejectedAt: at } }[report.status];
    const [row] = await tx
      .update(hemsCommands)
      .set({ status: report.status, ...recorded, outcomeDetail: detail.detail ?? command.outcomeDetail })
      .where(eq(hemsCommands.id, command.id))
      .returning();
    await recordMutation(tx, actor, 'reportHemsCommandOutcome', row!.id, `${command.status} to ${row!.status}`);
    const event = commandEvent(row!);
    await appendToOutbox(tx, 'HEMS_COMMAND', event.audience, event.payload);
    return row!;
  });
}

/**
 * Marks SENT commands whose HEMS did not answer by expiresAt EXPIRED, each with its HEMS_COMMAND
 * event, in one transaction; returns how many. Commands whose outcome is being reported right now
 * are left to the next sweep (their report decides).
 */
export function expireHemsCommands(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    const due = tx
      .select({ id: hemsCommands.id })
      .from(hemsCommands)
      .where(and(eq(hemsCommands.status, 'SENT'), lt(hemsCommands.expiresAt, sql`now()`)))
      .orderBy(asc(hemsCommands.expiresAt))
      .limit(EXPIRY_BATCH)
      .for('update', { skipLocked: true });
    const expired = await tx.update(hemsCommands).set({ status: 'EXPIRED', expiredAt: sql`now()` }).where(inArray(hemsCommands.id, due)).returning();
    await appendEventsToOutbox(tx, 'HEMS_COMMAND', expired.map(commandEvent));
    return expired.length;
  });
}

/** Pure rules of the commands a retailer or aggregator sends a HEMS, and of the outcomes the HEMS reports. */
import { REDUCIBLE_DEVICE_KINDS, type DeviceKind, type HemsCommandKind, type HemsCommandReason, type HemsCommandStatus } from '../../schema/hems';
import type { Problem } from '../kit/problem';

const MINUTE_MS = 60_000;
/** The longest a command may act: a day, the horizon of every order it can serve. */
export const MAX_COMMAND_WINDOW_MS = 24 * 60 * MINUTE_MS;
/** How long a HEMS has to answer a command that starts at once (or sooner than this), unless the issuer says. */
export const DEFAULT_ANSWER_MS = 5 * MINUTE_MS;
export const MAX_ORDER_ID_LENGTH = 100;
export const MAX_DETAIL_LENGTH = 500;
/** A HEMS's clock may run a little apart from the hub's: an outcome time this far off is taken as now (or as the command's last event). */
export const OUTCOME_CLOCK_SKEW_MS = 30_000;

/** What a HEMS may report; EXPIRED is the hub's, when no answer came in time. */
export const HEMS_COMMAND_OUTCOMES = ['ACKNOWLEDGED', 'EXECUTED', 'REJECTED'] as const satisfies readonly HemsCommandStatus[];
export type HemsCommandOutcome = (typeof HEMS_COMMAND_OUTCOMES)[number];

/** Which outcome may follow which status: EXECUTED, REJECTED and EXPIRED are final. */
const NEXT: Readonly<Record<HemsCommandStatus, readonly HemsCommandOutcome[]>> = {
  SENT: ['ACKNOWLEDGED', 'EXECUTED', 'REJECTED'],
  ACKNOWLEDGED: ['EXECUTED', 'REJECTED'],
  EXECUTED: [],
  REJECTED: [],
  EXPIRED: [],
};

export interface CommandDraft {
  kind: HemsCommandKind;
  deviceId: string | null;
  targetPowerKw: number | null;
  startMs: number;
  endMs: number;
  reason: HemsCommandReason;
  orderId: string;
  expiresAtMs: number | null;
}

/** What the rules need of the device a command names. */
export interface CommandedDevice {
  kind: DeviceKind;
  ratedPowerKw: number;
  controllable: boolean;
}

const REDUCIBLE = new Set<DeviceKind>(REDUCIBLE_DEVICE_KINDS);

/** When the HEMS must have answered by, when the issuer does not say: the start, and at least DEFAULT_ANSWER_MS from now, never after the end. */
export function defaultExpiryMs(draft: Pick<CommandDraft, 'startMs' | 'endMs'>, nowMs: number): number {
  return Math.min(Math.max(draft.startMs, nowMs + DEFAULT_ANSWER_MS), draft.endMs);
}

/**
 * Everything wrong with a command before its order is looked up; empty when it may be sent.
 * `device` is the named device when it is one of the HEMS's, null when none is named or the one
 * named is not the HEMS's (a device of another HEMS is as unknown as one that does not exist).
 */
export function commandProblems(draft: CommandDraft, device: CommandedDevice | null, nowMs: number): Problem[] {
  const problems: Problem[] = [];
  if (draft.deviceId === null) {
    if (draft.kind !== 'RESTORE') problems.push({ field: 'deviceId', message: `a ${draft.kind} command acts on one device: name it` });
  } else if (!device) problems.push({ field: 'deviceId', message: `no device ${draft.deviceId} in this HEMS` });
  else if (!device.controllable) problems.push({ field: 'deviceId', message: `device ${draft.deviceId} cannot be controlled by the HEMS` });
  else if (draft.kind !== 'RESTORE' && !REDUCIBLE.has(device.kind)) {
    // Every reason is an order for less consumption: holding off a PV inverter's output raises it.
    problems.push({ field: 'deviceId', message: `device ${draft.deviceId} is a ${device.kind}: holding it off raises the household's consumption, the opposite of what a ${draft.reason} asks` });
  }
  if (draft.kind === 'CURTAIL') {
    if (draft.targetPowerKw === null) problems.push({ field: 'targetPowerKw', message: 'a CURTAIL command needs the power the device may draw at most' });
    else if (!(draft.targetPowerKw >= 0 && draft.targetPowerKw <= (device?.ratedPowerKw ?? Infinity))) {
      problems.push({ field: 'targetPowerKw', message: `targetPowerKw must be from 0 to the device's rated power${device ? ` (${device.ratedPowerKw} kW)` : ''}` });
    }
  } else if (draft.targetPowerKw !== null) problems.push({ field: 'targetPowerKw', message: `a ${draft.kind} command has no target power` });
  if (!(draft.endMs > draft.startMs)) problems.push({ field: 'end', message: 'end must be after start' });
  else if (draft.endMs <= nowMs) problems.push({ field: 'end', message: 'end must be in the future' });
  else if (draft.endMs - draft.startMs > MAX_COMMAND_WINDOW_MS) problems.push({ field: 'end', message: `a command may act for at most ${MAX_COMMAND_WINDOW_MS / 3_600_000} hours` });
  if (draft.expiresAtMs !== null) {
    if (!(draft.expiresAtMs > nowMs)) problems.push({ field: 'expiresAt', message: 'expiresAt must be in the future' });
    else if (draft.expiresAtMs > draft.endMs) problems.push({ field: 'expiresAt', message: 'expiresAt must not be after end: an answer then would come too late' });
  }
  const orderId = draft.orderId.trim();
  if (orderId.length === 0 || orderId.length > MAX_ORDER_ID_LENGTH) problems.push({ field: 'orderId', message: `orderId must be 1 to ${MAX_ORDER_ID_LENGTH} characters` });
  return problems;
}

/** Commands that hold a load off: what a RESTORE undoes. */
export const HOLDING_KINDS = ['SHIFT', 'CURTAIL'] as const satisfies readonly HemsCommandKind[];
export const isHolding = (kind: HemsCommandKind): boolean => HOLDING_KINDS.some((holding) => holding === kind);

/** What a command's order is to it: open for the sender and covering the HEMS's point (with its period), or not; and what the sender sent that HEMS for it before. */
export interface OrderStanding {
  /** The order's period (a flex order's: its offer's ISPs) while it is open for the sender and covers the HEMS's point; null otherwise. */
  period: { startMs: number; endMs: number } | null;
  /** The sender sent that HEMS a SHIFT or CURTAIL (HOLDING_KINDS) for the order before, whatever came of it. */
  heldBefore: boolean;
}

/** What a command's order must be, by its reason, as a refusal says it. */
const ORDER_NEEDED: Readonly<Record<HemsCommandReason, (orderId: string) => string>> = {
  CONTRACTED_POWER_ORDER: (orderId) => `no contracted-power order ${orderId} in force covers this HEMS's metering point and is addressed to you`,
  FLEX_ORDER: (orderId) => `no flex order ${orderId} of yours, ordered or activated on an open request, covers this HEMS's metering point`,
};

/**
 * The command's problem with its order, or null. A SHIFT or CURTAIL acts only under an order of
 * its reason open for the sender that covers the HEMS's point, a flex order's within its period
 * (the ISPs its offer covers).
 * A RESTORE undoes what the sender asked of the HEMS: it is taken under such an order too, and,
 * once the order has left (restored or cancelled, its request closed or its period over), when
 * the sender sent that HEMS a SHIFT or CURTAIL for it: restoring is then exactly what it must do.
 */
export function orderProblem(draft: Pick<CommandDraft, 'kind' | 'reason' | 'orderId' | 'startMs' | 'endMs'>, standing: OrderStanding): Problem | null {
  const { period } = standing;
  if (period) {
    // A flex order buys a reduction in its ISPs only: the command may not act outside them.
    if (draft.reason === 'FLEX_ORDER' && (draft.startMs < period.startMs || draft.endMs > period.endMs)) {
      return { field: 'start', message: `the command's window must lie within flex order ${draft.orderId}'s period, ${new Date(period.startMs).toISOString()} to ${new Date(period.endMs).toISOString()}` };
    }
    return null;
  }
  if (draft.kind === 'RESTORE' && standing.heldBefore) return null;
  const restore = draft.kind === 'RESTORE' ? ', and you sent this HEMS no SHIFT or CURTAIL for it to restore' : '';
  return { field: 'orderId', message: `${ORDER_NEEDED[draft.reason](draft.orderId)}${restore}` };
}

/** Why the outcome may not follow the command's status now, or null. A SENT command past its expiry takes no outcome: the hub expires it. */
export function transitionProblem(status: HemsCommandStatus, outcome: HemsCommandOutcome, expiresAtMs: number, nowMs: number): string | null {
  if (!NEXT[status].includes(outcome)) return `A ${status} command cannot become ${outcome}`;
  if (status === 'SENT' && nowMs > expiresAtMs) return `The command expired at ${new Date(expiresAtMs).toISOString()}: the HEMS did not answer in time`;
  return null;
}

/**
 * When the outcome happened: `atMs` (now when not given), taken as the command's last event
 * (its issue or acknowledgement) or as now when a HEMS's clock puts it a little before or after;
 * farther off, a problem.
 */
export function outcomeTime(atMs: number | null, lastEventMs: number, nowMs: number): { atMs: number } | { problem: string } {
  if (atMs === null) return { atMs: nowMs };
  if (!Number.isFinite(atMs)) return { problem: 'at is not a valid time' };
  if (atMs > nowMs + OUTCOME_CLOCK_SKEW_MS) return { problem: 'at is in the future' };
  if (atMs < lastEventMs - OUTCOME_CLOCK_SKEW_MS) return { problem: `at is before the command's last event (${new Date(lastEventMs).toISOString()})` };
  return { atMs: Math.min(Math.max(atMs, lastEventMs), nowMs) };
}

/** The outcome's detail as stored: trimmed, null when empty; a problem when too long. */
export function outcomeDetail(detail: string | null): { detail: string | null } | { problem: string } {
  const trimmed = detail?.trim() ?? '';
  if (trimmed.length > MAX_DETAIL_LENGTH) return { problem: `detail must be at most ${MAX_DETAIL_LENGTH} characters` };
  return { detail: trimmed.length > 0 ? trimmed : null };
}

import { hasScope, type Scope } from './access';
import type { FlexOfferEventKind, FlexOrderEventKind, FlexRequestCloseReason, FlexRequestEventKind } from './flexibility';
import type { GridConstraintKind } from './grid-constraints';
import type { HemsCommandStatus } from './hems';

/**
 * The events the hub pushes, as written to hub.outbox and read by the gateway's event hub.
 * Adding a type here (and a field to HubEvent in the flexibility subgraph) is all a new event
 * needs: storage, ordering, replay and delivery are shared.
 */
export const HUB_EVENT_TYPES = [
  'CONTRACTED_POWER_ORDER',
  'FLEX_REQUEST',
  'FLEX_OFFER',
  'FLEX_ORDER',
  'FLEX_RESTORE',
  'GRID_CONSTRAINT',
  'HEMS_STATUS',
  'HEMS_COMMAND',
  'CRITICAL_PEAK_EVENT',
] as const;
export type HubEventType = (typeof HUB_EVENT_TYPES)[number];

export const CONTRACTED_POWER_ORDER_EVENT_KINDS = ['ISSUED', 'RESTORED', 'CANCELLED'] as const;
export type ContractedPowerOrderEventKind = (typeof CONTRACTED_POWER_ORDER_EVENT_KINDS)[number];

export interface ContractedPowerOrderEventPayload {
  kind: ContractedPowerOrderEventKind;
  orderId: string;
}

/** A request created or revised: to the DSO and the organisations it was published to. */
export interface FlexRequestEventPayload {
  kind: FlexRequestEventKind;
  flexRequestId: string;
}

/** An offer submitted or revoked: to the DSO and the offerer. */
export interface FlexOfferEventPayload {
  kind: FlexOfferEventKind;
  flexOfferId: string;
  flexRequestId: string;
}

/** An order placed, activated (reported), settled or cancelled: to the DSO and the offerer. */
export interface FlexOrderEventPayload {
  kind: FlexOrderEventKind;
  flexOrderId: string;
  flexRequestId: string;
}

/** Back to normal: the request closed (by the DSO, or its period ended); to everyone it was published to. */
export interface FlexRestoreEventPayload {
  kind: FlexRequestCloseReason;
  flexRequestId: string;
}

export const GRID_CONSTRAINT_EVENT_KINDS = ['NEW', 'CLEARED'] as const;
export type GridConstraintEventKind = (typeof GRID_CONSTRAINT_EVENT_KINDS)[number];

/**
 * A grid constraint found (by a power-flow run) or declared (by the DSO), or cleared: one event
 * per constraint, addressed to the parties with customers behind its secondary substation.
 */
export interface GridConstraintEventPayload {
  kind: GridConstraintEventKind;
  constraintId: string;
  constraintKind: GridConstraintKind;
  secondarySubstationId: string;
  feederId: string | null;
  /** ISO 8601 instants of the constraint's window. */
  start: string;
  end: string;
}

export const HEMS_STATUS_EVENT_KINDS = ['OFFLINE', 'ONLINE'] as const;
export type HemsStatusEventKind = (typeof HEMS_STATUS_EVENT_KINDS)[number];

/** A HEMS went silent for HEMS_OFFLINE_AFTER_S, or reported again: to the parties it is shared with. */
export interface HemsStatusEventPayload {
  kind: HemsStatusEventKind;
  hemsId: string;
  /** ISO 8601: the last report before it went silent, or the report that brought it back. */
  lastSeenAt: string;
}

/** A command's outcome changed (the HEMS answered, or it expired): to the organisation that sent it. */
export interface HemsCommandEventPayload {
  kind: HemsCommandStatus;
  commandId: string;
  hemsId: string;
}

export const CRITICAL_PEAK_EVENT_KINDS = ['ANNOUNCED'] as const;
export type CriticalPeakEventKind = (typeof CRITICAL_PEAK_EVENT_KINDS)[number];

/**
 * The DSO announced a critical-peak event of a scheme: to the DSO, the retailers supplying the
 * points on that scheme during the event and those points' customers, never to every party.
 */
export interface CriticalPeakEventPayload {
  kind: CriticalPeakEventKind;
  /** The critical-peak event's id (not the hub event's, which is the outbox id). */
  criticalPeakEventId: string;
  schemeId: string;
  /** ISO 8601 instants of the event's window. */
  start: string;
  end: string;
}

export interface EventPayloads {
  CONTRACTED_POWER_ORDER: ContractedPowerOrderEventPayload;
  FLEX_REQUEST: FlexRequestEventPayload;
  FLEX_OFFER: FlexOfferEventPayload;
  FLEX_ORDER: FlexOrderEventPayload;
  FLEX_RESTORE: FlexRestoreEventPayload;
  GRID_CONSTRAINT: GridConstraintEventPayload;
  HEMS_STATUS: HemsStatusEventPayload;
  HEMS_COMMAND: HemsCommandEventPayload;
  CRITICAL_PEAK_EVENT: CriticalPeakEventPayload;
}

/**
 * Events about one household's equipment: only their addressees receive them, the DSO included
 * (it sees an individual HEMS only while an order is active behind it), and an empty audience
 * addresses nobody rather than every party.
 */
export const PRIVATE_EVENT_TYPES: readonly HubEventType[] = ['HEMS_STATUS', 'HEMS_COMMAND'];

/**
 * Market events only for the parties they concern: the DSO receives them all, as any market
 * event, but an empty audience (a critical-peak scheme nobody is on yet) addresses nobody else
 * rather than every party.
 */
export const ADDRESSED_EVENT_TYPES: readonly HubEventType[] = ['CRITICAL_PEAK_EVENT', 'FLEX_REQUEST', 'FLEX_OFFER', 'FLEX_ORDER', 'FLEX_RESTORE'];

/** What the outbox holds for one event. `audience` empty: every market party may receive it. */
export interface OutboxEvent<T extends HubEventType = HubEventType> {
  id: number;
  type: T;
  occurredAt: Date;
  audience: string[];
  payload: EventPayloads[T];
}

/** NOTIFY channel: the payload is the new event's id, a wake-up call; the outbox is the truth. */
export const OUTBOX_CHANNEL = 'hub_outbox';
/** The scope that lets a party receive market events that are not addressed to it. */
export const EVENTS_SCOPE: Scope = 'events:read';

/** The part of a caller's identity that decides which events it receives. */
export interface EventRecipient {
  organisationId: string;
  role: string;
  scopes: readonly string[];
}

/**
 * Whether `recipient` may receive `event`: a private event only its addressees, and a customer only
 * events addressed to it; otherwise the DSO
 * every event, an addressed event (or one of ADDRESSED_EVENT_TYPES) only its addressees, and an
 * unaddressed market event every party with the events scope (retailers and aggregators by
 * default, stakeholders whose key has it).
 */
export function mayReceive(recipient: EventRecipient, event: Pick<OutboxEvent, 'audience' | 'type'>): boolean {
  // A customer is no market party: it receives what is addressed to it (its critical-peak events), never a broadcast.
  if (PRIVATE_EVENT_TYPES.includes(event.type) || recipient.role === 'customer') return event.audience.includes(recipient.organisationId);
  if (recipient.role === 'dso') return true;
  if (event.audience.length > 0 || ADDRESSED_EVENT_TYPES.includes(event.type)) return event.audience.includes(recipient.organisationId);
  return hasScope(recipient, EVENTS_SCOPE);
}

import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import {
  mayReceive,
  type ContractedPowerOrderEventPayload,
  type CriticalPeakEventPayload,
  type FlexOfferEventPayload,
  type FlexOrderEventPayload,
  type FlexRequestEventPayload,
  type FlexRestoreEventPayload,
  type GridConstraintEventPayload,
  type HemsCommandEventPayload,
  type HemsStatusEventPayload,
} from '../../schema/events';
import type { SubgraphContext } from '../kit/context';
import { GATEWAY_TOPIC } from '../kit/subgraph';
import { affectedOf } from './contracted-power-order.resolver';
import { AffectedMeteringPoint, ContractedPowerOrderEvent, ContractedPowerOrderEventKind } from './contracted-power-order.type';
import type { FlexibilityLoaders } from './flexibility.loader';
import { FlexRequestEvent } from './flex-request.type';
import { HubEvent, HubEventType, type CriticalPeakNotice, type GridConstraintEvent, type HemsCommandEvent, type HemsStatusEvent } from './hub-event.type';
import type { StoredEvent } from './outbox.repo';

type Context = SubgraphContext<FlexibilityLoaders>;

async function orderEvent(event: StoredEvent, ctx: Context): Promise<ContractedPowerOrderEvent> {
  const payload = event.payload as ContractedPowerOrderEventPayload;
  // The order loader finds only orders the caller may see: the event is for it only then.
  const order = await ctx.loaders.order.load(payload.orderId);
  if (!order) throw new NotFoundError('Event');
  return { eventId: String(event.id), kind: payload.kind as ContractedPowerOrderEventKind, order: order as never, orderId: payload.orderId };
}

function gridConstraintEvent(event: StoredEvent): GridConstraintEvent {
  const payload = event.payload as GridConstraintEventPayload;
  return { eventId: String(event.id), kind: payload.kind, constraint: { id: payload.constraintId } };
}

// The stubs are resolved, and checked against the receiver, by the HEMS subgraph.
function hemsStatusEvent(event: StoredEvent): HemsStatusEvent {
  const payload = event.payload as HemsStatusEventPayload;
  return { eventId: String(event.id), kind: payload.kind, lastSeenAt: new Date(payload.lastSeenAt), hems: { id: payload.hemsId } };
}

function hemsCommandEvent(event: StoredEvent): HemsCommandEvent {
  const payload = event.payload as HemsCommandEventPayload;
  return { eventId: String(event.id), kind: payload.kind, command: { id: payload.commandId } };
}

// The stub is resolved, and read with the receiver's scopes, by the tariffs subgraph.
function criticalPeakNotice(event: StoredEvent): CriticalPeakNotice {
  const payload = event.payload as CriticalPeakEventPayload;
  return { eventId: String(event.id), kind: payload.kind, start: new Date(payload.start), end: new Date(payload.end), criticalPeakEvent: { id: payload.criticalPeakEventId } };
}

/** A request created or revised (FLEX_REQUEST), or closed (FLEX_RESTORE): both carry the request. */
function isFlexRequestEvent(event: StoredEvent): event is StoredEvent & { payload: FlexRequestEventPayload | FlexRestoreEventPayload } {
  return event.type === HubEventType.FLEX_REQUEST || event.type === HubEventType.FLEX_RESTORE;
}

async function toFlexRequestEvent(event: StoredEvent & { payload: FlexRequestEventPayload | FlexRestoreEventPayload }, ctx: Context): Promise<FlexRequestEvent> {
  // Read with the receiver's visibility, as any request.
  return { eventId: String(event.id), kind: event.payload.kind, flexRequest: await ctx.loaders.flexRequest.load(event.payload.flexRequestId) };
}

@Resolver(() => ContractedPowerOrderEvent)
export class ContractedPowerOrderEventResolver {
  @FieldResolver(() => [AffectedMeteringPoint], { description: "The receiver's own affected points (all of them for the DSO)" })
  affected(@Root() event: ContractedPowerOrderEvent, @Ctx() ctx: Context): Promise<AffectedMeteringPoint[]> {
    return affectedOf(event.orderId, ctx);
  }
}

@Resolver(() => HubEvent)
export class HubEventResolver {
  @Authorized('events:read')
  @Query(() => HubEvent, { nullable: true, description: 'One pushed event as you receive it; NOT_FOUND when it is not for you' })
  async hubEvent(@Arg('eventId', () => ID) eventId: string, @Ctx() ctx: Context): Promise<HubEvent> {
    const event = await ctx.loaders.event.load(eventId);
    if (!event || !mayReceive(ctx.identity, event)) throw new NotFoundError('Event');
    return {
      eventId: String(event.id),
      type: event.type,
      occurredAt: event.occurredAt,
      contractedPowerOrder: event.type === HubEventType.CONTRACTED_POWER_ORDER ? await orderEvent(event, ctx) : null,
      flexRequest: isFlexRequestEvent(event) ? await ctx.loaders.flexRequest.load(event.payload.flexRequestId) : null,
      flexOffer: event.type === HubEventType.FLEX_OFFER ? await ctx.loaders.flexOffer.load((event.payload as FlexOfferEventPayload).flexOfferId) : null,
      flexOrder: event.type === HubEventType.FLEX_ORDER ? await ctx.loaders.flexOrder.load((event.payload as FlexOrderEventPayload).flexOrderId) : null,
      gridConstraint: event.type === HubEventType.GRID_CONSTRAINT ? gridConstraintEvent(event) : null,
      hemsStatus: event.type === HubEventType.HEMS_STATUS ? hemsStatusEvent(event) : null,
      hemsCommand: event.type === HubEventType.HEMS_COMMAND ? hemsCommandEvent(event) : null,
      criticalPeakEvent: event.type === HubEventType.CRITICAL_PEAK_EVENT ? criticalPeakNotice(event) : null,
    };
  }

  @Authorized('flex:read')
  @Query(() => ContractedPowerOrderEvent, { nullable: true, description: 'One contracted-power order event as you receive it' })
  async contractedPowerOrderEvent(@Arg('eventId', () => ID) eventId: string, @Ctx() ctx: Context): Promise<ContractedPowerOrderEvent> {
    const event = await ctx.loaders.event.load(eventId);
    if (!event || event.type !== HubEventType.CONTRACTED_POWER_ORDER || !mayReceive(ctx.identity, event)) throw new NotFoundError('Event');
    return orderEvent(event, ctx);
  }

  @Authorized('flex:read')
  @Subscription(() => ContractedPowerOrderEvent, {
    topics: GATEWAY_TOPIC,
    description: 'Contracted-power orders that concern you, as they are issued, restored or cancelled. With after, first every event after that one.',
  })
  contractedPowerOrders(@Arg('after', () => ID, { nullable: true }) _after: string, @Root() event: ContractedPowerOrderEvent): ContractedPowerOrderEvent {
    return event;
  }

  @Authorized('flex:read')
  @Query(() => FlexRequestEvent, { nullable: true, description: 'One flexibility request event (FLEX_REQUEST or FLEX_RESTORE) as you receive it' })
  async flexRequestEvent(@Arg('eventId', () => ID) eventId: string, @Ctx() ctx: Context): Promise<FlexRequestEvent> {
    const event = await ctx.loaders.event.load(eventId);
    if (!event || !isFlexRequestEvent(event) || !mayReceive(ctx.identity, event)) throw new NotFoundError('Event');
    return toFlexRequestEvent(event, ctx);
  }

  @Authorized('flex:read')
  @Subscription(() => FlexRequestEvent, {
    topics: GATEWAY_TOPIC,
    description: 'Flexibility requests published to you, as they are created, revised and closed (go back to normal). With after, first every event after that one.',
  })
  flexRequests(@Arg('after', () => ID, { nullable: true }) _after: string, @Root() event: FlexRequestEvent): FlexRequestEvent {
    return event;
  }

  @Authorized('events:read')
  @Subscription(() => HubEvent, {
    topics: GATEWAY_TOPIC,
    description: 'Every event for you of the given types (all types when omitted). With after, first every event after that one.',
  })
  hubEvents(
    @Arg('types', () => [HubEventType], { nullable: true }) _types: string[],
    @Arg('after', () => ID, { nullable: true }) _after: string,
    @Root() event: HubEvent,
  ): HubEvent {
    return event;
  }
}

import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { mayReceive, type FlexOrderEventPayload } from '../../schema/events';
import { NotFoundError } from '../../schema/errors';
import { parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import { GATEWAY_TOPIC } from '../kit/subgraph';
import type { FlexibilityLoaders } from './flexibility.loader';
import { FlexOffer } from './flex-offer.type';
import { autoSelectFlexOffers, orderFlex } from './flex-order.command';
import { isOrderKey, orderKey } from './flex-order.repo';
import { FlexOrder, FlexOrderConnection, FlexOrderEvent, FlexOrdersArgs, OrderFlexInput } from './flex-order.type';
import type { FlexRequestRow } from './flex-request.repo';
import { FlexRequest } from './flex-request.type';
import { HubEventType } from './hub-event.type';

type Context = SubgraphContext<FlexibilityLoaders>;

@Resolver(() => FlexOrder)
export class FlexOrderResolver {
  @Authorized('flex:read')
  @Query(() => FlexOrder, { nullable: true, description: 'One order; NOT_FOUND when there is none or it is neither yours (the offerer) nor are you the DSO' })
  async flexOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<FlexOrder> {
    const order = await ctx.loaders.flexOrder.load(id);
    if (!order) throw new NotFoundError('Flexibility order');
    return order;
  }

  @Authorized('flex:read')
  @Query(() => FlexOrderConnection, { description: 'The orders you may see (the DSO: all; an offerer: its own), newest first' })
  async flexOrders(@Args(() => FlexOrdersArgs) args: FlexOrdersArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isOrderKey);
    const { rows, totalCount } = await ctx.loaders.flexOrders.page(args.status ?? null, page);
    for (const row of rows) ctx.loaders.flexOrder.prime(row.id, row);
    return toConnection(rows, page, totalCount, orderKey);
  }

  @Authorized('flex:operate')
  @Mutation(() => FlexOrder, {
    description:
      'DSO: order an open offer, whole or scaled by activationFactor; refused when the request’s orders already reach its maxKw in every ISP of the offer. ' +
      'Pushed to the offerer as FLEX_ORDER ORDERED.',
  })
  orderFlex(@Arg('input', () => OrderFlexInput) input: OrderFlexInput, @Ctx() ctx: Context): Promise<FlexOrder> {
    return orderFlex(ctx.db, { offerId: input.offerId, activationFactor: input.activationFactor ?? 1 }, ctx);
  }

  @Authorized('flex:operate')
  @Mutation(() => [FlexOrder], {
    description:
      "DSO: order the cheapest sufficient set of the request's open offers (by price, the last one trimmed by its activation factor); " +
      'refused, nothing ordered, when they cannot cover every ISP’s minimum. One FLEX_ORDER ORDERED each.',
  })
  autoSelectFlexOffers(@Arg('flexRequestId', () => ID) flexRequestId: string, @Ctx() ctx: Context): Promise<FlexOrder[]> {
    return autoSelectFlexOffers(ctx.db, flexRequestId, ctx);
  }

  @FieldResolver(() => FlexOffer, { description: 'The offer ordered' })
  async offer(@Root() order: FlexOrder, @Ctx() ctx: Context): Promise<FlexOffer> {
    // Whoever may see the order may see its offer (the same rule, on the same organisation).
    return (await ctx.loaders.flexOffer.load(order.offerId))!;
  }

  @FieldResolver(() => FlexRequest, { nullable: true, description: 'Null once you may no longer see the request' })
  flexRequest(@Root() order: FlexOrder, @Ctx() ctx: Context): Promise<FlexRequestRow | null> {
    return ctx.loaders.flexRequest.load(order.requestId);
  }

}

/** The orders' events, as the gateway materialises each for its subscribers. */
@Resolver(() => FlexOrderEvent)
export class FlexOrderEventResolver {
  @Authorized('flex:read')
  @Query(() => FlexOrderEvent, { nullable: true, description: 'One flexibility order event (FLEX_ORDER) as you receive it' })
  async flexOrderEvent(@Arg('eventId', () => ID) eventId: string, @Ctx() ctx: Context): Promise<FlexOrderEvent> {
    const event = await ctx.loaders.event.load(eventId);
    if (!event || event.type !== HubEventType.FLEX_ORDER || !mayReceive(ctx.identity, event)) throw new NotFoundError('Event');
    // The type checked above says the payload's shape (schema/events.ts EventPayloads).
    const payload = event.payload as FlexOrderEventPayload;
    return { eventId: String(event.id), kind: payload.kind, flexOrder: await ctx.loaders.flexOrder.load(payload.flexOrderId) };
  }

  @Authorized('flex:read')
  @Subscription(() => FlexOrderEvent, {
    topics: GATEWAY_TOPIC,
    description: 'Flexibility orders of your offers (the DSO: every one), as they are placed, activated, settled and cancelled. With after, first every event after that one.',
  })
  flexOrders(@Arg('after', () => ID, { nullable: true }) _after: string, @Root() event: FlexOrderEvent): FlexOrderEvent {
    return event;
  }
}

@Resolver(() => FlexRequest)
export class FlexRequestOrdersResolver {
  @FieldResolver(() => [FlexOrder], { description: 'The DSO: every order; an offerer: its own; anyone else: none. Oldest first.' })
  orders(@Root() request: FlexRequestRow, @Ctx() ctx: Context): Promise<FlexOrder[]> {
    return ctx.loaders.requestOrders.load(request.id);
  }
}

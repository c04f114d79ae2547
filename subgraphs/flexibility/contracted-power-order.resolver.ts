import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BadUserInputError, NotFoundError } from '../../schema/errors';
import { PageArgs, parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import { isOrderKey, orderKey, type OrderRow, type WindowReading } from './contracted-power-order.repo';
import { parseArea } from '../kit/area.rules';
import { complianceOf, orderProblems, orderStatus } from './contracted-power-order.rules';
import {
  Acknowledgement,
  AffectedMeteringPoint,
  ComplianceBreach,
  ContractedPowerOrder,
  ContractedPowerOrderConnection,
  ContractedPowerOrderStatus,
  IssueContractedPowerOrderInput,
} from './contracted-power-order.type';
import type { FlexibilityLoaders } from './flexibility.loader';

type Context = SubgraphContext<FlexibilityLoaders>;

/** An order's affected points as the caller receives them, from an order or one of its events (logged). */
export async function affectedOf(orderId: string, ctx: Context): Promise<AffectedMeteringPoint[]> {
  const rows = await ctx.loaders.affected.load(orderId);
  return rows.map((row) => ({ meteringPoint: { id: row.meteringPointId }, temporaryMaxPowerKw: row.temporaryMaxPowerKw }));
}

@Resolver(() => ContractedPowerOrder)
export class ContractedPowerOrderResolver {
  @Authorized('flex:read')
  @Query(() => ContractedPowerOrder, { nullable: true, description: 'An order; NOT_FOUND when it does not exist or is not addressed to you' })
  async contractedPowerOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<OrderRow> {
    const order = await ctx.loaders.order.load(id);
    if (!order) throw new NotFoundError('Contracted-power order');
    return order;
  }

  @Authorized('flex:read')
  @Query(() => ContractedPowerOrderConnection, { description: 'Orders you may see, newest first: the DSO all, a retailer those addressed to it' })
  async contractedPowerOrders(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isOrderKey);
    if (ctx.identity.role !== 'dso' && ctx.identity.role !== 'retailer') return toConnection([], page, 0, () => '');
    const retailer = ctx.loaders.ownRetailer;
    const { rows, totalCount } = await ctx.loaders.orders.page(retailer, page);
    return toConnection(rows, page, totalCount, orderKey);
  }

  @Authorized('flex:operate')
  @Mutation(() => ContractedPowerOrder, { description: 'DSO: cap the contracted power of every customer in an area; pushed at once to their retailers' })
  async issueContractedPowerOrder(@Arg('input', () => IssueContractedPowerOrderInput) input: IssueContractedPowerOrderInput, @Ctx() ctx: Context): Promise<OrderRow> {
    const problems = orderProblems({ area: input.area, reductionPercent: input.reductionPercent, startMs: input.start.getTime(), expectedEndMs: input.expectedEnd.getTime(), reason: input.reason });
    if (problems.length > 0) throw new BadUserInputError(problems.join('; '));
    const area = parseArea(input.area) as Exclude<ReturnType<typeof parseArea>, string>;
    const unknown = await ctx.loaders.orders.unknownAreaIds(area);
    if (unknown.length > 0) throw new BadUserInputError(`Unknown area: ${unknown.join(', ')}`, { field: 'area' });
    const issued = await ctx.loaders.orders.issue(
      {
        area,
        areaFields: input.area,
        reductionPercent: input.reductionPercent,
        start: input.start,
        expectedEnd: input.expectedEnd,
        reason: input.reason.trim(),
      },
      ctx,
    );
    if (!issued) throw new BadUserInputError('The area has no metering points', { field: 'area' });
    return issued.order;
  }

  @Authorized('flex:trade')
  @Mutation(() => ContractedPowerOrder, { description: 'Retailer: record receipt of an order addressed to it; a second acknowledgement changes nothing' })
  async acknowledgeContractedPowerOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<OrderRow> {
    // Only retailers and aggregators hold flex:trade; the order loader finds a retailer only the
    // orders addressed to it and an aggregator none: another's is NOT_FOUND, like a missing one.
    const order = await ctx.loaders.order.load(id);
    if (!order) throw new NotFoundError('Contracted-power order');
    await ctx.loaders.orders.acknowledge(id, ctx);
    ctx.loaders.acknowledgements.clear(id);
    return order;
  }

  @Authorized('flex:operate')
  @Mutation(() => ContractedPowerOrder, { description: 'DSO: end an order; the restoration is pushed to the same retailers' })
  restoreContractedPowerOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<OrderRow> {
    return ctx.loaders.orders.end(id, 'RESTORED', ctx);
  }

  @Authorized('flex:operate')
  @Mutation(() => ContractedPowerOrder, { description: 'DSO: withdraw an order; pushed to the same retailers' })
  cancelContractedPowerOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<OrderRow> {
    return ctx.loaders.orders.end(id, 'CANCELLED', ctx);
  }

  @FieldResolver(() => ContractedPowerOrderStatus)
  status(@Root() order: OrderRow): ContractedPowerOrderStatus {
    return orderStatus(order.status, order.start.getTime(), Date.now()) as ContractedPowerOrderStatus;
  }

  @FieldResolver(() => [Acknowledgement], { description: "Who acknowledged and when; a retailer sees only its own" })
  async acknowledgements(@Root() order: OrderRow, @Ctx() ctx: Context): Promise<Acknowledgement[]> {
    const acks = await ctx.loaders.acknowledgements.load(order.id);
    return acks
      .filter((ack) => ctx.identity.role === 'dso' || ack.organisationId === ctx.identity.organisationId)
      .map((ack) => ({ organisationId: ack.organisationId, at: ack.acknowledgedAt }));
  }

  @Authorized('flex:operate')
  @FieldResolver(() => [ID], { description: 'DSO: addressed retailers that have not acknowledged yet' })
  async pendingAcknowledgements(@Root() order: OrderRow, @Ctx() ctx: Context): Promise<string[]> {
    const [addressees, acks] = await Promise.all([ctx.loaders.addressees.load(order.id), ctx.loaders.acknowledgements.load(order.id)]);
    const acknowledged = new Set(acks.map((ack) => ack.organisationId));
    return addressees.map((row) => row.retailerId).filter((retailer) => !acknowledged.has(retailer));
  }

  @FieldResolver(() => [AffectedMeteringPoint], { description: 'Your own affected points (all of them for the DSO)' })
  affected(@Root() order: OrderRow, @Ctx() ctx: Context): Promise<AffectedMeteringPoint[]> {
    return affectedOf(order.id, ctx);
  }

  // Peak powers are meter readings: reading them takes the metering scope, not only flex:read.
  @Authorized('metering:read')
  @FieldResolver(() => [ComplianceBreach], { description: "Your points that went above their cap in the order's window, from the 15-minute readings. Every read is logged." })
  async compliance(@Root() order: OrderRow, @Ctx() ctx: Context): Promise<ComplianceBreach[]> {
    // A point without readings in the window cannot have gone above its cap: the readings (each
    // with its point's cap) are all a report needs.
    const byPoint = new Map<string, WindowReading[]>();
    for (const reading of await ctx.loaders.windowReadings.load(order.id)) {
      const own = byPoint.get(reading.meteringPointId);
      if (own) own.push(reading);
      else byPoint.set(reading.meteringPointId, [reading]);
    }
    return [...byPoint].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([meteringPointId, readings]) => {
      const temporaryMaxPowerKw = readings[0]!.temporaryMaxPowerKw;
      const { intervalsAbove, maxObservedKw } = complianceOf(readings, temporaryMaxPowerKw);
      return intervalsAbove > 0 ? [{ meteringPoint: { id: meteringPointId }, temporaryMaxPowerKw, maxObservedKw, intervalsAbove }] : [];
    });
  }
}

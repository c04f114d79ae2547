import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { BadUserInputError, ForbiddenError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { parseLocalDay } from '../kit/local-day';
import { reportActivation } from './flex-activation.command';
import { activationFeedback } from './flex-activation.rules';
import type { FlexibilityLoaders } from './flexibility.loader';
import { FlexActivation, FlexOrder, FlexSettlement, FlexSettlementRun, ReportActivationInput } from './flex-order.type';
import type { FlexRequestRow } from './flex-request.repo';
import { FlexActivationFeedbackIsp, FlexRequest } from './flex-request.type';
import { settleFlexOrdersOfDay } from './flex-settlement.command';
import { HemsCommand } from './hub-event.type';

type Context = SubgraphContext<FlexibilityLoaders>;

/** A settlement as its order's field gives it; its points are a field of their own (logged when asked for). */
type SettlementFigures = Omit<FlexSettlement, 'meteringPointIds'>;

@Resolver(() => FlexOrder)
export class FlexOrderActivationResolver {
  @Authorized('flex:trade')
  @Mutation(() => FlexOrder, {
    description:
      "Offerer: what each HEMS of your order (those you sent a FLEX_ORDER command for it) shifted in each of its ISPs; a later report of the same HEMS and ISP replaces it. Pushed as FLEX_ORDER ACTIVATED.",
  })
  reportActivation(@Arg('input', () => ReportActivationInput) input: ReportActivationInput, @Ctx() ctx: Context): Promise<FlexOrder> {
    const entries = input.isps.map((isp) => ({ startMs: isp.start.getTime(), hemsId: isp.hemsId, kw: isp.kw }));
    return reportActivation(ctx.db, input.orderId, entries, ctx);
  }

  @Authorized('flex:operate')
  @Mutation(() => FlexSettlementRun, {
    description: 'DSO: settle from metered data every ordered or activated order of the requests whose period starts on that Lisbon day (YYYY-MM-DD) and has ended; pushed as FLEX_ORDER SETTLED',
  })
  async settleFlexOrders(@Arg('day', () => String) day: string, @Ctx() ctx: Context): Promise<FlexSettlementRun> {
    const localDay = parseLocalDay(day, 'day');
    if (typeof localDay === 'string') throw new BadUserInputError(localDay, { field: 'day' });
    const { settled, unsettled } = await settleFlexOrdersOfDay(ctx.db, localDay, ctx);
    return { settled: settled.length, unsettledOrderIds: unsettled };
  }

  @FieldResolver(() => [FlexActivation], { description: 'What the offerer reported, by ISP then HEMS' })
  async activations(@Root() order: FlexOrder, @Ctx() ctx: Context): Promise<FlexActivation[]> {
    const rows = await ctx.loaders.flexActivations.load(order.id);
    return rows.map((row) => ({ start: row.start, hemsId: row.hemsId, kw: row.kw, reportedAt: row.reportedAt }));
  }

  @FieldResolver(() => [HemsCommand], {
    nullable: 'items',
    description: 'The FLEX_ORDER commands the offerer sent its HEMS for the order, oldest first; each is null unless you may see it (its sender, the DSO), unless only its id is asked for',
  })
  async hemsCommands(@Root() order: FlexOrder, @Ctx() ctx: Context): Promise<HemsCommand[]> {
    const rows = await ctx.loaders.flexOrderCommands.load(order.id);
    return rows.map((row) => ({ id: row.commandId }));
  }

  @FieldResolver(() => FlexSettlement, { nullable: true, description: 'From metered data once SETTLED; null before' })
  async settlement(@Root() order: FlexOrder, @Ctx() ctx: Context): Promise<SettlementFigures | null> {
    if (order.status !== 'SETTLED') return null;
    const row = await ctx.loaders.flexSettlement.load(order.id);
    if (!row) return null;
    return {
      orderId: row.orderId,
      baselineDays: row.baselineDays,
      amountEur: row.amountMicroEur / 1_000_000,
      isps: row.isps.map((isp) => ({ start: isp.start, baselineKw: isp.baselineKw, orderedKw: isp.orderedKw, actualKw: isp.actualKw, deliveredKw: isp.deliveredKw, deficiencyKw: isp.deficiencyKw })),
      settledAt: row.settledAt,
    };
  }
}

@Resolver(() => FlexSettlement)
export class FlexSettlementResolver {
  @FieldResolver(() => [ID], { description: "The metering points of the order's HEMS. Every point returned is logged." })
  async meteringPointIds(@Root() settlement: SettlementFigures, @Ctx() ctx: Context): Promise<string[]> {
    const rows = await ctx.loaders.flexSettlementPoints.load(settlement.orderId);
    return rows.map((row) => row.meteringPointId);
  }
}

@Resolver(() => FlexRequest)
export class FlexRequestActivationResolver {
  @FieldResolver(() => [FlexActivationFeedbackIsp], { description: "DSO only (FORBIDDEN to others): per ISP, every offerer's reports on the request's orders" })
  async activation(@Root() request: FlexRequestRow, @Ctx() ctx: Context): Promise<FlexActivationFeedbackIsp[]> {
    if (ctx.identity.role !== 'dso') throw new ForbiddenError("Only the DSO reads a request's activation feedback: it sums every offerer's reports");
    const [isps, orders] = await Promise.all([ctx.loaders.flexRequestIsps.load(request.id), ctx.loaders.feedbackOrders.load(request.id)]);
    return activationFeedback(isps.map((isp) => isp.start.getTime()), orders).map(({ startMs, ...feedback }) => ({ start: new Date(startMs), ...feedback }));
  }
}

import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ForbiddenError, NotFoundError } from '../../schema/errors';
import { parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import type { FlexibilityLoaders } from './flexibility.loader';
import { closeFlexRequest, createFlexRequest, reviseFlexRequest } from './flex-request.command';
import { isRequestKey, requestKey, type FlexRequestRow } from './flex-request.repo';
import { CreateFlexRequestInput, FlexibilityNeed, FlexRequest, FlexRequestConnection, FlexRequestIsp, FlexRequestsArgs, ReviseFlexRequestInput, SecondarySubstation } from './flex-request.type';

type Context = SubgraphContext<FlexibilityLoaders>;

@Resolver(() => FlexRequest)
export class FlexRequestResolver {
  @Authorized('flex:read')
  @Query(() => FlexRequest, { nullable: true, description: 'One request; NOT_FOUND when there is none or it was not published to you' })
  async flexRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<FlexRequestRow> {
    const request = await ctx.loaders.flexRequest.load(id);
    if (!request) throw new NotFoundError('Flexibility request');
    return request;
  }

  @Authorized('flex:read')
  @Query(() => FlexRequestConnection, { description: 'The requests you may see (the DSO: all; others: those published to them), oldest first' })
  async flexRequests(@Args(() => FlexRequestsArgs) args: FlexRequestsArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isRequestKey);
    const { rows, totalCount } = await ctx.loaders.flexRequests.page(args.status ?? null, page);
    for (const row of rows) ctx.loaders.flexRequest.prime(row.id, row);
    return toConnection(rows, page, totalCount, requestKey);
  }

  @Authorized('flex:operate')
  @Mutation(() => FlexRequest, {
    description:
      'DSO: ask for flexibility at a feeder or secondary substation, per 15-minute ISP (or from a grid flexibility need). ' +
      'Pushed at once (FLEX_REQUEST CREATED) to the retailers and aggregators with customers behind it.',
  })
  createFlexRequest(@Arg('input', () => CreateFlexRequestInput) input: CreateFlexRequestInput, @Ctx() ctx: Context): Promise<FlexRequestRow> {
    return createFlexRequest(ctx.db, { ...input, needId: input.needId ?? null }, ctx);
  }

  @Authorized('flex:operate')
  @Mutation(() => FlexRequest, {
    description: 'DSO: new ISPs and expiry for an open request without orders, before its expiry; its open offers are superseded. Pushed as FLEX_REQUEST REVISED.',
  })
  reviseFlexRequest(@Arg('input', () => ReviseFlexRequestInput) input: ReviseFlexRequestInput, @Ctx() ctx: Context): Promise<FlexRequestRow> {
    return reviseFlexRequest(ctx.db, input, ctx);
  }

  @Authorized('flex:operate')
  @Mutation(() => FlexRequest, {
    description: 'DSO: close an open request; its orders not yet started are cancelled. FLEX_RESTORE BY_DSO tells its recipients to go back to normal.',
  })
  closeFlexRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<FlexRequestRow> {
    return closeFlexRequest(ctx.db, id, ctx);
  }

  @FieldResolver(() => [FlexRequestIsp], { description: 'In time order' })
  isps(@Root() request: FlexRequestRow, @Ctx() ctx: Context): Promise<FlexRequestIsp[]> {
    return ctx.loaders.flexRequestIsps.load(request.id);
  }

  @FieldResolver(() => [ID], {
    description: "The DSO only (it names competitors): the retailers and aggregators the request was published to, who receive its events, by id",
  })
  async recipientIds(@Root() request: FlexRequestRow, @Ctx() ctx: Context): Promise<string[]> {
    if (ctx.identity.role !== 'dso') throw new ForbiddenError("A request's recipients are the DSO's to see: they name the offerer's competitors");
    return (await ctx.loaders.flexRequestRecipients.load(request.id)).map((row) => row.organisationId);
  }

  @FieldResolver(() => FlexibilityNeed, { nullable: true, description: "The grid's flexibility need the request answers (its run, its intervals); null without one, or where you may not see its area" })
  need(@Root() request: FlexRequestRow): FlexibilityNeed | null {
    return request.needId === null ? null : { id: request.needId };
  }

  @FieldResolver(() => SecondarySubstation, { description: 'The congestion point itself, or the one its feeder is under' })
  secondarySubstation(@Root() request: FlexRequestRow): SecondarySubstation {
    return { id: request.secondarySubstationId };
  }
}

import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BadUserInputError, NotFoundError } from '../../schema/errors';
import { PageArgs, parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import type { FlexibilityLoaders } from './flexibility.loader';
import { flexRequestProblems } from './flex-request.rules';
import { CreateFlexRequestInput, FlexRequest, FlexRequestConnection, SecondarySubstation } from './flex-request.type';

type Context = SubgraphContext<FlexibilityLoaders>;

@Resolver(() => FlexRequest)
export class FlexRequestResolver {
  @Authorized('flex:read')
  @Query(() => FlexRequest, { nullable: true })
  async flexRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<FlexRequest> {
    const request = await ctx.loaders.flexRequest.load(id);
    if (!request) throw new NotFoundError('Flexibility request');
    return request;
  }

  @Authorized('flex:read')
  @Query(() => FlexRequestConnection)
  async flexRequests(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args);
    const { rows, totalCount } = await ctx.loaders.flexRequests.page(page);
    return toConnection(rows, page, totalCount, (row) => row.id);
  }

  @Authorized('flex:operate')
  @Mutation(() => FlexRequest, { description: 'DSO: ask the market for flexibility at a secondary substation' })
  async createFlexRequest(@Arg('input', () => CreateFlexRequestInput) input: CreateFlexRequestInput, @Ctx() ctx: Context): Promise<FlexRequest> {
    const problems = flexRequestProblems(input, Date.now());
    if (problems.length > 0) throw new BadUserInputError(problems.join('; '));
    if (!(await ctx.loaders.flexRequests.substationExists(input.secondarySubstationId))) {
      throw new BadUserInputError('Unknown secondary substation', { field: 'secondarySubstationId' });
    }
    return ctx.loaders.flexRequests.insert(input, ctx);
  }

  @FieldResolver(() => SecondarySubstation)
  secondarySubstation(@Root() request: FlexRequest): SecondarySubstation {
    return { id: request.secondarySubstationId };
  }
}

import { Arg, Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { curveWindow, parseDemandScope } from './demand.rules';
import { DemandScopeInput, DemandSeries } from './demand.type';
import type { MeteringLoaders } from './metering.loader';
import { CurveArgs } from './reading.type';

type Context = SubgraphContext<MeteringLoaders>;

@Resolver(() => DemandSeries)
export class DemandResolver {
  @Authorized('metering:aggregate')
  @Query(() => DemandSeries, {
    description:
      'Aggregated demand of a set of your own points, an area, a retailer or the whole network. Only the DSO gets every total; ' +
      'anyone else gets a bucket only when it cannot single out a household (see DemandWithheldReason).',
  })
  demand(@Arg('scope', () => DemandScopeInput) input: DemandScopeInput, @Args(() => CurveArgs) args: CurveArgs, @Ctx() ctx: Context): Promise<DemandSeries> {
    const scope = parseDemandScope(input);
    if (typeof scope === 'string') throw new BadUserInputError(scope, { field: 'scope' });
    return ctx.loaders.demand.run(scope, curveWindow(args));
  }
}

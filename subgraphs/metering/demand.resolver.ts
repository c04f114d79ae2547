import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { curveWindow, demandAccess, DemandScopeKind, parseDemandScope, type DemandScope } from './demand.rules';
import type { MeteringLoaders } from './metering.loader';
import { DemandScopeInput, DemandSeries } from './demand.type';
import { CurveArgs } from './reading.type';

type Context = SubgraphContext<MeteringLoaders>;

@Resolver(() => DemandSeries)
export class DemandResolver {
  @Query(() => DemandSeries, { description: 'Aggregated demand of a set of points, an area, a retailer or the whole network' })
  async demand(
    @Arg('scope', () => DemandScopeInput) input: DemandScopeInput,
    @Args(() => CurveArgs) args: CurveArgs,
    @Ctx() ctx: Context,
  ): Promise<DemandSeries> {
    const scope = parseDemandScope(input);
    if (typeof scope === 'string') throw new BadUserInputError(scope, { field: 'scope' });
    const window = curveWindow(args);
    const { demand } = ctx.loaders;

    const { count, owns } = await this.measure(scope, ctx);
    const access = demandAccess(ctx.identity, scope, count, owns);
    if (!access.allowed) throw new ForbiddenError(access.reason);

    const points =
      scope.kind === 'points'
        ? await demand.pointSetSeries(scope.meteringPointIds, window, access.restrictToRetailer)
        : scope.kind === 'retailer'
          ? await demand.rollupSeries(DemandScopeKind.Retailer, scope.retailerId, window)
          : await demand.rollupSeries(scope.scopeKind, scope.id, window);
    return { meteringPointCount: count, resolution: window.resolution, points };
  }

  /** How many points the scope holds, and for a retailer whether they are all its own. */
  private async measure(scope: DemandScope, ctx: Context): Promise<{ count: number; owns: boolean }> {
    const { demand } = ctx.loaders;
    switch (scope.kind) {
      case 'points': {
        const { existing, owned } = await demand.pointOwnership(scope.meteringPointIds, ctx.identity.organisationId);
        // Only the DSO learns that an id does not exist; to anyone else it just does not count.
        if (existing < scope.meteringPointIds.length && ctx.identity.role === 'dso') throw new NotFoundError('Metering point');
        return { count: existing, owns: ctx.identity.role === 'retailer' && owned === scope.meteringPointIds.length };
      }
      case 'retailer': {
        const count = await demand.retailerPointCount(scope.retailerId);
        if (count === 0 && ctx.identity.role === 'dso') throw new NotFoundError('Retailer');
        return { count, owns: false };
      }
      case 'area': {
        const count = await demand.areaPointCount(scope.scopeKind, scope.id);
        if (count === null) throw new NotFoundError('Area');
        return { count, owns: false };
      }
    }
  }
}

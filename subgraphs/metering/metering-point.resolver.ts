import { Arg, Args, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import { PageArgs, parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import type { MeteringLoaders } from './metering.loader';
import { MeteringPoint, MeteringPointConnection } from './metering-point.type';

type Context = SubgraphContext<MeteringLoaders>;

@Resolver(() => MeteringPoint)
export class MeteringPointResolver {
  @Authorized('metering:read')
  @Query(() => MeteringPoint, {
    nullable: true,
    description: 'A metering point; NOT_FOUND both when it does not exist and when you may not see it',
  })
  async meteringPoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<MeteringPoint> {
    const point = await ctx.loaders.meteringPoint.load(id);
    if (!point) throw new NotFoundError('Metering point');
    return point;
  }

  @Authorized('metering:read')
  @Query(() => MeteringPointConnection, {
    description: "The metering points you may see, ordered by CPE: the DSO all, a retailer those it supplies or supplied, a customer its own, a consent holder the consented ones",
  })
  async meteringPoints(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args);
    const { rows, totalCount } = await ctx.loaders.meteringPoints.page(page);
    for (const row of rows) ctx.loaders.meteringPoint.prime(row.id, row);
    return toConnection(rows, page, totalCount, (row) => row.id);
  }
}

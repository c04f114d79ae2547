import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { GridLoaders } from './grid.loader';
import { GridConnection, MeteringPoint } from './metering-point.type';
import { SecondarySubstation } from './secondary-substation.type';

type Context = SubgraphContext<GridLoaders>;

@Resolver(() => MeteringPoint)
export class MeteringPointGridResolver {
  @Authorized('metering:read')
  @FieldResolver(() => SecondarySubstation, { nullable: true, description: 'The secondary substation this point hangs on; null when you may not see its present state' })
  async secondarySubstation(@Root() point: MeteringPoint, @Ctx() ctx: Context): Promise<SecondarySubstation | null> {
    const connection = await ctx.loaders.connection.load(point.id);
    return connection ? ctx.loaders.secondarySubstation.load(connection.secondarySubstationId) : null;
  }

  @Authorized('metering:read')
  @FieldResolver(() => GridConnection, { nullable: true, description: 'Feeder and phase this point is connected to; null when you may not see its present state' })
  gridConnection(@Root() point: MeteringPoint, @Ctx() ctx: Context): Promise<GridConnection | null> {
    return ctx.loaders.connection.load(point.id);
  }
}

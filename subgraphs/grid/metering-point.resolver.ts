import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { GridLoaders } from './grid.loader';
import { GridConnection, MeteringPoint } from './metering-point.type';
import { SecondarySubstation } from './secondary-substation.type';

type Context = SubgraphContext<GridLoaders>;

@Resolver(() => MeteringPoint)
export class MeteringPointGridResolver {
  @FieldResolver(() => SecondarySubstation, { nullable: true })
  async secondarySubstation(@Root() point: MeteringPoint, @Ctx() ctx: Context): Promise<SecondarySubstation | null> {
    const connection = await ctx.loaders.connection.load(point.id);
    return connection ? ctx.loaders.secondarySubstation.load(connection.secondarySubstationId) : null;
  }

  @FieldResolver(() => GridConnection, { nullable: true, description: 'Feeder and phase this point is connected to' })
  gridConnection(@Root() point: MeteringPoint, @Ctx() ctx: Context): Promise<GridConnection | null> {
    return ctx.loaders.connection.load(point.id);
  }
}

import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import { PageArgs, parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import type { GridLoaders } from './grid.loader';
import { Feeder, PrimarySubstation, SecondarySubstation, SecondarySubstationConnection } from './secondary-substation.type';

type Context = SubgraphContext<GridLoaders>;

@Resolver(() => SecondarySubstation)
export class SecondarySubstationResolver {
  // The network's topology is public infrastructure: any verified key reads it.
  @Authorized()
  @Query(() => SecondarySubstation, { nullable: true })
  async secondarySubstation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SecondarySubstation> {
    const substation = await ctx.loaders.secondarySubstation.load(id);
    if (!substation) throw new NotFoundError('Secondary substation');
    return substation;
  }

  @Authorized()
  @Query(() => SecondarySubstationConnection)
  async secondarySubstations(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args);
    const { rows, totalCount } = await ctx.loaders.network.pageSecondarySubstations(page);
    for (const row of rows) ctx.loaders.secondarySubstation.prime(row.id, row);
    return toConnection(rows, page, totalCount, (row) => row.id);
  }

  @FieldResolver(() => PrimarySubstation)
  async primarySubstation(@Root() substation: SecondarySubstation, @Ctx() ctx: Context): Promise<PrimarySubstation | null> {
    return ctx.loaders.primarySubstation.load(substation.primarySubstationId);
  }

  @FieldResolver(() => [Feeder])
  feeders(@Root() substation: SecondarySubstation, @Ctx() ctx: Context): Promise<Feeder[]> {
    return ctx.loaders.feeders.load(substation.id);
  }
}

import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import { PageArgs, parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import type { GridLoaders } from './grid.loader';
import { DistributionTransformer, MvSource, TransformerConnection } from './network-model.type';
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

  @Authorized()
  @FieldResolver(() => DistributionTransformer, { nullable: true, description: 'Null where the network model is not surveyed' })
  transformer(@Root() s: SecondarySubstation): DistributionTransformer | null {
    // The table's check keeps the model whole: one column set means all are.
    if (s.transformerPrimaryKv === null || s.transformerSecondaryKv === null || s.transformerResistancePercent === null || s.transformerReactancePercent === null) return null;
    return {
      ratedKva: s.ratedPowerKva,
      primaryKv: s.transformerPrimaryKv,
      secondaryKv: s.transformerSecondaryKv,
      connection: TransformerConnection.Dyn,
      resistancePercent: s.transformerResistancePercent,
      reactancePercent: s.transformerReactancePercent,
    };
  }

  @Authorized()
  @FieldResolver(() => MvSource, { nullable: true, description: 'Null where the network model is not surveyed' })
  mvSource(@Root() s: SecondarySubstation): MvSource | null {
    if (s.sourceVoltageKv === null || s.sourceVoltagePu === null || s.sourceIsc3A === null || s.sourceIsc1A === null || s.sourceX1R1 === null || s.sourceX0R0 === null) return null;
    return { voltageKv: s.sourceVoltageKv, voltagePu: s.sourceVoltagePu, isc3A: s.sourceIsc3A, isc1A: s.sourceIsc1A, x1r1: s.sourceX1R1, x0r0: s.sourceX0R0 };
  }
}

import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { TariffsLoaders } from './tariffs.loader';
import { MeteringPoint } from './metering-point.type';
import { Tariff } from './tariff.type';

@Resolver(() => MeteringPoint)
export class MeteringPointTariffResolver {
  @Authorized('tariffs:read')
  @FieldResolver(() => Tariff, { nullable: true, description: 'The tariff plan this point is on; null when you may not see it. Every read is logged.' })
  async tariff(@Root() point: MeteringPoint, @Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<Tariff | null> {
    const assignment = await ctx.loaders.assignment.load(point.id);
    return assignment ? ctx.loaders.tariff.load(assignment.tariffPlanId) : null;
  }
}

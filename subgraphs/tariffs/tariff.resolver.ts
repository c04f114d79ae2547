import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { TariffsLoaders } from './tariffs.loader';
import { Tariff } from './tariff.type';

@Resolver(() => Tariff)
export class TariffResolver {
  @Authorized('tariffs:read')
  @Query(() => [Tariff], { description: 'The tariff plans on offer' })
  tariffs(@Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<Tariff[]> {
    return ctx.loaders.tariffs.all();
  }
}

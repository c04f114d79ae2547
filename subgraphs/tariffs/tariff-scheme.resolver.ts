import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { TariffsLoaders } from './tariffs.loader';
import { TariffScheme } from './tariff-scheme.type';

@Resolver(() => TariffScheme)
export class TariffSchemeResolver {
  @Authorized('tariffs:read')
  @Query(() => TariffScheme, { nullable: true, description: 'A scheme version; null when there is none you may see (drafts are the DSO’s)' })
  tariffScheme(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<TariffScheme | null> {
    return ctx.loaders.scheme.load(id);
  }

  @Authorized('tariffs:read')
  @Query(() => [TariffScheme], { description: 'Every scheme version you may see, by family and version' })
  tariffSchemes(@Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<TariffScheme[]> {
    return ctx.loaders.schemes.all();
  }

  @Authorized('tariffs:read')
  @Query(() => [TariffScheme], { deprecationReason: 'Use tariffSchemes', description: 'The published schemes' })
  async tariffs(@Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<TariffScheme[]> {
    return (await ctx.loaders.schemes.all()).filter((scheme) => scheme.status === 'PUBLISHED');
  }
}

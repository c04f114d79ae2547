import { Arg, Authorized, Ctx, FieldResolver, Float, ID, Query, Resolver, Root } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { eurOf } from './bill.rules';
import { changeVs, MAX_COMPARED_SCHEMES, schemeIdsProblem } from './compare.rules';
import { CurrentTariffsCost, SchemeComparison, SchemeComparisons } from './compare.type';
import { scopeArgs } from './tariff-aggregate.query';
import { MAX_POINT_DAYS } from './tariff-sample.rules';
import { TariffScopeInput } from './tariff-scope.type';
import type { TariffsLoaders } from './tariffs.loader';

type Context = SubgraphContext<TariffsLoaders>;

@Resolver(() => SchemeComparisons)
export class CompareSchemesResolver {
  @Authorized('tariffs:read')
  @Query(() => SchemeComparisons, {
    description:
      `Up to ${MAX_COMPARED_SCHEMES} schemes (published ones, or the DSO's drafts) side by side on a scope's measured consumption over [from, to) ` +
      '(whole Lisbon local days, at most 400): its customers’ cost, the DSO’s revenue and the energy and cost of each period. Access as TariffScopeInput says.',
  })
  compareSchemes(
    @Arg('scope', () => TariffScopeInput) input: TariffScopeInput,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('schemeIds', () => [ID]) schemeIds: string[],
    @Ctx() ctx: Context,
  ): Promise<SchemeComparisons> {
    const { scope, window } = scopeArgs(input, from, to);
    const problem = schemeIdsProblem(schemeIds);
    if (problem) throw new BadUserInputError(problem, { field: 'schemeIds' });
    return ctx.loaders.aggregates.compare(scope, window, schemeIds);
  }

  @FieldResolver(() => CurrentTariffsCost, {
    description:
      "What the scope pays on the schemes its points are on, read only when asked: it reads each point's readings, so it is refused (BAD_USER_INPUT) " +
      `beyond ${MAX_POINT_DAYS.toLocaleString('en')} point-days (metering points × local days): ask for a smaller area or a shorter window`,
  })
  async current(@Root() comparisons: SchemeComparisons): Promise<CurrentTariffsCost> {
    const cost = await comparisons.currentCost();
    return {
      energyKwh: cost.energyWh / 1000,
      energyEur: eurOf(cost.energyPicoEur),
      powerEur: eurOf(cost.powerPicoEur),
      customersCostEur: eurOf(cost.totalPicoEur),
      dsoRevenueEur: eurOf(cost.totalPicoEur),
    };
  }
}

@Resolver(() => SchemeComparison)
export class SchemeComparisonResolver {
  @FieldResolver(() => Float, { description: 'customersCostEur − current.customersCostEur (reads the current cost, like current)' })
  async changeVsCurrentEur(@Root() comparison: SchemeComparison): Promise<number> {
    return changeVs(comparison.totalPicoEur, (await comparison.currentCost()).totalPicoEur).eur;
  }

  @FieldResolver(() => Float, { nullable: true, description: 'changeVsCurrentEur in % of current.customersCostEur; null when that is 0' })
  async changeVsCurrentPct(@Root() comparison: SchemeComparison): Promise<number | null> {
    return changeVs(comparison.totalPicoEur, (await comparison.currentCost()).totalPicoEur).pct;
  }
}

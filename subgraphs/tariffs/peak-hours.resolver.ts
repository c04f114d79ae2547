import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import type { TariffCycle as Cycle } from '../../schema/tariffs';
import type { SubgraphContext } from '../kit/context';
import { MAX_TOP_HOURS, topHoursProblem } from './peak-hours.rules';
import { PeakHours } from './peak-hours.type';
import { scopeArgs } from './tariff-aggregate.query';
import { TariffCycle } from './tariff-scheme.type';
import { TariffScopeInput } from './tariff-scope.type';
import type { TariffsLoaders } from './tariffs.loader';

@Resolver(() => PeakHours)
export class PeakHoursResolver {
  @Authorized('tariffs:read')
  @Query(() => PeakHours, {
    description:
      'The hours of the day and days of the week with the highest network use of a scope over [from, to) (whole Lisbon local days, at most 400), ' +
      "from its measured consumption, and its share of energy in each ERSE period of the cycle. Access as TariffScopeInput says; a set of points' reads are logged.",
  })
  peakHours(
    @Arg('scope', () => TariffScopeInput) input: TariffScopeInput,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('cycle', () => TariffCycle, { defaultValue: 'DAILY', description: 'Whose ERSE periods the energy is shared among' }) cycle: Cycle,
    @Arg('topHours', () => Int, { defaultValue: 3, description: `How many hours to flag as top, 1 to ${MAX_TOP_HOURS}` }) topHours: number,
    @Ctx() ctx: SubgraphContext<TariffsLoaders>,
  ): Promise<PeakHours> {
    const { scope, window } = scopeArgs(input, from, to);
    const problem = topHoursProblem(topHours);
    if (problem) throw new BadUserInputError(problem, { field: 'topHours' });
    return ctx.loaders.aggregates.peakHours(scope, window, cycle, topHours);
  }
}

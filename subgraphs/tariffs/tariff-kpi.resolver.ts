import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { parseTariffSample } from './tariff-sample.rules';
import { parseTariffWindow, sampleScope } from './tariff-scope.rules';
import { windowsOverlapProblem } from './tariff-kpi.rules';
import { TariffKpis, TariffKpisInput } from './tariff-kpi.type';
import type { TariffsLoaders } from './tariffs.loader';

@Resolver(() => TariffKpis)
export class TariffKpisResolver {
  @Authorized('tariffs:read')
  @Query(() => TariffKpis, {
    description:
      "The dynamic-tariff pilot's KPIs (see TariffKpis): peak consumption, load shifted out of peak, customers' savings and the DSO's revenue change, " +
      'for the pilot against its own baseline and against the control group. Each group must be one you may ask about (a secondary substation under the aggregate rule, ' +
      'or points you may read one by one; the DSO: any); they must be disjoint and non-empty. ' +
      'The baseline must not overlap the period; per-day figures count the days the readings cover, and a group without readings in a window is refused.',
  })
  tariffKpis(@Arg('input', () => TariffKpisInput) input: TariffKpisInput, @Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<TariffKpis> {
    const pilot = parseTariffSample(input.pilot);
    if (typeof pilot === 'string') throw new BadUserInputError(`pilot: ${pilot}`, { field: 'input.pilot' });
    const control = parseTariffSample(input.control);
    if (typeof control === 'string') throw new BadUserInputError(`control: ${control}`, { field: 'input.control' });
    const period = parseTariffWindow(input.from, input.to);
    if (typeof period === 'string') throw new BadUserInputError(period, { field: 'input.from' });
    const baseline = parseTariffWindow(input.baselineFrom, input.baselineTo, 'baseline');
    if (typeof baseline === 'string') throw new BadUserInputError(baseline, { field: 'input.baselineFrom' });
    const overlap = windowsOverlapProblem(period, baseline);
    if (overlap) throw new BadUserInputError(overlap, { field: 'input.baselineFrom' });
    return ctx.loaders.aggregates.kpis(sampleScope(pilot), sampleScope(control), period, baseline, input.cycle);
  }
}

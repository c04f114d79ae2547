import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import { calibrateRevenueNeutral } from './calibration.command';
import { CalibrateRevenueNeutralInput, Calibration } from './calibration.type';
import type { TariffsLoaders } from './tariffs.loader';

@Resolver(() => Calibration)
export class CalibrationResolver {
  @Authorized('tariffs:write')
  @Mutation(() => Calibration, {
    description:
      "DSO: the prices of a new scheme, in the given ratios, for which the sample (up to 5,000 points) would have paid over [from, to) (local midnights, at most 400 days) what it paid on the schemes it was on; " +
      'written as a DRAFT version of a new family. BAD_USER_INPUT, and nothing written, for ratios that do not fit the kind and cycle or do not tile the day, ratios of 0 or less, ' +
      'a negative power price or one that alone brings the revenue, a bad window, sample or event.',
  })
  calibrateRevenueNeutral(@Arg('input', () => CalibrateRevenueNeutralInput) input: CalibrateRevenueNeutralInput, @Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<Calibration> {
    return calibrateRevenueNeutral(ctx, input);
  }
}

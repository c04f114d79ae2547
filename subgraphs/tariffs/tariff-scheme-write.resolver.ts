import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { createTariffScheme, publishTariffScheme } from './tariff-scheme.command';
import { parseSchemeDraft } from './tariff-scheme.rules';
import { TariffScheme } from './tariff-scheme.type';
import { CreateTariffSchemeInput } from './tariff-scheme-write.type';
import type { TariffsLoaders } from './tariffs.loader';

type Context = SubgraphContext<TariffsLoaders>;

/** The version just written, read back as every other read sees it. */
async function written(ctx: Context, id: string): Promise<TariffScheme> {
  const [scheme] = await ctx.loaders.schemes.byIds([id]);
  if (!scheme) throw new Error(`scheme ${id} was written but cannot be read back`);
  return scheme;
}

@Resolver(() => TariffScheme)
export class TariffSchemeWriteResolver {
  @Authorized('tariffs:write')
  @Mutation(() => TariffScheme, {
    description:
      'DSO: a new scheme version, a draft unless publish. BAD_USER_INPUT, and nothing written, for periods that overlap or leave gaps, periods that do not fit the kind and cycle, ' +
      'negative prices or prices finer than a nano-euro, bad dates, or an unknown family.',
  })
  async createTariffScheme(@Arg('input', () => CreateTariffSchemeInput) input: CreateTariffSchemeInput, @Ctx() ctx: Context): Promise<TariffScheme> {
    const values = parseSchemeDraft({
      name: input.name,
      family: input.family ?? null,
      kind: input.kind,
      cycle: input.cycle ?? null,
      energyPrices: input.energyPrices,
      powerPriceEurPerKvaDay: input.powerPriceEurPerKvaDay,
      validFrom: input.validFrom,
      validTo: input.validTo ?? null,
    });
    if (Array.isArray(values)) throw new BadUserInputError(values.map((problem) => problem.message).join('; '), { field: values[0]!.field });
    const id = await createTariffScheme(ctx.db, values, input.publish, ctx);
    return written(ctx, id);
  }

  @Authorized('tariffs:write')
  @Mutation(() => TariffScheme, { description: 'DSO: publishes a draft version, which never changes from then on; publishing a published version changes nothing' })
  async publishTariffScheme(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<TariffScheme> {
    await publishTariffScheme(ctx.db, id, ctx);
    return written(ctx, id);
  }
}

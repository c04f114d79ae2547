import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import { parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import { acceptPilotEnrolment, withdrawPilotEnrolment } from './pilot-enrolment.command';
import { isEnrolmentKey, toEnrolment } from './pilot-enrolment.repo';
import { AcceptPilotEnrolmentInput, PilotEnrolment, PilotEnrolmentConnection, PilotEnrolmentsArgs } from './pilot-enrolment.type';
import { TariffScheme } from './tariff-scheme.type';
import type { TariffsLoaders } from './tariffs.loader';

type Context = SubgraphContext<TariffsLoaders>;

// The parties act with the scope they read tariffs with; who may act for a point is the command's
// rule (the customer, or the retailer supplying it now), never the DSO's.
@Resolver(() => PilotEnrolment)
export class PilotEnrolmentResolver {
  @Authorized('tariffs:read')
  @Mutation(() => PilotEnrolment, {
    description:
      "The customer (its own point) or the retailer supplying the point accepts its enrolment in the dynamic-tariff pilot. The first acceptance is PENDING and changes no tariff; the other party's " +
      'acceptance of the same scheme and day makes it ACTIVE, and the point is on the scheme from startsOn. A second open enrolment of the point is a CONFLICT.',
  })
  acceptPilotEnrolment(@Arg('input', () => AcceptPilotEnrolmentInput) input: AcceptPilotEnrolmentInput, @Ctx() ctx: Context): Promise<PilotEnrolment> {
    return acceptPilotEnrolment(ctx.db, input, ctx);
  }

  @Authorized('tariffs:read')
  @Mutation(() => PilotEnrolment, {
    description:
      "The customer or its retailer withdraws the point's open enrolment: one that has not started is cancelled (WITHDRAWN) and the point keeps its scheme; " +
      'a started one ends at the next local midnight (endsAt), when the point goes back to the scheme it was on before.',
  })
  withdrawPilotEnrolment(@Arg('meteringPointId', () => ID) meteringPointId: string, @Ctx() ctx: Context): Promise<PilotEnrolment> {
    return withdrawPilotEnrolment(ctx.db, meteringPointId, ctx);
  }

  @Authorized('tariffs:read')
  @Query(() => PilotEnrolmentConnection, {
    description: "Pilot enrolments, newest first, a page at a time: the DSO's all, a customer its own point's, a retailer those of the points it supplies now within its supply periods. Every read is logged.",
  })
  async pilotEnrolments(@Args(() => PilotEnrolmentsArgs) args: PilotEnrolmentsArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isEnrolmentKey);
    const { rows, totalCount } = await ctx.loaders.pilotEnrolments.page({ meteringPointId: args.meteringPointId ?? null, status: args.status ?? null }, page);
    // The extra row only tells whether more follow: it is not returned, so not logged.
    await ctx.loaders.logEnrolments(rows.slice(0, page.limit).map(({ row }) => row));
    const nowMs = Date.now();
    return toConnection(
      rows.map(({ row, cursorKey }) => ({ ...toEnrolment(row, nowMs), cursorKey })),
      page,
      totalCount,
      (enrolment) => enrolment.cursorKey,
    );
  }

  @FieldResolver(() => TariffScheme)
  async scheme(@Root() enrolment: PilotEnrolment, @Ctx() ctx: Context): Promise<TariffScheme> {
    const scheme = await ctx.loaders.scheme.load(enrolment.schemeId);
    if (!scheme) throw new NotFoundError('Tariff scheme');
    return scheme;
  }
}

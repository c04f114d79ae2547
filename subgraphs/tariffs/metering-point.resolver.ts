import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { TariffsLoaders } from './tariffs.loader';
import { MeteringPoint } from './metering-point.type';
import { toEnrolment } from './pilot-enrolment.repo';
import { PilotEnrolment } from './pilot-enrolment.type';
import { TariffAssignment, TariffScheme } from './tariff-scheme.type';

@Resolver(() => MeteringPoint)
export class MeteringPointTariffResolver {
  @Authorized('tariffs:read')
  @FieldResolver(() => TariffScheme, { nullable: true, description: 'The scheme this point is on now; null when you may not see it. Every read is logged.' })
  async tariff(@Root() point: MeteringPoint, @Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<TariffScheme | null> {
    const assignment = await ctx.loaders.assignment.load(point.id);
    return assignment ? ctx.loaders.scheme.load(assignment.schemeId) : null;
  }

  @Authorized('tariffs:read')
  // Nullable like `tariff`: the kit resolves a point the caller may not see to null, and a non-null list would null the caller's whole answer.
  @FieldResolver(() => [TariffAssignment], {
    nullable: true,
    description: 'The schemes this point was on, oldest first, within your own supply periods or consents (all of them for its customer and the DSO); null when you may not see its tariff. Every read is logged.',
  })
  async tariffHistory(@Root() point: MeteringPoint, @Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<TariffAssignment[]> {
    const rows = await ctx.loaders.assignmentHistory.load(point.id);
    const schemes = await ctx.loaders.scheme.loadMany(rows.map((row) => row.schemeId));
    return rows.flatMap((row, i) => {
      const scheme = schemes[i];
      return scheme && !(scheme instanceof Error) ? [{ meteringPointId: row.meteringPointId, scheme, validFrom: row.validFrom, validTo: row.validTo }] : [];
    });
  }

  @Authorized('tariffs:read')
  @FieldResolver(() => PilotEnrolment, { nullable: true, description: 'Its open (PENDING or ACTIVE) pilot enrolment; null when none, or when you may not see the point. Every read is logged.' })
  async pilotEnrolment(@Root() point: MeteringPoint, @Ctx() ctx: SubgraphContext<TariffsLoaders>): Promise<PilotEnrolment | null> {
    const row = await ctx.loaders.pilotEnrolment.load(point.id);
    return row && toEnrolment(row, Date.now());
  }
}

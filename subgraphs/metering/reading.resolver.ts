import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import { curveWindow } from './demand.rules';
import type { MeteringLoaders } from './metering.loader';
import { MeteringPoint } from './metering-point.type';
import { CurveArgs, IngestReadingsInput, IngestReadingsResult, LoadCurvePoint } from './reading.type';

type Context = SubgraphContext<MeteringLoaders>;

@Resolver(() => MeteringPoint)
export class ReadingResolver {
  @FieldResolver(() => [LoadCurvePoint], {
    description: 'Energy per bucket over [from, to). A retailer sees only the intervals it supplied. Every read is logged.',
  })
  loadCurve(
    @Root() point: MeteringPoint,
    @Args(() => CurveArgs) args: CurveArgs,
    @Ctx() ctx: Context,
  ): Promise<LoadCurvePoint[]> {
    return ctx.loaders.loadCurve.load({ pointId: point.id, window: curveWindow(args) });
  }

  @Mutation(() => IngestReadingsResult, { description: 'DSO only: an atomic, idempotent batch of up to 10,000 15-minute readings' })
  ingestReadings(@Arg('input', () => IngestReadingsInput) input: IngestReadingsInput, @Ctx() ctx: Context): Promise<IngestReadingsResult> {
    const rows = input.readings.map((reading) => ({
      meteringPointId: reading.meteringPointId,
      intervalStartMs: reading.intervalStart.getTime(),
      importWh: reading.importWh,
      exportWh: reading.exportWh,
      quality: reading.quality,
    }));
    return ctx.loaders.ingest.run(ctx.identity, input.idempotencyKey, rows);
  }
}

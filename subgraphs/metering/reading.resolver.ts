import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import { curveWindow, seriesFrame } from './demand.rules';
import type { MeteringLoaders } from './metering.loader';
import { MeteringPoint } from './metering-point.type';
import { CurveArgs, IngestReadingsInput, IngestReadingsResult, LoadCurvePoint, LoadCurveSeries } from './reading.type';

type Context = SubgraphContext<MeteringLoaders>;

@Resolver(() => MeteringPoint)
export class ReadingResolver {
  @Authorized('metering:read')
  @FieldResolver(() => [LoadCurvePoint], {
    description: 'Energy per bucket over [from, to), as objects. A retailer sees only the intervals it supplied, a consent holder the consented period. Every read is logged.',
  })
  loadCurve(@Root() point: MeteringPoint, @Args(() => CurveArgs) args: CurveArgs, @Ctx() ctx: Context): Promise<LoadCurvePoint[]> {
    return ctx.loaders.loadCurve.load({ pointId: point.id, window: curveWindow(args) });
  }

  @Authorized('metering:read')
  @FieldResolver(() => LoadCurveSeries, {
    description: 'The same load curve as arrays: a tenth of the cost of loadCurve, for portfolios (see the operation budget). Every read is logged.',
  })
  async loadCurveSeries(@Root() point: MeteringPoint, @Args(() => CurveArgs) args: CurveArgs, @Ctx() ctx: Context): Promise<LoadCurveSeries> {
    const window = curveWindow(args);
    const { startMs, length } = seriesFrame(window);
    const importWh: (number | null)[] = new Array<number | null>(length).fill(null);
    const exportWh = [...importWh];
    const series = await ctx.loaders.loadCurveSeries.load({ pointId: point.id, window });
    series?.index.forEach((position, i) => {
      importWh[position] = series.importWh[i]!;
      exportWh[position] = series.exportWh[i]!;
    });
    return { start: new Date(startMs), resolution: window.resolution, importWh, exportWh };
  }

  @Authorized('metering:write')
  @Mutation(() => IngestReadingsResult, { description: 'DSO: an atomic, idempotent batch of up to 10,000 15-minute readings' })
  ingestReadings(@Arg('input', () => IngestReadingsInput) input: IngestReadingsInput, @Ctx() ctx: Context): Promise<IngestReadingsResult> {
    const rows = input.readings.map((reading) => ({
      meteringPointId: reading.meteringPointId,
      intervalStartMs: reading.intervalStart.getTime(),
      importWh: reading.importWh,
      exportWh: reading.exportWh,
      quality: reading.quality,
    }));
    return ctx.loaders.ingest.run(ctx, input.idempotencyKey, rows);
  }
}

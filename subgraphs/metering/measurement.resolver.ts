import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { curveWindow } from './demand.rules';
import type { MeteringLoaders } from './metering.loader';
import { MAX_BATCH_MEASUREMENTS, measurementRejections } from './measurement.rules';
import { IngestMeasurementsResult, SecondarySubstation, SubstationMeasurement, SubstationMeasurementInput } from './measurement.type';
import { CurveArgs } from './reading.type';

type Context = SubgraphContext<MeteringLoaders>;

@Resolver(() => SecondarySubstation)
export class MeasurementResolver {
  @Authorized('grid:read')
  @FieldResolver(() => [SubstationMeasurement], {
    nullable: true,
    description: "The DTC's 15-minute measurements over [from, to); resolution is ignored. Needs grid:read (null and FORBIDDEN without it); anyone else reads the substation's total through demand, under its rules.",
  })
  measurements(@Root() substation: SecondarySubstation, @Args(() => CurveArgs) args: CurveArgs, @Ctx() ctx: Context): Promise<SubstationMeasurement[]> {
    // Measurements are always 15-minute rows: the window is checked at that resolution, whatever was asked.
    return ctx.loaders.measurements.load({ pointId: substation.id, window: curveWindow({ from: args.from, to: args.to }) });
  }

  @Authorized('metering:write')
  @Mutation(() => IngestMeasurementsResult, { description: 'DSO: an atomic batch of up to 10,000 DTC measurements' })
  async ingestSubstationMeasurements(
    @Arg('measurements', () => [SubstationMeasurementInput]) input: SubstationMeasurementInput[],
    @Ctx() ctx: Context,
  ): Promise<IngestMeasurementsResult> {
    if (input.length === 0 || input.length > MAX_BATCH_MEASUREMENTS) throw new BadUserInputError(`a batch holds 1 to ${MAX_BATCH_MEASUREMENTS} measurements`);
    // Kept to three decimals (W, var, mV): finer is noise, and a denormal would not fit the real columns.
    const milli = (value: number) => Math.round(value * 1000) / 1000;
    const rows = input.map((m) => ({
      secondarySubstationId: m.secondarySubstationId,
      intervalStartMs: m.intervalStart.getTime(),
      phases: m.phases.map((p) => ({ activePowerKw: milli(p.activePowerKw), reactivePowerKvar: milli(p.reactivePowerKvar), voltageV: milli(p.voltageV) })),
    }));
    const known = await ctx.loaders.measurementStore.knownSubstations([...new Set(rows.map((row) => row.secondarySubstationId))]);
    const rejected = measurementRejections(rows, Date.now(), (id) => known.has(id));
    if (rejected.length > 0) throw new BadUserInputError(`${rejected.length} of ${rows.length} measurements are invalid; nothing was written`, { rejected });
    return { received: rows.length, written: await ctx.loaders.measurementStore.upsert(rows, ctx) };
  }
}

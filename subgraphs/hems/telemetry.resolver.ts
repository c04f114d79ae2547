import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { HemsLoaders } from './hems.loader';
import { ReportHemsTelemetryInput, TelemetryReceipt } from './telemetry.type';

type Context = SubgraphContext<HemsLoaders>;

@Resolver()
export class TelemetryResolver {
  @Authorized('hems:report', 'hems:control')
  @Mutation(() => TelemetryReceipt, {
    description:
      "Device states and powers, in batches: from a HEMS's own key (its own HEMS only) or the platform of a retailer or aggregator the HEMS is shared with. " +
      'Checked whole first: any problem is BAD_USER_INPUT listing every one with its path in extensions.rejected, and nothing is written. A report marks its HEMS online.',
  })
  reportHemsTelemetry(@Arg('input', () => ReportHemsTelemetryInput) input: ReportHemsTelemetryInput, @Ctx() ctx: Context): Promise<TelemetryReceipt> {
    const reports = input.reports.map((report) => ({ hemsId: report.hemsId, atMs: report.at.getTime(), devices: report.devices }));
    return ctx.loaders.telemetry.run(ctx, reports);
  }
}

import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import { parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import { EventArgs, IngestEventsResult, MeterEventConnection, MeterEventInput } from './event.type';
import type { MeteringLoaders } from './metering.loader';
import { MeteringPoint } from './metering-point.type';
import { REJECT_REASONS } from './reading.rules';

type Context = SubgraphContext<MeteringLoaders>;

const MAX_BATCH_EVENTS = 10_000;
/** A year: longer windows are paged by time, not by one request. */
export const MAX_EVENT_WINDOW_DAYS = 366;

@Resolver(() => MeteringPoint)
export class EventResolver {
  @Authorized('metering:read')
  @FieldResolver(() => MeterEventConnection, {
    description: `Events and alarms in [from, to), at most ${MAX_EVENT_WINDOW_DAYS} days. A retailer sees only its supply periods, a consent holder the consented period. Every read is logged.`,
  })
  async events(@Root() point: MeteringPoint, @Args(() => EventArgs) args: EventArgs, @Ctx() ctx: Context) {
    const fromMs = args.from.getTime();
    const toMs = args.to.getTime();
    if (!(toMs > fromMs)) throw new BadUserInputError('to must be after from');
    if (toMs - fromMs > MAX_EVENT_WINDOW_DAYS * 86_400_000) throw new BadUserInputError(`an events window may span at most ${MAX_EVENT_WINDOW_DAYS} days; page through longer periods`);
    const page = parsePage(args, (key) => /^\d{1,18}$/.test(key));
    const { rows, totalCount } = await ctx.loaders.events.load({ pointId: point.id, window: { fromMs, toMs }, page });
    return toConnection(rows, page, totalCount, (row) => row.id);
  }

  @Authorized('metering:write')
  @Mutation(() => IngestEventsResult, { description: 'DSO: an atomic batch of up to 10,000 meter events; repeats are ignored' })
  async ingestMeterEvents(@Arg('events', () => [MeterEventInput]) input: MeterEventInput[], @Ctx() ctx: Context): Promise<IngestEventsResult> {
    if (input.length === 0 || input.length > MAX_BATCH_EVENTS) throw new BadUserInputError(`a batch holds 1 to ${MAX_BATCH_EVENTS} events`);
    const keys = await ctx.loaders.keysOf([...new Set(input.map((event) => event.meteringPointId))]);
    const nowMs = Date.now();
    const rejected = input.flatMap((event, index) => {
      if (!keys.has(event.meteringPointId)) return [{ index, reason: REJECT_REASONS.unknownPoint }];
      if (event.occurredAt.getTime() > nowMs) return [{ index, reason: 'event in the future' }];
      return [];
    });
    if (rejected.length > 0) throw new BadUserInputError(`${rejected.length} of ${input.length} events are invalid; nothing was written`, { rejected });
    const written = await ctx.loaders.eventStore.insert(
      input.map((event) => ({ meteringPointKey: keys.get(event.meteringPointId)!, occurredAtMs: event.occurredAt.getTime(), kind: event.kind, severity: event.severity })),
      ctx,
    );
    return { received: input.length, written };
  }
}

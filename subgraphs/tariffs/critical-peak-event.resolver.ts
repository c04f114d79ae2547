import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BadUserInputError, NotFoundError } from '../../schema/errors';
import { DAY_MS } from '../kit/calendar';
import { parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import { timeInRange } from '../kit/time-range';
import { announceCriticalPeakEvent } from './critical-peak-event.command';
import { eventKey, isEventKey } from './critical-peak-event.repo';
import { AnnounceCriticalPeakEventInput, CriticalPeakEvent, CriticalPeakEventConnection, CriticalPeakEventsArgs, MAX_EVENTS_WINDOW_DAYS } from './critical-peak-event.type';
import { TariffScheme } from './tariff-scheme.type';
import type { TariffsLoaders } from './tariffs.loader';

type Context = SubgraphContext<TariffsLoaders>;

@Resolver(() => CriticalPeakEvent)
export class CriticalPeakEventResolver {
  @Authorized('tariffs:write')
  @Mutation(() => CriticalPeakEvent, {
    description:
      'DSO: announces critical-peak hours of a published CRITICAL_PEAK scheme on a local day, by CRITICAL_PEAK_NOTICE_HOUR (default 18:00) local time the day before. ' +
      'Pushed as a CRITICAL_PEAK_EVENT hub event to the retailers supplying the points on the scheme then, and to those points’ customers; ' +
      'a point whose pilot enrolment on the scheme becomes ACTIVE later is pushed the events from its first day on then (the DSO receives those again).',
  })
  announceCriticalPeakEvent(@Arg('input', () => AnnounceCriticalPeakEventInput) input: AnnounceCriticalPeakEventInput, @Ctx() ctx: Context): Promise<CriticalPeakEvent> {
    return announceCriticalPeakEvent(ctx.db, input, ctx.loaders.criticalPeakNoticeHour, ctx);
  }

  @Authorized('tariffs:read')
  @Query(() => CriticalPeakEventConnection, {
    description: `Critical-peak events overlapping [from, to) (at most ${MAX_EVENTS_WINDOW_DAYS} days), by start, a page at a time: as public as the published schemes they belong to`,
  })
  async criticalPeakEvents(@Args(() => CriticalPeakEventsArgs) args: CriticalPeakEventsArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isEventKey);
    const fromMs = args.from?.getTime() ?? Date.now();
    const toMs = args.to?.getTime() ?? fromMs + MAX_EVENTS_WINDOW_DAYS * DAY_MS;
    if (!timeInRange(fromMs) || !timeInRange(toMs)) throw new BadUserInputError('from and to must lie in this century', { field: args.from && !timeInRange(fromMs) ? 'from' : 'to' });
    if (toMs <= fromMs) throw new BadUserInputError('to must be after from', { field: 'to' });
    if (toMs - fromMs > MAX_EVENTS_WINDOW_DAYS * DAY_MS) throw new BadUserInputError(`the window is at most ${MAX_EVENTS_WINDOW_DAYS} days`, { field: 'to' });
    const { rows, totalCount } = await ctx.loaders.criticalPeakEvents.overlapping(args.schemeId ?? null, fromMs, toMs, page);
    for (const event of rows) ctx.loaders.criticalPeakEvent.prime(event.id, event);
    return toConnection(rows, page, totalCount, eventKey);
  }

  @FieldResolver(() => TariffScheme)
  async scheme(@Root() event: CriticalPeakEvent, @Ctx() ctx: Context): Promise<TariffScheme> {
    const scheme = await ctx.loaders.scheme.load(event.schemeId);
    if (!scheme) throw new NotFoundError('Tariff scheme');
    return scheme;
  }
}

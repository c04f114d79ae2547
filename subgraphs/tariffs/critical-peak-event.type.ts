import { ArgsType, Directive, Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType, PageArgs } from '../kit/connection';
import { MAX_CRITICAL_PEAK_HOURS } from './critical-peak-event.rules';

/** The longest window `criticalPeakEvents` reads at once. */
export const MAX_EVENTS_WINDOW_DAYS = 366;

@ObjectType({
  description:
    'Hours of one local day when a critical-peak scheme charges its critical_peak price, announced by the DSO ahead of time. ' +
    'Public with tariffs:read, like the published scheme it belongs to; pushed as a CRITICAL_PEAK_EVENT hub event to the DSO, the retailers supplying points on the scheme then, and those points’ customers.',
})
@Directive('@key(fields: "id")')
export class CriticalPeakEvent {
  @Field(() => ID)
  id!: string;

  // `scheme` is a field resolver (critical-peak-event.resolver.ts).
  @Field(() => ID)
  schemeId!: string;

  @Field(() => String, { description: 'The local day (YYYY-MM-DD, Lisbon) it falls on' })
  day!: string;

  @Field(() => Date)
  start!: Date;

  @Field(() => Date)
  end!: Date;

  @Field(() => Date)
  announcedAt!: Date;
}

@InputType()
export class AnnounceCriticalPeakEventInput {
  @Field(() => ID, { description: 'A published CRITICAL_PEAK scheme that applies on the day' })
  schemeId!: string;

  @Field(() => String, { description: 'Local day, YYYY-MM-DD (Lisbon); its events must be announced by CRITICAL_PEAK_NOTICE_HOUR (default 18:00) local time the day before' })
  day!: string;

  @Field(() => String, { description: 'Local wall-clock start, HH:MM on the quarter-hour; a time the spring clock change skips is refused' })
  start!: string;

  @Field(() => String, {
    description: `Local wall-clock end, HH:MM on the quarter-hour after start (24:00: the next midnight), at most ${MAX_CRITICAL_PEAK_HOURS} real hours after it; the scheme's other events may touch it, not overlap it`,
  })
  end!: string;
}

export const CriticalPeakEventConnection = ConnectionType(CriticalPeakEvent, 'CriticalPeakEvent');

@ArgsType()
export class CriticalPeakEventsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this scheme’s events' })
  schemeId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Events still running at or after it; default now' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: `Events starting before it; default ${MAX_EVENTS_WINDOW_DAYS} days after from, and at most that` })
  to?: Date | null;
}

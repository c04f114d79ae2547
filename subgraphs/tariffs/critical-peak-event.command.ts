import { randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError } from '../../schema/errors';
import type { CriticalPeakEventPayload } from '../../schema/events';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database, Transaction } from '../kit/db';
import { appendEventsToOutbox, appendToOutbox } from '../kit/outbox';
import { eventConcerns, eventsOverlapping, insertEvent, lockedScheme, pointEventsFrom } from './critical-peak-event.repo';
import { announcementAudience, announcementWindow, overlapProblem, schemeProblem, type AnnouncementInput, type Problem } from './critical-peak-event.rules';
import type { CriticalPeakEvent } from './critical-peak-event.type';

const refuse = (problem: Problem) => new BadUserInputError(problem.message, { field: problem.field });

/** The CRITICAL_PEAK_EVENT payload of an event, the same to whoever it is pushed to and whenever. */
const announcement = (event: CriticalPeakEvent): CriticalPeakEventPayload => ({
  kind: 'ANNOUNCED',
  criticalPeakEventId: event.id,
  schemeId: event.schemeId,
  start: event.start.toISOString(),
  end: event.end.toISOString(),
});

/**
 * announceCriticalPeakEvent (the DSO): the window, the notice, the scheme and the scheme's other
 * events are checked first, and nothing is written when anything is wrong (an unknown scheme is
 * NOT_FOUND). Then one transaction stores the event, its audit line and its CRITICAL_PEAK_EVENT
 * hub event to those it concerns.
 */
export function announceCriticalPeakEvent(db: Database, input: AnnouncementInput & { schemeId: string }, noticeHour: number, actor: Actor, nowMs = Date.now()): Promise<CriticalPeakEvent> {
  const window = announcementWindow(input, nowMs, noticeHour);
  if ('message' in window) throw refuse(window);
  return db.transaction(async (tx) => {
    const scheme = await lockedScheme(tx, input.schemeId);
    if (!scheme) throw new NotFoundError('Tariff scheme');
    const problem = schemeProblem(scheme, window.localDay) ?? overlapProblem(window, await eventsOverlapping(tx, scheme.id, window));
    if (problem) throw refuse(problem);
    const event = await insertEvent(tx, `cpe-${randomUUID()}`, scheme.id, window);
    const concerns = await eventConcerns(tx, scheme.id, window);
    const audience = announcementAudience(concerns.retailerIds, concerns.meteringPointIds);
    await recordMutation(tx, actor, 'announceCriticalPeakEvent', event.id, `${scheme.id} on ${event.day} ${input.start}-${input.end}, to ${new Set(concerns.meteringPointIds).size} points`);
    await appendToOutbox(tx, 'CRITICAL_PEAK_EVENT', audience, announcement(event));
    return event;
  });
}

/**
 * A point that joins a CRITICAL_PEAK scheme from `startsAt` (a pilot enrolment becoming ACTIVE), in
 * the transaction that puts it on the scheme: it is owed the scheme's events already announced
 * for then or later, which reached only the points on the scheme when they were announced. Each
 * is appended again as an ANNOUNCED CRITICAL_PEAK_EVENT (the same payload, so a receiver
 * recognises an event it knows by criticalPeakEventId), addressed to the point's customer and the
 * retailers supplying it during the event only; the DSO, which receives every CRITICAL_PEAK_EVENT,
 * receives these repeats too. The scheme's announcement lock (lockedScheme) orders this against
 * an announcement racing it: whichever commits second sees the other's rows (the announcement the
 * point's new assignment, or this the new event), so the point hears of every event exactly once.
 * Returns how many events it was told of.
 */
export async function tellJoiningPoint(tx: Transaction, schemeId: string, meteringPointId: string, startsAt: Date): Promise<number> {
  await lockedScheme(tx, schemeId);
  const owed = await pointEventsFrom(tx, schemeId, meteringPointId, startsAt);
  await appendEventsToOutbox(
    tx,
    'CRITICAL_PEAK_EVENT',
    owed.map(({ event, retailerIds }) => ({ audience: announcementAudience(retailerIds, [meteringPointId]), payload: announcement(event) })),
  );
  return owed.length;
}

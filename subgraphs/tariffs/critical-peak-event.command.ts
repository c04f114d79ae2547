import { randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError } from '../../schema/errors';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database } from '../kit/db';
import { appendToOutbox } from '../kit/outbox';
import { eventConcerns, eventsOverlapping, insertEvent, lockedScheme } from './critical-peak-event.repo';
import { announcementAudience, announcementWindow, overlapProblem, schemeProblem, type AnnouncementInput, type Problem } from './critical-peak-event.rules';
import type { CriticalPeakEvent } from './critical-peak-event.type';

const refuse = (problem: Problem) => new BadUserInputError(problem.message, { field: problem.field });

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
    await appendToOutbox(tx, 'CRITICAL_PEAK_EVENT', audience, {
      kind: 'ANNOUNCED',
      criticalPeakEventId: event.id,
      schemeId: scheme.id,
      start: event.start.toISOString(),
      end: event.end.toISOString(),
    });
    return event;
  });
}

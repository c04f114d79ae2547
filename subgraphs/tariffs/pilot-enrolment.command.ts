import { randomUUID } from 'node:crypto';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../schema/errors';
import type { Identity } from '../../schema/identity';
import type { PilotParty } from '../../schema/tariffs';
import { recordMutation, type Actor } from '../kit/audit';
import { lisbonLocalDay, lisbonMidnightUtcMs } from '../kit/calendar';
import type { Database, Transaction } from '../kit/db';
import { tellJoiningPoint } from './critical-peak-event.command';
import { localDayText, parseLocalDay } from '../kit/local-day';
import {
  assignmentsFrom,
  cancelPilotAssignment,
  endPilotAssignment,
  insertEnrolment,
  lapsedEnrolment,
  lockPoint,
  openEnrolment,
  openPilotAssignment,
  pointNow,
  recordAcceptance,
  recordWithdrawal,
  schemeFacts,
  stateOf,
  toEnrolment,
} from './pilot-enrolment.repo';
import { acceptance, lapsedProblem, pilotPartyOf, pilotSchemeProblem, pilotStart, pilotStartProblem, withdrawal } from './pilot-enrolment.rules';
import type { PilotEnrolment } from './pilot-enrolment.type';

export interface PilotAcceptance {
  meteringPointId: string;
  schemeId: string;
  startsOn: string;
}

const NEUTRAL = 'Only the customer of the metering point, or the retailer supplying it, accepts or withdraws a pilot enrolment; the DSO reads enrolments but acts for neither party';
const CHANGED_SINCE = "this metering point's tariff was changed after the pilot was accepted; the DSO must settle it";

/** The party the caller acts for, or FORBIDDEN for any other role. */
function partyOf(identity: Identity): PilotParty {
  const party = pilotPartyOf(identity.role);
  if (!party) throw new ForbiddenError(NEUTRAL);
  return party;
}

/** Whether the caller is a party to the point: its customer, or the retailer supplying it now. */
async function partyTo(tx: Transaction, identity: Identity, party: PilotParty, meteringPointId: string): Promise<{ isParty: boolean; retailerId: string | null }> {
  const point = await pointNow(tx, meteringPointId);
  const isParty = point.exists && (party === 'CUSTOMER' ? identity.organisationId === meteringPointId : point.retailerId === identity.organisationId);
  return { isParty, retailerId: point.retailerId };
}

/**
 * The point, locked for this request, with who supplies it now. A point the caller is not a party
 * to (another customer's, one the retailer does not supply now) is NOT_FOUND, as if it did not exist.
 */
async function partyPoint(tx: Transaction, identity: Identity, party: PilotParty, meteringPointId: string): Promise<{ retailerId: string | null }> {
  await lockPoint(tx, meteringPointId);
  const point = await partyTo(tx, identity, party, meteringPointId);
  if (!point.isParty) throw new NotFoundError('Metering point');
  return point;
}

/**
 * The refusal of an acceptance whose startsOn pilotStart refused (`reason`): for a day that has
 * begun, when the caller is a party to the point and this would be the other half of its pending
 * enrolment of that scheme and day, that the enrolment lapsed; else the reason. It only reads,
 * and to anyone else the point and its enrolments stay unseen.
 */
async function startRefusal(db: Database, identity: Identity, party: PilotParty, input: PilotAcceptance, reason: string, nowMs: number): Promise<BadUserInputError> {
  const localDay = parseLocalDay(input.startsOn, 'startsOn');
  const lapsed =
    typeof localDay === 'number' && localDay <= lisbonLocalDay(nowMs)
      ? await db.transaction(async (tx) => {
          if (!(await partyTo(tx, identity, party, input.meteringPointId)).isParty) return null;
          const row = await lapsedEnrolment(tx, input.meteringPointId, input.schemeId, new Date(lisbonMidnightUtcMs(localDay)));
          return lapsedProblem(row && stateOf(row), party, nowMs);
        })
      : null;
  return new BadUserInputError(lapsed ?? reason, { field: 'startsOn' });
}

/**
 * acceptPilotEnrolment: the customer's or its retailer's acceptance of a scheme for the point from
 * a local day. The first makes a PENDING enrolment and changes no tariff; the other party's of the
 * same scheme and day makes it ACTIVE, and in the same transaction the point's assignment in force
 * then is closed at the pilot's start and the pilot scheme's opened from it; on a CRITICAL_PEAK
 * scheme the point's customer and retailer are sent the scheme's events already announced for
 * then or later (tellJoiningPoint: the DSO receives these again). A pending enrolment whose first
 * day has begun has lapsed: it blocks no new one, and completing it is refused. Everything is checked
 * before anything is written: the day, the point and the party, the scheme, the point's open
 * enrolment (CONFLICT) and its planned tariff changes.
 */
export async function acceptPilotEnrolment(db: Database, input: PilotAcceptance, actor: Actor, nowMs = Date.now()): Promise<PilotEnrolment> {
  const party = partyOf(actor.identity);
  const start = pilotStart(input.startsOn, nowMs);
  if (typeof start === 'string') throw await startRefusal(db, actor.identity, party, input, start, nowMs);
  return db.transaction(async (tx) => {
    const point = await partyPoint(tx, actor.identity, party, input.meteringPointId);
    if (point.retailerId === null) throw new BadUserInputError('no retailer supplies this metering point now, and the pilot needs its acceptance', { field: 'meteringPointId' });
    // Drafts are the DSO's: to the parties an unpublished scheme does not exist.
    const scheme = await schemeFacts(tx, input.schemeId);
    if (!scheme || scheme.status !== 'PUBLISHED') throw new NotFoundError('Tariff scheme');
    const schemeProblem = pilotSchemeProblem(scheme, start.localDay);
    if (schemeProblem) throw new BadUserInputError(schemeProblem, { field: 'schemeId' });
    const open = await openEnrolment(tx, input.meteringPointId);
    const decision = acceptance(open && stateOf(open), { party, schemeId: scheme.id, startsAtMs: start.startsAtMs, retailerId: point.retailerId }, nowMs);
    if (decision.action === 'CONFLICT') throw new ConflictError(decision.message);
    const startsAt = new Date(start.startsAtMs);
    const following = await assignmentsFrom(tx, input.meteringPointId, startsAt);
    const startProblem = pilotStartProblem(
      following.map((row) => ({ schemeId: row.schemeId, validFromMs: row.validFrom.getTime(), validToMs: row.validTo?.getTime() ?? null })),
      scheme.id,
      start.startsAtMs,
    );
    if (startProblem?.code === 'CONFLICT') throw new ConflictError(startProblem.message);
    if (startProblem) throw new BadUserInputError(startProblem.message, { field: 'schemeId' });

    const what = `${scheme.id} from ${localDayText(start.localDay)}`;
    if (decision.action === 'CREATE') {
      const row = await insertEnrolment(tx, { id: `pe-${randomUUID()}`, meteringPointId: input.meteringPointId, schemeId: scheme.id, retailerId: point.retailerId, startsAt, party });
      await recordMutation(tx, actor, 'acceptPilotEnrolment', row.id, `${party} accepted ${what} for ${input.meteringPointId}: pending the other party`);
      return toEnrolment(row, nowMs);
    }
    const row = await recordAcceptance(tx, open!.id, party);
    const current = following.find((span) => span.validFrom.getTime() < start.startsAtMs) ?? null;
    await openPilotAssignment(tx, input.meteringPointId, scheme.id, startsAt, current?.validFrom ?? null);
    const told = scheme.kind === 'CRITICAL_PEAK' ? await tellJoiningPoint(tx, scheme.id, input.meteringPointId, startsAt) : 0;
    await recordMutation(
      tx,
      actor,
      'acceptPilotEnrolment',
      row.id,
      `${party} accepted ${what} for ${input.meteringPointId}: both accepted, replacing ${current?.schemeId ?? 'no scheme'}${told > 0 ? `; told of ${told} critical-peak events announced before` : ''}`,
    );
    return toEnrolment(row, nowMs);
  });
}

/**
 * withdrawPilotEnrolment: the customer or its retailer withdraws the point's open enrolment. One
 * that has not started is cancelled (WITHDRAWN), and an accepted one gives the point its former
 * scheme back, open-ended, as if the pilot had never been planned; a started one ends at the next
 * local midnight, when the pilot's assignment is closed and the former scheme applies again.
 */
export function withdrawPilotEnrolment(db: Database, meteringPointId: string, actor: Actor, nowMs = Date.now()): Promise<PilotEnrolment> {
  const party = partyOf(actor.identity);
  return db.transaction(async (tx) => {
    await partyPoint(tx, actor.identity, party, meteringPointId);
    const open = await openEnrolment(tx, meteringPointId);
    if (!open) throw new NotFoundError('Pilot enrolment');
    const decision = withdrawal(stateOf(open), nowMs);
    if (decision.action === 'CONFLICT') throw new ConflictError(decision.message);
    let row;
    if (decision.action === 'CANCEL') {
      if (decision.restoreAssignments && !(await cancelPilotAssignment(tx, meteringPointId, open.schemeId, open.startsAt))) throw new ConflictError(CHANGED_SINCE);
      row = await recordWithdrawal(tx, open.id, party, null);
      await recordMutation(tx, actor, 'withdrawPilotEnrolment', row.id, `${party} cancelled ${open.schemeId} for ${meteringPointId} before it started`);
    } else {
      const endsAt = new Date(decision.endsAtMs);
      if (!(await endPilotAssignment(tx, meteringPointId, open.schemeId, open.startsAt, endsAt))) throw new ConflictError(CHANGED_SINCE);
      row = await recordWithdrawal(tx, open.id, party, endsAt);
      await recordMutation(tx, actor, 'withdrawPilotEnrolment', row.id, `${party} withdrew ${meteringPointId} from ${open.schemeId}, ending ${endsAt.toISOString()}`);
    }
    return toEnrolment(row, nowMs);
  });
}

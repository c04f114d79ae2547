/**
 * The dynamic-tariff pilot's enrolment as a state machine. A metering point joins only with both
 * its customer's and its retailer's acceptance of the same scheme from the same local day: the
 * first acceptance makes a PENDING enrolment that changes no tariff; the other party's makes it
 * ACTIVE, and the point is on the pilot scheme from `startsAt`. A pending one whose first day
 * begins before the other party accepts lapses (EXPIRED: no acceptance can be given for a day
 * that has begun). Either party may withdraw: an enrolment that has not started is cancelled
 * (WITHDRAWN: it never applied); a started one ends at the next local midnight (ACTIVE until then,
 * ENDED after). Pure.
 */
import type { Role } from '../../schema/identity';
import type { PilotParty, TariffKind } from '../../schema/tariffs';
import { lisbonLocalDay, lisbonMidnightUtcMs } from '../kit/calendar';
import { TIME_RANGE_DAYS, timeInRange } from '../kit/time-range';
import { schemeDayProblem, type SchemeFacts } from './critical-peak-event.rules';
import { localDayText, parseLocalDay } from '../kit/local-day';
import { nextLocalMidnight } from './local-time.rules';

/** YYYY-MM-DD of the local day an instant falls in. */
const dayOf = (ms: number) => localDayText(lisbonLocalDay(ms));

export const PILOT_ENROLMENT_STATUSES = ['PENDING', 'ACTIVE', 'ENDED', 'WITHDRAWN', 'EXPIRED'] as const;
export type PilotEnrolmentStatus = (typeof PILOT_ENROLMENT_STATUSES)[number];

/** The schemes a pilot tests: dynamic network tariffs, never the flat one. */
export const PILOT_SCHEME_KINDS: readonly TariffKind[] = ['TIME_OF_USE', 'CRITICAL_PEAK'];

/** What the machine reads of an enrolment. */
export interface EnrolmentState {
  schemeId: string;
  retailerId: string;
  startsAtMs: number;
  customerAcceptedAtMs: number | null;
  retailerAcceptedAtMs: number | null;
  endsAtMs: number | null;
  withdrawnAtMs: number | null;
}

/**
 * PENDING: one party accepted, and its first day has not begun; EXPIRED: one party accepted, and
 * its first day began without the other's acceptance (it lapsed, and never applied); ACTIVE: both
 * did (from startsAt, which may still be ahead) and it has not ended; ENDED: withdrawn after it
 * started, and past its end; WITHDRAWN: withdrawn before it started, so it never applied (no end).
 */
export function enrolmentStatus(state: EnrolmentState, nowMs: number): PilotEnrolmentStatus {
  if (state.withdrawnAtMs !== null && state.endsAtMs === null) return 'WITHDRAWN';
  if (state.customerAcceptedAtMs === null || state.retailerAcceptedAtMs === null) return state.startsAtMs <= nowMs ? 'EXPIRED' : 'PENDING';
  return state.endsAtMs !== null && state.endsAtMs <= nowMs ? 'ENDED' : 'ACTIVE';
}

/** An enrolment still to be reckoned with: a point has at most one (a second one is a CONFLICT). */
export const isOpen = (state: EnrolmentState, nowMs: number): boolean => ['PENDING', 'ACTIVE'].includes(enrolmentStatus(state, nowMs));

/** Which party a key acts for, or null for every other role: the DSO reads enrolments but accepts and withdraws for neither (neutrality). */
export function pilotPartyOf(role: Role): PilotParty | null {
  if (role === 'customer') return 'CUSTOMER';
  if (role === 'retailer') return 'RETAILER';
  return null;
}

/** The local midnight a pilot starts at, from `startsOn` (YYYY-MM-DD), which must be tomorrow or later; or what is wrong. */
export function pilotStart(startsOn: string, nowMs: number): { localDay: number; startsAtMs: number } | string {
  const localDay = parseLocalDay(startsOn, 'startsOn');
  if (typeof localDay === 'string') return localDay;
  const tomorrow = lisbonLocalDay(nowMs) + 1;
  if (localDay < tomorrow) return `startsOn ${startsOn} must be a future local day: ${localDayText(tomorrow)} or later`;
  const startsAtMs = lisbonMidnightUtcMs(localDay);
  if (!timeInRange(startsAtMs)) return `startsOn ${startsOn} is not between ${TIME_RANGE_DAYS[0]} and ${TIME_RANGE_DAYS[1]}`;
  return { localDay, startsAtMs };
}

/** Why a published scheme cannot be a point's pilot scheme from `localDay`, if it cannot (drafts are not the parties' to see). */
export function pilotSchemeProblem(scheme: Pick<SchemeFacts, 'id' | 'kind' | 'validFrom' | 'validTo'>, localDay: number): string | null {
  if (!PILOT_SCHEME_KINDS.includes(scheme.kind)) return `scheme ${scheme.id} is ${scheme.kind}: the pilot tests ${PILOT_SCHEME_KINDS.join(' or ')} schemes`;
  return schemeDayProblem(scheme, localDay);
}

/** One of the point's assignments, as the pilot's start is checked against them. */
export interface AssignmentSpan {
  schemeId: string;
  validFromMs: number;
  validToMs: number | null;
}

/**
 * Why the pilot cannot take over the point's tariff at `startsAtMs`, given its assignments in
 * force then or later: a change already planned from then on is a CONFLICT (the pilot would undo
 * it), being on the pilot scheme already is bad input. Null when the pilot can start.
 */
export function pilotStartProblem(following: readonly AssignmentSpan[], schemeId: string, startsAtMs: number): { code: 'CONFLICT' | 'BAD_USER_INPUT'; message: string } | null {
  const planned = following.find((span) => span.validFromMs >= startsAtMs);
  if (planned) return { code: 'CONFLICT', message: `this metering point's tariff already changes to scheme ${planned.schemeId} on ${dayOf(planned.validFromMs)}; a pilot cannot start then or before` };
  const current = following.find((span) => span.validFromMs < startsAtMs);
  if (current?.schemeId === schemeId) return { code: 'BAD_USER_INPUT', message: `this metering point is on scheme ${schemeId} already` };
  return null;
}

export interface AcceptanceRequest {
  party: PilotParty;
  schemeId: string;
  startsAtMs: number;
  /** Who supplies the point now: the retailer whose acceptance counts. */
  retailerId: string;
}

export type AcceptanceDecision =
  /** No enrolment is open: a PENDING one with this party's acceptance. */
  | { action: 'CREATE' }
  /** The other party's pending enrolment of the same scheme and day: both have accepted, it becomes ACTIVE. */
  | { action: 'COMPLETE' }
  | { action: 'CONFLICT'; message: string };

const otherParty = (party: PilotParty): PilotParty => (party === 'CUSTOMER' ? 'RETAILER' : 'CUSTOMER');
const acceptedBy = (state: EnrolmentState, party: PilotParty) => (party === 'CUSTOMER' ? state.customerAcceptedAtMs : state.retailerAcceptedAtMs) !== null;

/** What an acceptance does, given the point's open enrolment (isOpen), if it has one: a lapsed one is not open, and blocks nothing. */
export function acceptance(open: EnrolmentState | null, request: AcceptanceRequest, nowMs: number): AcceptanceDecision {
  if (!open || !isOpen(open, nowMs)) return { action: 'CREATE' };
  const what = `scheme ${open.schemeId} from ${dayOf(open.startsAtMs)}`;
  if (enrolmentStatus(open, nowMs) === 'ACTIVE') {
    const end = open.endsAtMs === null ? '' : `, until ${new Date(open.endsAtMs).toISOString()} (withdrawn)`;
    return { action: 'CONFLICT', message: `this metering point is already enrolled in the pilot (${what}${end}); withdraw first` };
  }
  if (open.schemeId !== request.schemeId || open.startsAtMs !== request.startsAtMs) {
    return { action: 'CONFLICT', message: `this metering point already has a pending enrolment (${what}); accept that one, or withdraw it first` };
  }
  if (open.retailerId !== request.retailerId) {
    return { action: 'CONFLICT', message: `the pending enrolment (${what}) was asked for while another retailer supplied the point; withdraw it and accept again` };
  }
  if (acceptedBy(open, request.party)) {
    return { action: 'CONFLICT', message: `you already accepted the enrolment (${what}); it waits for the ${otherParty(request.party).toLowerCase()}'s acceptance` };
  }
  return { action: 'COMPLETE' };
}

/**
 * Why an acceptance for a first day that has begun (which pilotStart refuses) fails, when it is the
 * other half of the point's pending enrolment of that scheme and day (`lapsed`, if there is one):
 * that enrolment lapsed. Null otherwise, and pilotStart's reason stands.
 */
export function lapsedProblem(lapsed: EnrolmentState | null, party: PilotParty, nowMs: number): string | null {
  if (!lapsed || enrolmentStatus(lapsed, nowMs) !== 'EXPIRED' || acceptedBy(lapsed, party)) return null;
  return (
    `the pending enrolment (scheme ${lapsed.schemeId} from ${dayOf(lapsed.startsAtMs)}) lapsed: its first day began before both the customer and the retailer had accepted it; ` +
    `accept again from a future day, ${dayOf(nextLocalMidnight(nowMs))} or later`
  );
}

export type WithdrawalDecision =
  /** Not started (pending, or accepted for a day still ahead): nothing of it ever applies. */
  | { action: 'CANCEL'; restoreAssignments: boolean }
  /** Started: it ends at the next local midnight, when the point goes back to its former scheme. */
  | { action: 'END'; endsAtMs: number }
  | { action: 'CONFLICT'; message: string };

/** What a withdrawal of the point's open enrolment does at `nowMs`. */
export function withdrawal(open: EnrolmentState, nowMs: number): WithdrawalDecision {
  const status = enrolmentStatus(open, nowMs);
  if (status === 'PENDING') return { action: 'CANCEL', restoreAssignments: false };
  if (open.endsAtMs !== null) return { action: 'CONFLICT', message: `the enrolment was already withdrawn; it ends at ${new Date(open.endsAtMs).toISOString()}` };
  const endsAtMs = nextLocalMidnight(nowMs);
  // startsAt is a local midnight: the next one not after it means the pilot has not begun.
  if (endsAtMs <= open.startsAtMs) return { action: 'CANCEL', restoreAssignments: true };
  return { action: 'END', endsAtMs };
}

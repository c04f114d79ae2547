import { epochDay } from '../kit/calendar';
import { acceptance, enrolmentStatus, isOpen, lapsedProblem, pilotPartyOf, pilotSchemeProblem, pilotStart, pilotStartProblem, withdrawal, type EnrolmentState } from './pilot-enrolment.rules';

const utc = (text: string) => Date.parse(text);
/** 1 August 2026, 00:00 Lisbon (summer time). */
const AUG_1 = utc('2026-07-31T23:00:00Z');

const pending = (overrides: Partial<EnrolmentState> = {}): EnrolmentState => ({
  schemeId: 'TOU-1',
  retailerId: 'ret-a',
  startsAtMs: AUG_1,
  customerAcceptedAtMs: utc('2026-07-20T10:00:00Z'),
  retailerAcceptedAtMs: null,
  endsAtMs: null,
  withdrawnAtMs: null,
  ...overrides,
});
const accepted = (overrides: Partial<EnrolmentState> = {}) => pending({ retailerAcceptedAtMs: utc('2026-07-21T10:00:00Z'), ...overrides });

describe('the enrolment status', () => {
  const now = utc('2026-07-25T12:00:00Z');

  it('is PENDING with one acceptance, whichever party gave it', () => {
    expect(enrolmentStatus(pending(), now)).toBe('PENDING');
    expect(enrolmentStatus(pending({ customerAcceptedAtMs: null, retailerAcceptedAtMs: now }), now)).toBe('PENDING');
  });

  it('is ACTIVE with both, before its first day too, and until the end of a withdrawal', () => {
    expect(enrolmentStatus(accepted(), now)).toBe('ACTIVE');
    expect(enrolmentStatus(accepted(), AUG_1 + 86_400_000)).toBe('ACTIVE');
    const ending = accepted({ withdrawnAtMs: utc('2026-08-10T09:00:00Z'), endsAtMs: utc('2026-08-10T23:00:00Z') });
    expect(enrolmentStatus(ending, utc('2026-08-10T22:59:59Z'))).toBe('ACTIVE');
    expect(enrolmentStatus(ending, utc('2026-08-10T23:00:00Z'))).toBe('ENDED');
  });

  it('is WITHDRAWN when withdrawn before it started (no end: it never applied)', () => {
    expect(enrolmentStatus(pending({ withdrawnAtMs: now }), now)).toBe('WITHDRAWN');
    expect(enrolmentStatus(accepted({ withdrawnAtMs: now }), now)).toBe('WITHDRAWN');
  });

  it('is EXPIRED, and no longer open, when its first day begins with one acceptance only', () => {
    expect(enrolmentStatus(pending(), AUG_1 - 1)).toBe('PENDING');
    expect(enrolmentStatus(pending(), AUG_1)).toBe('EXPIRED');
    expect(enrolmentStatus(pending({ customerAcceptedAtMs: null, retailerAcceptedAtMs: now }), AUG_1 + 86_400_000)).toBe('EXPIRED');
    expect(isOpen(pending(), AUG_1)).toBe(false);
    // Withdrawn before it lapsed, it stays WITHDRAWN; accepted by both in time, it is ACTIVE from its first day.
    expect(enrolmentStatus(pending({ withdrawnAtMs: now }), AUG_1)).toBe('WITHDRAWN');
    expect(enrolmentStatus(accepted(), AUG_1)).toBe('ACTIVE');
  });

  it('counts PENDING and ACTIVE as open, the others not', () => {
    expect([pending(), accepted(), pending({ withdrawnAtMs: now }), accepted({ withdrawnAtMs: now, endsAtMs: now - 1 })].map((state) => isOpen(state, now))).toEqual([true, true, false, false]);
  });
});

describe('who acts and from when', () => {
  it('lets the customer and the retailer act, and no other role (the DSO reads, but is neutral)', () => {
    expect(pilotPartyOf('customer')).toBe('CUSTOMER');
    expect(pilotPartyOf('retailer')).toBe('RETAILER');
    expect(['dso', 'aggregator', 'regulator', 'tso', 'researcher', 'developer', 'hems'].map((role) => pilotPartyOf(role as never))).toEqual([null, null, null, null, null, null, null]);
  });

  it('starts at the local midnight of a day from tomorrow on, in summer and winter time', () => {
    const now = utc('2026-07-30T22:30:00Z'); // 23:30 on 30 July in Lisbon
    expect(pilotStart('2026-07-31', now)).toEqual({ localDay: epochDay(2026, 7, 31), startsAtMs: utc('2026-07-30T23:00:00Z') });
    expect(pilotStart('2026-12-01', now)).toEqual({ localDay: epochDay(2026, 12, 1), startsAtMs: utc('2026-12-01T00:00:00Z') });
  });

  it('refuses today, a past day and a malformed one', () => {
    const now = utc('2026-07-30T23:30:00Z'); // already 31 July in Lisbon
    expect(pilotStart('2026-07-31', now)).toBe('startsOn 2026-07-31 must be a future local day: 2026-08-01 or later');
    expect(pilotStart('2026-07-01', now)).toBe('startsOn 2026-07-01 must be a future local day: 2026-08-01 or later');
    expect(pilotStart('2026-8-1', now)).toBe('startsOn must be a local date, YYYY-MM-DD');
    expect(pilotStart('2999-01-01', now)).toBe('startsOn 2999-01-01 is not between 2000-01-01 and 2100-01-01');
  });

  it('pilots published time-of-use and critical-peak schemes on a day they apply, and nothing else', () => {
    const scheme = { id: 'TOU-1', kind: 'TIME_OF_USE' as const, validFrom: '2026-07-01', validTo: null };
    expect(pilotSchemeProblem(scheme, epochDay(2026, 8, 1))).toBeNull();
    expect(pilotSchemeProblem({ ...scheme, kind: 'CRITICAL_PEAK' }, epochDay(2026, 8, 1))).toBeNull();
    expect(pilotSchemeProblem({ ...scheme, kind: 'FLAT' }, epochDay(2026, 8, 1))).toBe('scheme TOU-1 is FLAT: the pilot tests TIME_OF_USE or CRITICAL_PEAK schemes');
    expect(pilotSchemeProblem({ ...scheme, validTo: '2026-08-01' }, epochDay(2026, 8, 1))).toBe('scheme TOU-1 applies from 2026-07-01 until 2026-08-01, not on 2026-08-01');
  });
});

describe("the point's tariff when the pilot starts", () => {
  const current = { schemeId: 'TP-SIMPLES', validFromMs: utc('2024-03-01T00:00:00Z'), validToMs: null };

  it('lets the pilot follow the scheme in force, or no scheme at all', () => {
    expect(pilotStartProblem([current], 'TOU-1', AUG_1)).toBeNull();
    expect(pilotStartProblem([], 'TOU-1', AUG_1)).toBeNull();
  });

  it('refuses a pilot of the scheme the point is on', () => {
    expect(pilotStartProblem([{ ...current, schemeId: 'TOU-1' }], 'TOU-1', AUG_1)).toEqual({ code: 'BAD_USER_INPUT', message: 'this metering point is on scheme TOU-1 already' });
  });

  it('refuses to undo a change already planned from the first day of the pilot or later', () => {
    const planned = { schemeId: 'TP-BI-DIARIO', validFromMs: AUG_1, validToMs: null };
    expect(pilotStartProblem([{ ...current, validToMs: AUG_1 }, planned], 'TOU-1', AUG_1)).toEqual({
      code: 'CONFLICT',
      message: "this metering point's tariff already changes to scheme TP-BI-DIARIO on 2026-08-01; a pilot cannot start then or before",
    });
  });
});

describe('accepting', () => {
  const now = utc('2026-07-25T12:00:00Z');
  const request = { party: 'RETAILER' as const, schemeId: 'TOU-1', startsAtMs: AUG_1, retailerId: 'ret-a' };

  it('creates a pending enrolment when none is open', () => {
    expect(acceptance(null, request, now)).toEqual({ action: 'CREATE' });
  });

  it("completes the other party's pending enrolment of the same scheme and day, customer first or retailer first", () => {
    expect(acceptance(pending(), request, now)).toEqual({ action: 'COMPLETE' });
    expect(acceptance(pending({ customerAcceptedAtMs: null, retailerAcceptedAtMs: now }), { ...request, party: 'CUSTOMER' }, now)).toEqual({ action: 'COMPLETE' });
  });

  it('refuses the same party accepting twice: one acceptance is not an enrolment', () => {
    expect(acceptance(pending(), { ...request, party: 'CUSTOMER' }, now)).toEqual({
      action: 'CONFLICT',
      message: "you already accepted the enrolment (scheme TOU-1 from 2026-08-01); it waits for the retailer's acceptance",
    });
  });

  it('refuses another scheme or day than the pending one, and a pending one of a former retailer', () => {
    expect(acceptance(pending(), { ...request, schemeId: 'CPP-1' }, now)).toMatchObject({ action: 'CONFLICT', message: expect.stringContaining('already has a pending enrolment (scheme TOU-1 from 2026-08-01)') });
    expect(acceptance(pending(), { ...request, startsAtMs: AUG_1 + 86_400_000 }, now)).toMatchObject({ action: 'CONFLICT' });
    expect(acceptance(pending(), { ...request, retailerId: 'ret-b' }, now)).toMatchObject({ action: 'CONFLICT', message: expect.stringContaining('another retailer') });
  });

  it('creates a new pending enrolment over a lapsed one, of another scheme or day, by either party', () => {
    const lapsedAt = AUG_1 + 3_600_000;
    const later = { ...request, startsAtMs: utc('2026-08-09T23:00:00Z') };
    expect(acceptance(pending(), { ...later, schemeId: 'CPP-1' }, lapsedAt)).toEqual({ action: 'CREATE' });
    expect(acceptance(pending(), { ...later, party: 'CUSTOMER' }, lapsedAt)).toEqual({ action: 'CREATE' });
  });

  it('says a pending enrolment lapsed when the other party accepts it after its first day began, and nothing for its own party or an open one', () => {
    const lapsedAt = utc('2026-08-01T10:00:00Z');
    expect(lapsedProblem(pending(), 'RETAILER', lapsedAt)).toBe(
      'the pending enrolment (scheme TOU-1 from 2026-08-01) lapsed: its first day began before both the customer and the retailer had accepted it; accept again from a future day, 2026-08-02 or later',
    );
    expect(lapsedProblem(pending(), 'CUSTOMER', lapsedAt)).toBeNull();
    expect(lapsedProblem(pending(), 'RETAILER', AUG_1 - 1)).toBeNull();
    expect(lapsedProblem(pending({ withdrawnAtMs: now }), 'RETAILER', lapsedAt)).toBeNull();
    expect(lapsedProblem(null, 'RETAILER', lapsedAt)).toBeNull();
  });

  it('refuses any acceptance while the point is enrolled, withdrawn but not yet ended included', () => {
    expect(acceptance(accepted(), request, now)).toMatchObject({ action: 'CONFLICT', message: expect.stringContaining('already enrolled') });
    const ending = accepted({ withdrawnAtMs: now, endsAtMs: utc('2026-08-10T23:00:00Z') });
    expect(acceptance(ending, request, now)).toMatchObject({ action: 'CONFLICT', message: expect.stringContaining('until 2026-08-10T23:00:00.000Z (withdrawn)') });
  });
});

describe('withdrawing', () => {
  it('cancels a pending enrolment, which changed no tariff', () => {
    expect(withdrawal(pending(), utc('2026-07-25T12:00:00Z'))).toEqual({ action: 'CANCEL', restoreAssignments: false });
  });

  it('cancels an accepted enrolment that has not started, its first day tomorrow included, and gives the point its scheme back', () => {
    expect(withdrawal(accepted(), utc('2026-07-25T12:00:00Z'))).toEqual({ action: 'CANCEL', restoreAssignments: true });
    expect(withdrawal(accepted(), utc('2026-07-31T22:59:59Z'))).toEqual({ action: 'CANCEL', restoreAssignments: true });
  });

  it('ends a started enrolment at the next local midnight, across a clock change too', () => {
    expect(withdrawal(accepted(), AUG_1)).toEqual({ action: 'END', endsAtMs: utc('2026-08-01T23:00:00Z') });
    expect(withdrawal(accepted(), utc('2026-10-25T10:00:00Z'))).toEqual({ action: 'END', endsAtMs: utc('2026-10-26T00:00:00Z') });
  });

  it('refuses withdrawing twice', () => {
    const ending = accepted({ withdrawnAtMs: utc('2026-08-10T09:00:00Z'), endsAtMs: utc('2026-08-10T23:00:00Z') });
    expect(withdrawal(ending, utc('2026-08-10T12:00:00Z'))).toEqual({ action: 'CONFLICT', message: 'the enrolment was already withdrawn; it ends at 2026-08-10T23:00:00.000Z' });
  });
});

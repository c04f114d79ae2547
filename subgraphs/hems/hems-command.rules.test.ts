import {
  commandProblems,
  DEFAULT_ANSWER_MS,
  defaultExpiryMs,
  MAX_COMMAND_WINDOW_MS,
  MAX_DETAIL_LENGTH,
  orderProblem,
  OUTCOME_CLOCK_SKEW_MS,
  outcomeDetail,
  outcomeTime,
  transitionProblem,
  type CommandDraft,
  type CommandedDevice,
} from './hems-command.rules';

const HOUR_MS = 3_600_000;
const now = Date.parse('2026-11-26T17:00:00Z');
const charger: CommandedDevice = { kind: 'EV_CHARGER', ratedPowerKw: 7.4, controllable: true };
const pv: CommandedDevice = { kind: 'PV_INVERTER', ratedPowerKw: 4, controllable: true };

const draft = (overrides: Partial<CommandDraft> = {}): CommandDraft => ({
  kind: 'CURTAIL',
  deviceId: 'D1',
  targetPowerKw: 2,
  startMs: now + HOUR_MS,
  endMs: now + 3 * HOUR_MS,
  reason: 'CONTRACTED_POWER_ORDER',
  orderId: 'cpo-1',
  expiresAtMs: null,
  ...overrides,
});

const fields = (overrides: Partial<CommandDraft>, device: CommandedDevice | null = charger) => commandProblems(draft(overrides), device, now).map((problem) => problem.field);

describe('commandProblems', () => {
  it('accepts a curtailment of a controllable device down to 0 and up to its rated power', () => {
    expect(fields({})).toEqual([]);
    expect(fields({ targetPowerKw: 0 })).toEqual([]);
    expect(fields({ targetPowerKw: 7.4 })).toEqual([]);
  });

  it('refuses a curtailment without a target, or one below 0 or above the rated power', () => {
    expect(fields({ targetPowerKw: null })).toEqual(['targetPowerKw']);
    expect(fields({ targetPowerKw: -0.1 })).toEqual(['targetPowerKw']);
    expect(fields({ targetPowerKw: 7.5 })).toEqual(['targetPowerKw']);
    expect(fields({ targetPowerKw: Number.NaN })).toEqual(['targetPowerKw']);
  });

  it('refuses a target power on SHIFT and RESTORE', () => {
    expect(fields({ kind: 'SHIFT', targetPowerKw: 1 })).toEqual(['targetPowerKw']);
    expect(fields({ kind: 'RESTORE', targetPowerKw: 1 })).toEqual(['targetPowerKw']);
    expect(fields({ kind: 'SHIFT', targetPowerKw: null })).toEqual([]);
  });

  it('needs a device of the HEMS that it can control; only a RESTORE may act on the whole HEMS', () => {
    expect(fields({ deviceId: 'ELSEWHERE' }, null)).toEqual(['deviceId']);
    expect(fields({}, { ...charger, controllable: false })).toEqual(['deviceId']);
    expect(fields({ kind: 'SHIFT', targetPowerKw: null, deviceId: null }, null)).toEqual(['deviceId']);
    expect(fields({ kind: 'CURTAIL', deviceId: null }, null)).toEqual(['deviceId']);
    expect(fields({ kind: 'RESTORE', targetPowerKw: null, deviceId: null }, null)).toEqual([]);
  });

  it('refuses holding off a PV inverter for either order, naming the device: less output is more consumption; a RESTORE of it is taken', () => {
    for (const reason of ['FLEX_ORDER', 'CONTRACTED_POWER_ORDER'] as const) {
      for (const kind of ['SHIFT', 'CURTAIL'] as const) {
        const problems = commandProblems(draft({ kind, reason, targetPowerKw: kind === 'CURTAIL' ? 1 : null }), pv, now);
        expect(problems).toEqual([{ field: 'deviceId', message: `device D1 is a PV_INVERTER: holding it off raises the household's consumption, the opposite of what a ${reason} asks` }]);
      }
    }
    expect(fields({ kind: 'RESTORE', targetPowerKw: null }, pv)).toEqual([]);
    expect(fields({ kind: 'SHIFT', targetPowerKw: null }, { ...charger, kind: 'BATTERY' })).toEqual([]);
  });

  it('needs a window after its start, ending in the future, at most a day long', () => {
    expect(fields({ endMs: now + HOUR_MS })).toEqual(['end']);
    expect(fields({ startMs: now - 3 * HOUR_MS, endMs: now - HOUR_MS })).toEqual(['end']);
    expect(fields({ startMs: now - HOUR_MS, endMs: now + HOUR_MS })).toEqual([]);
    expect(fields({ endMs: now + HOUR_MS + MAX_COMMAND_WINDOW_MS })).toEqual([]);
    expect(fields({ endMs: now + HOUR_MS + MAX_COMMAND_WINDOW_MS + 1 })).toEqual(['end']);
  });

  it('needs expiresAt, when given, in the future and not after the end', () => {
    expect(fields({ expiresAtMs: now + 60_000 })).toEqual([]);
    expect(fields({ expiresAtMs: now })).toEqual(['expiresAt']);
    expect(fields({ expiresAtMs: now + 3 * HOUR_MS })).toEqual([]);
    expect(fields({ expiresAtMs: now + 3 * HOUR_MS + 1 })).toEqual(['expiresAt']);
  });

  it('needs an order id', () => {
    expect(fields({ orderId: '   ' })).toEqual(['orderId']);
    expect(fields({ orderId: 'x'.repeat(101) })).toEqual(['orderId']);
  });

  it('lists every problem at once', () => {
    expect(fields({ targetPowerKw: 9, endMs: now, orderId: '' }, null)).toEqual(['deviceId', 'end', 'orderId']);
  });
});

describe('orderProblem', () => {
  const period = { startMs: now + HOUR_MS, endMs: now + 3 * HOUR_MS };
  const flex = (kind: CommandDraft['kind'], overrides: Partial<CommandDraft> = {}) => draft({ kind, reason: 'FLEX_ORDER', orderId: 'fo-1', ...overrides });

  it('takes any command under an open order covering the HEMS, a flex order’s only within its period', () => {
    for (const kind of ['SHIFT', 'CURTAIL', 'RESTORE'] as const) {
      expect(orderProblem(flex(kind), { period, heldBefore: false })).toBeNull();
      expect(orderProblem(draft({ kind }), { period, heldBefore: false })).toBeNull();
    }
    expect(orderProblem(flex('RESTORE', { endMs: period.endMs + 15 * 60_000 }), { period, heldBefore: true })).toEqual({
      field: 'start',
      message: "the command's window must lie within flex order fo-1's period, 2026-11-26T18:00:00.000Z to 2026-11-26T20:00:00.000Z",
    });
    // A contracted-power order's expected end is no bound: the DSO restores it when it sees fit.
    expect(orderProblem(draft({ endMs: period.endMs + HOUR_MS }), { period, heldBefore: false })).toBeNull();
  });

  it('takes a RESTORE once the order has left only when the sender held the HEMS off for it before, of either reason', () => {
    expect(orderProblem(flex('RESTORE'), { period: null, heldBefore: true })).toBeNull();
    expect(orderProblem(draft({ kind: 'RESTORE' }), { period: null, heldBefore: true })).toBeNull();
    expect(orderProblem(flex('RESTORE'), { period: null, heldBefore: false })).toEqual({
      field: 'orderId',
      message: "no flex order fo-1 of yours, ordered or activated on an open request, covers this HEMS's metering point, and you sent this HEMS no SHIFT or CURTAIL for it to restore",
    });
  });

  it('refuses a SHIFT or CURTAIL once the order has left, held before or not', () => {
    for (const kind of ['SHIFT', 'CURTAIL'] as const) {
      expect(orderProblem(flex(kind), { period: null, heldBefore: true })).toEqual({
        field: 'orderId',
        message: "no flex order fo-1 of yours, ordered or activated on an open request, covers this HEMS's metering point",
      });
      expect(orderProblem(draft({ kind }), { period: null, heldBefore: true })?.message).toBe("no contracted-power order cpo-1 in force covers this HEMS's metering point and is addressed to you");
    }
  });
});

describe('defaultExpiryMs', () => {
  it('gives the HEMS until the start, and at least five minutes, never beyond the end', () => {
    expect(defaultExpiryMs({ startMs: now + HOUR_MS, endMs: now + 2 * HOUR_MS }, now)).toBe(now + HOUR_MS);
    expect(defaultExpiryMs({ startMs: now - HOUR_MS, endMs: now + HOUR_MS }, now)).toBe(now + DEFAULT_ANSWER_MS);
    expect(defaultExpiryMs({ startMs: now + 60_000, endMs: now + HOUR_MS }, now)).toBe(now + DEFAULT_ANSWER_MS);
    expect(defaultExpiryMs({ startMs: now, endMs: now + 120_000 }, now)).toBe(now + 120_000);
  });
});

describe('transitionProblem', () => {
  const later = now + HOUR_MS;

  it('lets SENT become any outcome, ACKNOWLEDGED only EXECUTED or REJECTED', () => {
    for (const outcome of ['ACKNOWLEDGED', 'EXECUTED', 'REJECTED'] as const) expect(transitionProblem('SENT', outcome, later, now)).toBeNull();
    expect(transitionProblem('ACKNOWLEDGED', 'EXECUTED', later, now)).toBeNull();
    expect(transitionProblem('ACKNOWLEDGED', 'REJECTED', later, now)).toBeNull();
    expect(transitionProblem('ACKNOWLEDGED', 'ACKNOWLEDGED', later, now)).toMatch(/cannot become/);
  });

  it('keeps EXECUTED, REJECTED and EXPIRED final', () => {
    for (const status of ['EXECUTED', 'REJECTED', 'EXPIRED'] as const) {
      for (const outcome of ['ACKNOWLEDGED', 'EXECUTED', 'REJECTED'] as const) expect(transitionProblem(status, outcome, later, now)).toMatch(/cannot become/);
    }
  });

  it('takes no outcome for a SENT command past its expiry, but lets an acknowledged one finish', () => {
    expect(transitionProblem('SENT', 'ACKNOWLEDGED', now - 1, now)).toMatch(/expired/);
    expect(transitionProblem('SENT', 'ACKNOWLEDGED', now, now)).toBeNull();
    expect(transitionProblem('ACKNOWLEDGED', 'EXECUTED', now - 1, now)).toBeNull();
  });
});

describe('outcomeTime', () => {
  const issued = now - HOUR_MS;

  it('is now when not given, and the time given when it lies between the last event and now', () => {
    expect(outcomeTime(null, issued, now)).toEqual({ atMs: now });
    expect(outcomeTime(now - 60_000, issued, now)).toEqual({ atMs: now - 60_000 });
  });

  it("takes a HEMS's clock a little off as the nearest possible time", () => {
    expect(outcomeTime(now + OUTCOME_CLOCK_SKEW_MS, issued, now)).toEqual({ atMs: now });
    expect(outcomeTime(issued - OUTCOME_CLOCK_SKEW_MS, issued, now)).toEqual({ atMs: issued });
  });

  it('refuses a time farther in the future or before the last event', () => {
    expect(outcomeTime(now + OUTCOME_CLOCK_SKEW_MS + 1, issued, now)).toEqual({ problem: 'at is in the future' });
    expect(outcomeTime(issued - OUTCOME_CLOCK_SKEW_MS - 1, issued, now)).toHaveProperty('problem');
    expect(outcomeTime(Number.NaN, issued, now)).toHaveProperty('problem');
  });
});

describe('outcomeDetail', () => {
  it('trims, keeps nothing of blanks, refuses what is too long', () => {
    expect(outcomeDetail('  car not plugged in ')).toEqual({ detail: 'car not plugged in' });
    expect(outcomeDetail('   ')).toEqual({ detail: null });
    expect(outcomeDetail(null)).toEqual({ detail: null });
    expect(outcomeDetail('x'.repeat(MAX_DETAIL_LENGTH))).toEqual({ detail: 'x'.repeat(MAX_DETAIL_LENGTH) });
    expect(outcomeDetail('x'.repeat(MAX_DETAIL_LENGTH + 1))).toHaveProperty('problem');
  });
});

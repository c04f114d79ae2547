import { ISP_MS } from '../../schema/flexibility';
import { cancelledByClose, closeConflict, expiryProblem, ispProblems, ispsFromNeed, MAX_ISPS, periodOf, revisionConflict, sortedIsps, type IspDraft } from './flex-request.rules';

const NOW = Date.parse('2026-06-01T10:07:00Z');
const at = (iso: string) => Date.parse(iso);
const isp = (iso: string, minKw = 10, maxKw = 20): IspDraft => ({ startMs: at(iso), minKw, maxKw });
const messages = (isps: IspDraft[]) => ispProblems(isps, NOW).map((problem) => problem.message);

describe('flex request ISPs', () => {
  it('accepts ISPs on the grid, from now on, within the power bounds', () => {
    expect(ispProblems([isp('2026-06-01T10:15:00Z'), isp('2026-06-01T12:00:00Z', 0.001, 10_000)], NOW)).toEqual([]);
  });

  it('refuses an empty list, naming the field', () => {
    expect(ispProblems([], NOW)).toEqual([{ field: 'isps', message: 'at least one ISP is needed' }]);
  });

  it('takes 7 days of ISPs but not one more', () => {
    const week = Array.from({ length: MAX_ISPS }, (_, n) => ({ startMs: at('2026-06-02T00:00:00Z') + n * ISP_MS, minKw: 1, maxKw: 1 }));
    expect(MAX_ISPS).toBe(672);
    expect(ispProblems(week, NOW)).toEqual([]);
    expect(messages([...week, { startMs: at('2026-06-09T00:00:00Z'), minKw: 1, maxKw: 1 }])).toEqual(['at most 672 ISPs (7 days) per request']);
  });

  it('refuses a start off the 15-minute UTC grid', () => {
    expect(messages([isp('2026-06-01T10:20:00Z')])).toEqual(['ISP 2026-06-01T10:20:00.000Z is not on the 15-minute grid']);
    expect(messages([{ startMs: at('2026-06-01T10:15:00Z') + 1, minKw: 1, maxKw: 1 }])).toHaveLength(1);
  });

  it('refuses the same ISP twice', () => {
    expect(messages([isp('2026-06-01T10:15:00Z'), isp('2026-06-01T10:15:00Z')])).toEqual(['the ISP at 2026-06-01T10:15:00.000Z is given twice']);
  });

  it('refuses an ISP that started before now, even the current one', () => {
    expect(messages([isp('2026-06-01T10:00:00Z')])).toEqual(['the ISP at 2026-06-01T10:00:00.000Z has already started']);
    expect(ispProblems([{ startMs: NOW - (NOW % ISP_MS) + ISP_MS, minKw: 1, maxKw: 1 }], NOW)).toEqual([]);
  });

  it('refuses minKw below a watt, maxKw below minKw, and either above 10,000 kW', () => {
    expect(messages([isp('2026-06-01T10:15:00Z', 0.0009, 1)])).toEqual(['minKw of the ISP at 2026-06-01T10:15:00.000Z must be from 0.001 to 10000']);
    expect(messages([isp('2026-06-01T10:15:00Z', 0, 1)])).toHaveLength(1);
    expect(messages([isp('2026-06-01T10:15:00Z', 5, 4.999)])).toEqual(['maxKw of the ISP at 2026-06-01T10:15:00.000Z must be from its minKw to 10000']);
    expect(messages([isp('2026-06-01T10:15:00Z', 5, 10_000.001)])).toHaveLength(1);
    expect(messages([isp('2026-06-01T10:15:00Z', Number.NaN, 1)])).toHaveLength(2);
  });

  it('names the field it is given', () => {
    expect(ispProblems([], NOW, 'needId')[0]!.field).toBe('needId');
  });
});

describe('flex request period', () => {
  it('sorts the ISPs and spans from the first start to the end of the last ISP', () => {
    const sorted = sortedIsps([isp('2026-06-01T13:00:00Z'), isp('2026-06-01T11:00:00Z'), isp('2026-06-01T12:00:00Z')]);
    expect(sorted.map((row) => new Date(row.startMs).toISOString())).toEqual(['2026-06-01T11:00:00.000Z', '2026-06-01T12:00:00.000Z', '2026-06-01T13:00:00.000Z']);
    expect(periodOf(sorted)).toEqual({ startMs: at('2026-06-01T11:00:00Z'), endMs: at('2026-06-01T13:15:00Z') });
  });
});

describe('flex request expiry', () => {
  const start = at('2026-06-01T12:00:00Z');
  it('takes an expiry in the future up to the first ISP', () => {
    expect(expiryProblem(start, start, NOW)).toBeNull();
    expect(expiryProblem(NOW + 1, start, NOW)).toBeNull();
  });

  it('refuses an expiry now or past, or after the first ISP', () => {
    expect(expiryProblem(NOW, start, NOW)).toEqual({ field: 'expiresAt', message: 'expiresAt must be in the future' });
    expect(expiryProblem(start + 1, start, NOW)).toEqual({ field: 'expiresAt', message: 'expiresAt must be no later than the first ISP' });
  });
});

describe('ISPs from a flexibility need', () => {
  it("takes the need's intervals not yet started, min = max = its reduction", () => {
    const intervals = [
      { startMs: at('2026-06-01T10:00:00Z'), reductionKw: 30 },
      { startMs: at('2026-06-01T10:15:00Z'), reductionKw: 42.5 },
    ];
    expect(ispsFromNeed(intervals, NOW)).toEqual([{ startMs: at('2026-06-01T10:15:00Z'), minKw: 42.5, maxKw: 42.5 }]);
    expect(ispsFromNeed(intervals, at('2026-06-01T10:16:00Z'))).toEqual([]);
  });
});

describe('revising and closing', () => {
  const open = { status: 'OPEN' as const, expiresAtMs: NOW + 1, orderCount: 0 };
  it('revises an open request before its expiry and without orders only', () => {
    expect(revisionConflict(open, NOW)).toBeNull();
    expect(revisionConflict({ ...open, status: 'CLOSED' }, NOW)).toBe('the request is closed');
    expect(revisionConflict({ ...open, expiresAtMs: NOW }, NOW)).toMatch(/expired/);
    expect(revisionConflict({ ...open, orderCount: 1 }, NOW)).toMatch(/has orders/);
  });

  it('closes an open request only', () => {
    expect(closeConflict('OPEN')).toBeNull();
    expect(closeConflict('CLOSED')).toBe('the request is already closed');
  });

  it('cancels every live order, ORDERED or ACTIVATED, whose first ISP has not begun by the restore', () => {
    expect(cancelledByClose({ status: 'ORDERED', firstIspStartMs: NOW + 1 }, NOW)).toBe(true);
    expect(cancelledByClose({ status: 'ACTIVATED', firstIspStartMs: NOW + 1 }, NOW)).toBe(true);
    // Starting at the restore itself: no ISP of it lies before the restore, so none would be settled.
    expect(cancelledByClose({ status: 'ORDERED', firstIspStartMs: NOW }, NOW)).toBe(true);
    expect(cancelledByClose({ status: 'ORDERED', firstIspStartMs: NOW - 1 }, NOW)).toBe(false);
    expect(cancelledByClose({ status: 'ACTIVATED', firstIspStartMs: NOW - 1 }, NOW)).toBe(false);
    expect(cancelledByClose({ status: 'SETTLED', firstIspStartMs: NOW + 1 }, NOW)).toBe(false);
    expect(cancelledByClose({ status: 'CANCELLED', firstIspStartMs: NOW + 1 }, NOW)).toBe(false);
  });
});

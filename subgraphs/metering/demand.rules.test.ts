import type { Identity } from '../../schema/identity';
import { AGGREGATES_SCOPE, demandAccess, DemandScopeKind, parseDemandScope, Resolution, windowProblem, type DemandScope } from './demand.rules';

const caller = (role: Identity['role'], organisationId: string, scopes: string[] = []): Identity => ({ keyId: 'k', organisationId, role, scopes });
const feeder: DemandScope = { kind: 'area', scopeKind: DemandScopeKind.Feeder, id: 'F1' };
const points: DemandScope = { kind: 'points', meteringPointIds: ['a', 'b'] };
const day = Date.parse('2026-11-20T00:00:00Z');

describe('windowProblem', () => {
  it('accepts a day of quarter-hours', () => {
    expect(windowProblem(day, day + 86_400_000, Resolution.PT15M)).toBeNull();
  });

  it('rejects an empty or reversed window, misalignment and more than a year of buckets', () => {
    expect(windowProblem(day, day, Resolution.PT1H)).toBe('to must be after from');
    expect(windowProblem(day + 60_000, day + 86_400_000, Resolution.PT1H)).toMatch(/aligned/);
    expect(windowProblem(day, day + 400 * 86_400_000, Resolution.PT15M)).toMatch(/at most/);
    expect(windowProblem(day, day + 400 * 86_400_000, Resolution.P1D)).toBeNull();
  });
});

describe('demandAccess', () => {
  it('lets the DSO read any aggregate, however small', () => {
    expect(demandAccess(caller('dso', 'dso'), feeder, 1, false)).toEqual({ allowed: true, restrictToRetailer: null });
  });

  it('gives a retailer its own points in detail, restricted to its supply periods, even a single one', () => {
    expect(demandAccess(caller('retailer', 'r1'), points, 1, true)).toEqual({ allowed: true, restrictToRetailer: 'r1' });
    expect(demandAccess(caller('retailer', 'r1'), points, 2, false).allowed).toBe(false);
  });

  it("gives a retailer area totals only over 10 points or more, and never another retailer's portfolio", () => {
    expect(demandAccess(caller('retailer', 'r1'), feeder, 9, false).allowed).toBe(false);
    expect(demandAccess(caller('retailer', 'r1'), feeder, 10, false).allowed).toBe(true);
    expect(demandAccess(caller('retailer', 'r1'), { kind: 'retailer', retailerId: 'r2' }, 5000, false).allowed).toBe(false);
    expect(demandAccess(caller('retailer', 'r1'), { kind: 'retailer', retailerId: 'r1' }, 5000, false).allowed).toBe(true);
  });

  it('refuses stakeholders without the aggregates scope, and aggregates of fewer than 10 points', () => {
    expect(demandAccess(caller('researcher', 'ist'), feeder, 100, false).allowed).toBe(false);
    expect(demandAccess(caller('researcher', 'ist', [AGGREGATES_SCOPE]), feeder, 100, false).allowed).toBe(true);
    expect(demandAccess(caller('tso', 'ren', [AGGREGATES_SCOPE]), { kind: 'points', meteringPointIds: [] }, 9, false).allowed).toBe(false);
    expect(demandAccess(caller('tso', 'ren', [AGGREGATES_SCOPE]), { kind: 'points', meteringPointIds: [] }, 10, false).allowed).toBe(true);
  });

  it("lets only the regulator among stakeholders read a retailer's totals", () => {
    const scope: DemandScope = { kind: 'retailer', retailerId: 'r1' };
    expect(demandAccess(caller('regulator', 'erse', [AGGREGATES_SCOPE]), scope, 5000, false).allowed).toBe(true);
    expect(demandAccess(caller('tso', 'ren', [AGGREGATES_SCOPE]), scope, 5000, false).allowed).toBe(false);
  });
});

describe('parseDemandScope', () => {
  it('reads each way of naming a scope', () => {
    expect(parseDemandScope({ network: true })).toEqual({ kind: 'area', scopeKind: DemandScopeKind.Network, id: '' });
    expect(parseDemandScope({ feederId: 'F1' })).toEqual({ kind: 'area', scopeKind: DemandScopeKind.Feeder, id: 'F1' });
    expect(parseDemandScope({ retailerId: 'r1' })).toEqual({ kind: 'retailer', retailerId: 'r1' });
    expect(parseDemandScope({ meteringPointIds: ['a', 'a', 'b'] })).toEqual({ kind: 'points', meteringPointIds: ['a', 'b'] });
  });

  it('refuses none, two at once and an empty point set', () => {
    expect(typeof parseDemandScope({})).toBe('string');
    expect(typeof parseDemandScope({ network: true, feederId: 'F1' })).toBe('string');
    expect(typeof parseDemandScope({ meteringPointIds: [] })).toBe('string');
  });
});

import type { Identity } from '../../schema/identity';
import { bucketOf, demandPlan, DemandScopeKind, parseDemandScope, Resolution, seriesFrame, windowProblem, type DemandScope } from './demand.rules';

const caller = (role: Identity['role'], organisationId: string): Identity => ({ keyId: 'k', organisationId, role, scopes: [] });
const feeder: DemandScope = { kind: 'area', scopeKind: DemandScopeKind.Feeder, id: 'F1' };
const points: DemandScope = { kind: 'points', meteringPointIds: ['a', 'b'] };
const day = Date.parse('2026-11-20T00:00:00Z');
const DAY_MS = 86_400_000;

describe('windowProblem', () => {
  it('accepts a day of quarter-hours and ten years of days', () => {
    expect(windowProblem(day, day + DAY_MS, Resolution.PT15M)).toBeNull();
    expect(windowProblem(day, day + 3_660 * DAY_MS, Resolution.P1D)).toBeNull();
  });

  it('rejects an empty or reversed window and misalignment', () => {
    expect(windowProblem(day, day, Resolution.PT1H)).toBe('to must be after from');
    expect(windowProblem(day + 60_000, day + DAY_MS, Resolution.PT1H)).toMatch(/aligned/);
  });

  it('caps the window per resolution, and says which resolution takes a longer one', () => {
    expect(windowProblem(day, day + 93 * DAY_MS, Resolution.PT15M)).toMatch(/at most 92 days; use resolution PT1H or P1D/);
    expect(windowProblem(day, day + 367 * DAY_MS, Resolution.PT1H)).toMatch(/at most 366 days; use resolution P1D/);
    expect(windowProblem(day, day + 366 * DAY_MS, Resolution.PT1H)).toBeNull();
  });
});

describe('seriesFrame and bucketOf', () => {
  it('counts quarter-hours and hours from the start of the bucket from falls in', () => {
    expect(seriesFrame({ fromMs: day, toMs: day + DAY_MS, resolution: Resolution.PT15M })).toEqual({ startMs: day, length: 96 });
    expect(seriesFrame({ fromMs: day + 45 * 60_000, toMs: day + 3 * 3_600_000, resolution: Resolution.PT1H })).toEqual({ startMs: day, length: 3 });
  });

  it('counts Lisbon local days, 23 and 25 hours long across the summer-time changes', () => {
    // Summer time started on 29 March 2026 and ended on 25 October 2026 (Lisbon is UTC+0 in winter).
    const spring = seriesFrame({ fromMs: Date.parse('2026-03-28T00:00:00Z'), toMs: Date.parse('2026-03-30T23:00:00Z'), resolution: Resolution.P1D });
    expect(spring).toEqual({ startMs: Date.parse('2026-03-28T00:00:00Z'), length: 3 });
    const summer = seriesFrame({ fromMs: Date.parse('2026-07-01T10:00:00Z'), toMs: Date.parse('2026-07-02T23:00:00Z'), resolution: Resolution.P1D });
    expect(summer).toEqual({ startMs: Date.parse('2026-06-30T23:00:00Z'), length: 2 });
    expect(bucketOf(Date.parse('2026-10-25T23:45:00Z'), Resolution.P1D)).toBe(Date.parse('2026-10-25T00:00:00Z') - 3_600_000);
    expect(bucketOf(Date.parse('2026-10-26T00:00:00Z'), Resolution.P1D)).toBe(Date.parse('2026-10-26T00:00:00Z'));
  });
});

describe('demandPlan', () => {
  it('gives the DSO everything as it is stored', () => {
    for (const scope of [feeder, points, { kind: 'retailer', retailerId: 'r1' } as DemandScope]) expect(demandPlan(caller('dso', 'dso'), scope)).toEqual({ kind: 'all' });
  });

  it('answers a set of points only for parties that may read points one by one', () => {
    expect(demandPlan(caller('retailer', 'r1'), points)).toEqual({ kind: 'individual' });
    expect(demandPlan(caller('researcher', 'ist'), points)).toEqual({ kind: 'individual' });
    for (const role of ['regulator', 'tso', 'developer'] as const) expect(demandPlan(caller(role, 'x'), points).kind).toBe('refused');
  });

  it("gives a retailer's portfolio to that retailer as it is, to the regulator under the rules, and to nobody else", () => {
    const portfolio: DemandScope = { kind: 'retailer', retailerId: 'r1' };
    expect(demandPlan(caller('retailer', 'r1'), portfolio)).toEqual({ kind: 'own-portfolio' });
    expect(demandPlan(caller('retailer', 'r2'), portfolio).kind).toBe('refused');
    expect(demandPlan(caller('regulator', 'erse'), portfolio)).toEqual({ kind: 'disclosed', party: { kind: 'regulator' } });
    expect(demandPlan(caller('tso', 'ren'), portfolio).kind).toBe('refused');
  });

  it('puts every area question of a non-DSO party under the disclosure rules, as the party it is', () => {
    expect(demandPlan(caller('retailer', 'r1'), feeder)).toEqual({ kind: 'disclosed', party: { kind: 'retailer', retailerId: 'r1' } });
    expect(demandPlan(caller('aggregator', 'agg'), feeder)).toEqual({ kind: 'disclosed', party: { kind: 'consent', organisationId: 'agg' } });
    expect(demandPlan(caller('regulator', 'erse'), feeder)).toEqual({ kind: 'disclosed', party: { kind: 'regulator' } });
    expect(demandPlan(caller('tso', 'ren'), feeder)).toEqual({ kind: 'disclosed', party: { kind: 'public' } });
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

import { findLeak, type PartyPoint } from '../../../tools/testing/leak-checker';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { INTERVAL_MS } from '../reading.rules';

/**
 * The disclosure rules as a stranger meets them through the API, on a seeded parish with a
 * complete day of readings: what each party may obtain, and an exact check that everything it
 * can obtain for a quarter-hour, combined in any way, singles out no household.
 */

let t: TestHub;
let dsoKey: string;

// A fixed past day (a Monday), every metering point reporting every quarter-hour.
const DAY = Date.parse('2026-10-05T00:00:00Z');
const at = (quarter: number, day = DAY) => new Date(day + quarter * INTERVAL_MS).toISOString();
const NEXT_DAY = DAY + 96 * INTERVAL_MS;

const DEMAND = `query($scope: DemandScopeInput!, $from: DateTime!, $to: DateTime!, $resolution: Resolution) {
  demand(scope: $scope, from: $from, to: $to, resolution: $resolution) { meteringPointCount points { intervalStart importWh readingCount withheld } }
}`;
interface DemandPoint {
  intervalStart: string;
  importWh: number | null;
  readingCount: number | null;
  withheld: string | null;
}
type DemandData = { demand: { meteringPointCount: number; points: DemandPoint[] } };

const importWhOf = (pointIndex: number, quarter: number) => 120 + ((pointIndex * 37 + quarter * 11) % 400);

async function ingestDay(day: number, points: readonly string[], idempotencyKey: string): Promise<void> {
  const readings = points.flatMap((meteringPointId, p) =>
    Array.from({ length: 96 }, (_, q) => ({ meteringPointId, intervalStart: at(q, day), importWh: importWhOf(p, q), exportWh: 0 })),
  );
  for (let i = 0; i < readings.length; i += 10_000) {
    const { body } = await t.graphql(`mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`, {
      key: dsoKey,
      variables: { input: { idempotencyKey: `${idempotencyKey}-${i}`, readings: readings.slice(i, i + 10_000) } },
    });
    expect(body.errors).toBeUndefined();
  }
}

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  dsoKey = await t.createKey('dso', 'dso');
  await ingestDay(DAY, t.parish.meteringPoints.map((point) => point.id), 'complete-day');
});

afterAll(() => t.stop());

const demand = async (key: string, scope: Record<string, unknown>, from = at(0), to = at(96), resolution = 'PT15M') => {
  const { body } = await t.graphql<DemandData>(DEMAND, { key, variables: { scope, from, to, resolution } });
  return body;
};

/** Every area of the parish, as the demand scope that names it, with the points it holds. */
function areas(): { scope: Record<string, unknown>; points: Set<string> }[] {
  const feederOf = new Map(t.parish.connections.map((c) => [c.meteringPointId, c.feederId]));
  const secondaryOf = new Map(t.parish.feeders.map((f) => [f.id, f.secondarySubstationId]));
  const primaryOf = new Map(t.parish.secondarySubstations.map((s) => [s.id, s.primarySubstationId]));
  const pointsWhere = (test: (feederId: string) => boolean) =>
    new Set(t.parish.meteringPoints.filter((p) => feederOf.has(p.id) && test(feederOf.get(p.id)!)).map((p) => p.id));
  return [
    { scope: { network: true }, points: new Set(t.parish.meteringPoints.map((p) => p.id)) },
    ...t.parish.primarySubstations.map((p) => ({ scope: { primarySubstationId: p.id }, points: pointsWhere((f) => primaryOf.get(secondaryOf.get(f)!) === p.id) })),
    ...t.parish.secondarySubstations.map((s) => ({ scope: { secondarySubstationId: s.id }, points: pointsWhere((f) => secondaryOf.get(f) === s.id) })),
    ...t.parish.feeders.map((f) => ({ scope: { feederId: f.id }, points: pointsWhere((id) => id === f.id) })),
  ];
}

/** The retailer whose contract is in force for each point at `atMs`. */
function retailerAt(atMs: number): Map<string, string> {
  const byPoint = new Map<string, string>();
  for (const c of t.parish.supplyContracts) {
    if (c.validFrom.getTime() <= atMs && (c.validTo === null || c.validTo.getTime() > atMs)) byPoint.set(c.meteringPointId, c.retailerId);
  }
  return byPoint;
}

/**
 * Everything a party gets for one quarter-hour: each area's total, and each retailer's when it
 * asks for those too; the sets of points behind the totals it was given.
 */
async function everythingFor(key: string, quarter: number, withRetailers: boolean): Promise<{ published: Set<string>[]; withheld: string[] }> {
  const inForce = retailerAt(DAY + quarter * INTERVAL_MS);
  const retailers = [...new Set(inForce.values())];
  const scopes = [
    ...areas(),
    ...(withRetailers ? retailers.map((retailerId) => ({ scope: { retailerId }, points: new Set([...inForce].filter(([, r]) => r === retailerId).map(([p]) => p)) })) : []),
  ];
  const published: Set<string>[] = [];
  const withheld: string[] = [];
  for (const { scope, points } of scopes) {
    const body = await demand(key, scope, at(quarter), at(quarter + 1));
    expect(body.errors).toBeUndefined();
    const [bucket] = body.data!.demand.points;
    if (bucket!.importWh === null) {
      // Never a smaller number: a withheld bucket says why, with nothing else.
      expect(bucket).toEqual({ intervalStart: at(quarter), importWh: null, readingCount: null, withheld: expect.stringMatching(/^(TOO_FEW_POINTS|COMPLEMENTARY)$/) });
      withheld.push(JSON.stringify(scope));
    } else {
      expect(bucket!.withheld).toBeNull();
      published.push(points);
    }
  }
  return { published, withheld };
}

describe('demand for parties that may not see households', () => {
  it('gives the regulator the whole parish, each quarter-hour equal to the sum of the readings', async () => {
    const key = await t.createKey('regulator', 'erse');
    const body = await demand(key, { network: true });
    expect(body.errors).toBeUndefined();
    expect(body.data!.demand.points).toHaveLength(96);
    body.data!.demand.points.forEach((point, q) => {
      expect(point.withheld).toBeNull();
      expect(point.importWh).toBe(t.parish.meteringPoints.reduce((sum, _, p) => sum + importWhOf(p, q), 0));
      expect(point.readingCount).toBe(t.parish.meteringPoints.length);
    });
  });

  it('refuses the regulator a set of points: ten and ten plus one would be one household', async () => {
    const key = await t.createKey('regulator', 'erse');
    const ten = t.parish.meteringPoints.slice(0, 10).map((p) => p.id);
    for (const ids of [ten, [...ten, t.parish.meteringPoints[10]!.id]]) {
      const body = await demand(key, { meteringPointIds: ids });
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(body.data ?? null).toBeNull();
    }
  });

  it('lets no combination of all the areas and retailer totals the regulator receives single out fewer than ten households', async () => {
    const key = await t.createKey('regulator', 'erse');
    const { published, withheld } = await everythingFor(key, 40, true);
    // Useful as well as safe: the network and every retailer's portfolio are given.
    expect(published.length).toBeGreaterThan(1 + new Set(retailerAt(DAY).values()).size - 1);
    expect(withheld.length).toBeGreaterThan(0);
    const points: PartyPoint[] = t.parish.meteringPoints.map((p) => ({ id: p.id, feeder: null, retailer: null, known: false }));
    expect(findLeak(points, published, 10)).toBeNull();
    // The check has teeth: in this parish a threshold on each total alone would give households away.
    const inForce = retailerAt(DAY + 40 * INTERVAL_MS);
    const naive = [
      ...areas().map((area) => area.points),
      ...[...new Set(inForce.values())].map((r) => new Set([...inForce].filter(([, of]) => of === r).map(([p]) => p))),
    ].filter((set) => set.size >= 10);
    expect(findLeak(points, naive, 10)).not.toBeNull();
  });

  it("lets no combination of a retailer's area totals and its own customers' curves single out another retailer's household", async () => {
    const retailer = 'ret-edpc';
    const key = await t.createKey('retailer', retailer);
    const { published } = await everythingFor(key, 40, false);
    const own = retailerAt(DAY + 40 * INTERVAL_MS);
    const points: PartyPoint[] = t.parish.meteringPoints.map((p) => ({ id: p.id, feeder: null, retailer: null, known: own.get(p.id) === retailer }));
    expect(findLeak(points, published, 10)).toBeNull();
    // Its own point set is its own business: that is not an aggregate it is refused.
    const mine = [...own].filter(([, r]) => r === retailer).map(([p]) => p);
    expect((await demand(key, { meteringPointIds: mine.slice(0, 3) })).errors).toBeUndefined();
  });

  it('withholds a feeder whose substation total minus its siblings would give away a small neighbour, and keeps the substation', async () => {
    const key = await t.createKey('tso', 'ren');
    const sizes = new Map<string, number>();
    for (const c of t.parish.connections) sizes.set(c.feederId, (sizes.get(c.feederId) ?? 0) + 1);
    const small = t.parish.feeders.find((f) => sizes.get(f.id)! < 10)!;
    expect(small).toBeDefined();
    const siblings = t.parish.feeders.filter((f) => f.secondarySubstationId === small.secondarySubstationId && f.id !== small.id);
    const reasons = async (scope: Record<string, unknown>) => (await demand(key, scope, at(40), at(41))).data!.demand.points[0]!.withheld;
    expect(await reasons({ feederId: small.id })).toBe('TOO_FEW_POINTS');
    expect(await reasons({ secondarySubstationId: small.secondarySubstationId })).toBeNull();
    const siblingReasons = await Promise.all(siblings.map((f) => reasons({ feederId: f.id })));
    expect(siblingReasons).toContain('COMPLEMENTARY');
    // The DSO sees every total, the small feeder included.
    expect((await demand(dsoKey, { feederId: small.id }, at(40), at(41))).data!.demand.points[0]).toMatchObject({ withheld: null, readingCount: sizes.get(small.id) });
  });

  it('gives an area only in quarter-hours where every point in force reported, so a late reading never shows as a difference', async () => {
    const key = await t.createKey('regulator', 'erse');
    const [late, ...rest] = t.parish.meteringPoints.map((p) => p.id);
    await ingestDay(NEXT_DAY, rest, 'all-but-one');
    const before = await demand(key, { network: true }, at(0, NEXT_DAY), at(4, NEXT_DAY));
    expect(before.data!.demand.points.map((p) => p.withheld)).toEqual(['INCOMPLETE', 'INCOMPLETE', 'INCOMPLETE', 'INCOMPLETE']);
    expect(before.data!.demand.points.every((p) => p.importWh === null && p.readingCount === null)).toBe(true);
    // An hour holding one incomplete quarter-hour is withheld as a whole.
    await t.graphql(`mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`, {
      key: dsoKey,
      variables: { input: { idempotencyKey: 'late-first-quarters', readings: [0, 1, 2].map((q) => ({ meteringPointId: late!, intervalStart: at(q, NEXT_DAY), importWh: 50, exportWh: 0 })) } },
    });
    const hourly = await demand(key, { network: true }, at(0, NEXT_DAY), at(8, NEXT_DAY), 'PT1H');
    expect(hourly.data!.demand.points.map((p) => p.withheld)).toEqual(['INCOMPLETE', 'INCOMPLETE']);
    const quarters = await demand(key, { network: true }, at(0, NEXT_DAY), at(4, NEXT_DAY));
    expect(quarters.data!.demand.points.map((p) => p.withheld)).toEqual([null, null, null, 'INCOMPLETE']);
  });

  it('withholds as INCOMPLETE an hour and a day of which a quarter-hour has not arrived at all, though those that did are complete', async () => {
    const key = await t.createKey('regulator', 'erse');
    const day = NEXT_DAY + 96 * INTERVAL_MS;
    const points = t.parish.meteringPoints.map((p) => p.id);
    // Every point's first three quarter-hours of the hour; its fourth from nobody yet.
    const readings = points.flatMap((meteringPointId, p) => [0, 1, 2].map((q) => ({ meteringPointId, intervalStart: at(q, day), importWh: importWhOf(p, q), exportWh: 0 })));
    const ingested = await t.graphql(`mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`, {
      key: dsoKey,
      variables: { input: { idempotencyKey: 'three-quarters-of-an-hour', readings } },
    });
    expect(ingested.body.errors).toBeUndefined();
    const primary = { primarySubstationId: t.parish.primarySubstations[0]!.id };
    for (const scope of [{ network: true }, primary]) {
      // The three quarter-hours are complete, each given: only the missing one keeps the hour back.
      const quarters = await demand(key, scope, at(0, day), at(4, day));
      expect(quarters.data!.demand.points.map((p) => [p.intervalStart, p.withheld])).toEqual([0, 1, 2].map((q) => [at(q, day), null]));
      const hourly = await demand(key, scope, at(0, day), at(4, day), 'PT1H');
      expect(hourly.data!.demand.points).toEqual([{ intervalStart: at(0, day), importWh: null, readingCount: null, withheld: 'INCOMPLETE' }]);
    }
    // The Lisbon day holding them (it starts at 23:00 UTC the evening before: summer time).
    const daily = await demand(key, { network: true }, new Date(day - 3_600_000).toISOString(), new Date(day + 23 * 3_600_000).toISOString(), 'P1D');
    expect(daily.data!.demand.points).toEqual([{ intervalStart: new Date(day - 3_600_000).toISOString(), importWh: null, readingCount: null, withheld: 'INCOMPLETE' }]);
    // The DSO sees the three quarter-hours' total.
    const dso = await demand(dsoKey, { network: true }, at(0, day), at(4, day), 'PT1H');
    expect(dso.data!.demand.points[0]).toMatchObject({ withheld: null, readingCount: 3 * points.length });
  });
});

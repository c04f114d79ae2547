import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';

/**
 * A consent opens a point only inside its period, the point's present state included; and who
 * may read a point's access log is a matter of scopes, not of role alone.
 */

let t: TestHub;
let dsoKey: string;
let household: { id: string; retailerId: string };

const DAY_MS = 86_400_000;
const GRANT = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id state from } }`;
const POINT = `query($id: ID!) { meteringPoint(id: $id) { id contractedPowerKva customerClass } }`;
const POINTS = `{ meteringPoints(first: 100) { totalCount edges { node { id } } } }`;
const LOG = `query($id: ID!) { dataAccessLog(meteringPointId: $id) { totalCount } }`;
type PointData = { meteringPoint: { id: string; contractedPowerKva: number | null; customerClass: string | null } | null };
type PointsData = { meteringPoints: { totalCount: number; edges: { node: { id: string } }[] } };

beforeAll(async () => {
  t = await startTestHub({ customers: 20 });
  dsoKey = await t.createKey('dso', 'dso');
  household = t.parish.meteringPoints[0]!;
});

afterAll(() => t.stop());

describe('a consent for a period still to come', () => {
  it("shows the aggregator nothing of the point until the period begins, then the point and its present state", async () => {
    const aggregatorKey = await t.createKey('aggregator', 'agg-flexpt');
    const tomorrow = new Date(Date.now() + DAY_MS).toISOString();
    const granted = await t.graphql<{ grantConsent: { id: string; state: string } }>(GRANT, {
      key: dsoKey,
      variables: { input: { meteringPointId: household.id, organisationId: 'agg-flexpt', scopes: ['metering:read'], from: tomorrow, to: new Date(Date.now() + 30 * DAY_MS).toISOString() } },
    });
    expect(granted.body.errors).toBeUndefined();

    const before = await t.graphql<PointData>(POINT, { key: aggregatorKey, variables: { id: household.id } });
    expect(before.body.data?.meteringPoint ?? null).toBeNull();
    expect(before.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const listedBefore = await t.graphql<PointsData>(POINTS, { key: aggregatorKey });
    expect(listedBefore.body.data!.meteringPoints).toEqual({ totalCount: 0, edges: [] });

    // The period begins (the clock is the database's): the very next request opens the point.
    await t.database.handle.pool.query(`UPDATE hub.consents SET valid_from = now() - interval '1 second' WHERE id = $1`, [granted.body.data!.grantConsent.id]);
    const after = await t.graphql<PointData>(POINT, { key: aggregatorKey, variables: { id: household.id } });
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data!.meteringPoint).toEqual({ id: household.id, contractedPowerKva: expect.any(Number), customerClass: expect.any(String) });
    const listedAfter = await t.graphql<PointsData>(POINTS, { key: aggregatorKey });
    expect(listedAfter.body.data!.meteringPoints.edges.map((edge) => edge.node.id)).toEqual([household.id]);
  });
});

describe("a metering point's access log", () => {
  it('is refused to a DSO key without audit:read, consent:manage notwithstanding', async () => {
    const narrowed = await t.createKey('dso', 'dso', ['consent:manage']);
    const { body } = await t.graphql(LOG, { key: narrowed, variables: { id: household.id } });
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(body.errors?.[0]?.message).toMatch(/audit:read/);
  });

  it("is the DSO's with audit:read alone, for any point, and a missing one is NOT_FOUND", async () => {
    const auditor = await t.createKey('dso', 'dso', ['audit:read']);
    const { body } = await t.graphql<{ dataAccessLog: { totalCount: number } }>(LOG, { key: auditor, variables: { id: household.id } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.dataAccessLog.totalCount).toEqual(expect.any(Number));
    const missing = await t.graphql(LOG, { key: auditor, variables: { id: 'PT0002999999999999ZZ' } });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("is a customer's for its own point with consent:manage, and NOT_FOUND for another's", async () => {
    const customerKey = await t.createKey('customer', household.id, ['consent:manage']);
    expect((await t.graphql(LOG, { key: customerKey, variables: { id: household.id } })).body.errors).toBeUndefined();
    const other = await t.graphql(LOG, { key: customerKey, variables: { id: t.parish.meteringPoints[1]!.id } });
    expect(other.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('granting a consent', () => {
  it('is NOT_FOUND for a point that does not exist, for the DSO too', async () => {
    const { body } = await t.graphql(GRANT, {
      key: dsoKey,
      variables: { input: { meteringPointId: 'PT0002999999999999ZZ', organisationId: 'agg-flexpt', scopes: ['metering:read'], from: new Date().toISOString(), to: new Date(Date.now() + DAY_MS).toISOString() } },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

import { ROLE_SCOPES } from '../../schema/access';
import { IDENTITY_HEADER, signIdentity } from '../../schema/identity';
import { flexRequestInput } from '../../tools/testing/flex-request-input';
import { pointsSuppliedBy, pointsSuppliedNowBy, postGraphQL, startTestHub, type TestHub } from '../../tools/testing/hub-fixture';

let t: TestHub;
let dsoKey: string;
let retailerId: string;
let retailerKey: string;

beforeAll(async () => {
  t = await startTestHub();
  retailerId = t.parish.organisations.find((org) => org.kind === 'retailer')!.id;
  dsoKey = await t.createKey('dso', 'dso');
  retailerKey = await t.createKey('retailer', retailerId);
});

afterAll(() => t.stop());

const pointsOf = (retailer: string) => pointsSuppliedBy(t.parish, retailer);
const pointsNeverSuppliedBy = (retailer: string) => {
  const supplied = new Set(pointsOf(retailer).map((point) => point.id));
  return t.parish.meteringPoints.filter((point) => !supplied.has(point.id));
};

describe('authentication at the gateway', () => {
  it('tells a caller who it is', async () => {
    const { status, body } = await t.graphql('{ me { organisationId role scopes keyId } }', { key: retailerKey });
    expect(status).toBe(200);
    expect(body.data).toEqual({ me: { organisationId: retailerId, role: 'RETAILER', scopes: [...ROLE_SCOPES.retailer], keyId: expect.stringMatching(/^key_/) } });
  });

  it('answers 401 UNAUTHENTICATED without a key', async () => {
    const { status, body } = await t.graphql('{ me { role } }');
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 to an unknown, well-formed key and to a malformed one', async () => {
    for (const key of [`mh_${'A'.repeat(32)}`, 'not-a-key']) {
      const { status, body } = await t.graphql('{ me { role } }', { key });
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('accepts the key in the x-api-key header too', async () => {
    const { status, body } = await postGraphQL<{ me: { role: string } }>(`${t.hub.url}/graphql`, '{ me { role } }', { 'x-api-key': dsoKey });
    expect(status).toBe(200);
    expect(body.data?.me.role).toBe('DSO');
  });

  it('refuses a key once it is revoked', async () => {
    const key = await t.createKey('developer', 'dev-sandbox');
    expect((await t.graphql('{ me { role } }', { key })).status).toBe(200);
    await t.database.handle.pool.query("UPDATE hub.api_keys SET revoked_at = now() WHERE display_prefix = $1", [key.slice(0, 9)]);
    expect((await t.graphql('{ me { role } }', { key })).status).toBe(401);
  });

  it('refuses an expired key', async () => {
    const key = await t.createKey('researcher', 'ist');
    await t.database.handle.pool.query("UPDATE hub.api_keys SET expires_at = now() - interval '1 second' WHERE display_prefix = $1", [key.slice(0, 9)]);
    expect((await t.graphql('{ me { role } }', { key })).status).toBe(401);
  });
});

describe('row-level access to metering points', () => {
  const listQuery = `query($first: Int, $after: String) {
    meteringPoints(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id retailerId contractedPowerKva secondarySubstation { id name } tariff { id kind } hems { id vendor devices { kind } } } }
    }
  }`;
  type ListData = {
    meteringPoints: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: { id: string; retailerId: string | null; secondarySubstation: { id: string } | null; tariff: { id: string } | null; hems: { id: string } | null } }[];
    };
  };

  it("pages through exactly the points a retailer supplies or supplied, with the present state of those it supplies now only", async () => {
    const own = pointsOf(retailerId);
    const ownIds = new Set(own.map((point) => point.id));
    const now = new Set(pointsSuppliedNowBy(t.parish, retailerId).map((point) => point.id));
    let former = 0;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: Awaited<ReturnType<typeof t.graphql<ListData>>> = await t.graphql<ListData>(listQuery, { key: retailerKey, variables: { first: 40, after } });
      expect(res.body.errors).toBeUndefined();
      const connection = res.body.data!.meteringPoints;
      expect(connection.totalCount).toBe(own.length);
      for (const edge of connection.edges) {
        expect(ownIds.has(edge.node.id)).toBe(true);
        if (now.has(edge.node.id)) {
          expect(edge.node).toMatchObject({ retailerId, secondarySubstation: { id: expect.any(String) }, tariff: { id: expect.any(String) } });
        } else {
          // A former supplier sees that the point exists, and nothing of its present.
          expect(edge.node).toMatchObject({ retailerId: null, contractedPowerKva: null, secondarySubstation: null, tariff: null, hems: null });
          former++;
        }
        seen.push(edge.node.id);
      }
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(own.map((point) => point.id).sort());
    expect(former).toBe(own.length - now.size);
  });

  it('shows the HEMS behind a point that has one and shares it with the retailer', async () => {
    const shared = new Set(t.parish.hemsSharing.filter((consent) => consent.organisationId === retailerId).map((consent) => consent.meteringPointId));
    const withHems = t.parish.hemsSystems.find((system) => shared.has(system.meteringPointId))!;
    const { body } = await t.graphql<{ meteringPoint: { hems: { id: string; devices: unknown[] } } }>(
      `query($id: ID!) { meteringPoint(id: $id) { hems { id devices { kind ratedPowerKw } } } }`,
      { key: retailerKey, variables: { id: withHems.meteringPointId } },
    );
    expect(body.data?.meteringPoint.hems.id).toBe(withHems.id);
    expect(body.data?.meteringPoint.hems.devices.length).toBe(t.parish.hemsDevices.filter((device) => device.hemsId === withHems.id).length);
  });

  it("shows no HEMS behind its own customer's point when the customer does not share it", async () => {
    const shared = new Set(t.parish.hemsSharing.map((consent) => consent.meteringPointId));
    const own = new Set(pointsOf(retailerId).filter((point) => point.retailerId === retailerId).map((point) => point.id));
    const unshared = t.parish.hemsSystems.find((system) => own.has(system.meteringPointId) && !shared.has(system.meteringPointId))!;
    const { body } = await t.graphql<{ meteringPoint: { id: string; hems: { id: string } | null } }>(`query($id: ID!) { meteringPoint(id: $id) { id hems { id } } }`, {
      key: retailerKey,
      variables: { id: unshared.meteringPointId },
    });
    expect(body.data?.meteringPoint).toEqual({ id: unshared.meteringPointId, hems: null });
  });

  it("answers NOT_FOUND for another retailer's point exactly as for a point that does not exist", async () => {
    const foreign = pointsNeverSuppliedBy(retailerId)[0]!.id;
    const query = `query($id: ID!) { meteringPoint(id: $id) { id retailerId } }`;
    const [theirs, missing] = await Promise.all([
      t.graphql(query, { key: retailerKey, variables: { id: foreign } }),
      t.graphql(query, { key: retailerKey, variables: { id: 'PT0002000000000000XX' } }),
    ]);
    for (const res of [theirs, missing]) {
      expect(res.body.data).toEqual({ meteringPoint: null });
      expect(res.body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    expect(theirs.body.errors?.[0]?.message).toBe(missing.body.errors?.[0]?.message);
  });

  it('lets the DSO see every metering point', async () => {
    const { body } = await t.graphql<ListData>('{ meteringPoints(first: 1) { totalCount } }', { key: dsoKey });
    expect(body.data?.meteringPoints.totalCount).toBe(t.parish.meteringPoints.length);
  });

  it('refuses a regulator any single metering point: its key has no metering:read', async () => {
    const key = await t.createKey('regulator', 'erse', ['aggregates:read']);
    const { body } = await t.graphql<ListData>('{ meteringPoints { totalCount edges { node { id } } } }', { key });
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(body.errors?.[0]?.message).toMatch(/metering:read/);
  });

  it('rejects a page size above the cap', async () => {
    const { body } = await t.graphql('{ meteringPoints(first: 100000) { totalCount } }', { key: dsoKey });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the gateway is the only door', () => {
  const entitiesQuery = '{ _entities(representations: [{ __typename: "MeteringPoint", id: "x" }]) { ... on MeteringPoint { id } } }';

  it('has every subgraph refuse a request without the signed identity, _entities included', async () => {
    for (const url of Object.values(t.hub.subgraphUrls)) {
      for (const query of ['{ me { role } }', entitiesQuery]) {
        const { status, body } = await postGraphQL(url, query, {});
        expect(status).toBe(401);
        expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        expect(body.data ?? null).toBeNull();
      }
    }
  });

  it('refuses an identity signed with another secret, an expired one, and one signed for another subgraph', async () => {
    const identity = { keyId: 'key_x', organisationId: 'dso', role: 'dso' as const, scopes: [...ROLE_SCOPES.dso] };
    const forged = signIdentity('a-secret-that-is-not-the-hub-secret-at-all', { identity, requestId: 'r1' }, 'metering', 30_000);
    const expired = signIdentity(t.identitySecret, { identity, requestId: 'r2' }, 'metering', 30_000, Date.now() - 61_000);
    // A header captured on its way to grid does not open metering.
    const elsewhere = signIdentity(t.identitySecret, { identity, requestId: 'r3' }, 'grid', 30_000);
    for (const header of [forged, expired, elsewhere]) {
      const { status } = await postGraphQL(t.hub.subgraphUrls.metering, '{ meteringPoints { totalCount } }', { [IDENTITY_HEADER]: header });
      expect(status).toBe(401);
    }
  });

  it('accepts a correctly signed identity (the gateway path works)', async () => {
    const identity = { keyId: 'key_x', organisationId: 'dso', role: 'dso' as const, scopes: [...ROLE_SCOPES.dso] };
    const header = signIdentity(t.identitySecret, { identity, requestId: 'r3' }, 'grid', 30_000);
    const { status, body } = await postGraphQL<{ me: { organisationId: string } }>(t.hub.subgraphUrls.grid, '{ me { organisationId } }', { [IDENTITY_HEADER]: header });
    expect(status).toBe(200);
    expect(body.data?.me.organisationId).toBe('dso');
  });
});

describe('errors', () => {
  it('masks an internal failure: no SQL, no stack, only the closed-set code', async () => {
    const point = pointsSuppliedNowBy(t.parish, retailerId)[0]!.id;
    await t.database.handle.pool.query('ALTER TABLE tariffs.assignments RENAME TO assignments_gone');
    try {
      const { body } = await t.graphql(`query($id: ID!) { meteringPoint(id: $id) { id tariff { id } } }`, { key: retailerKey, variables: { id: point } });
      const text = JSON.stringify(body);
      expect(body.errors?.length).toBeGreaterThan(0);
      for (const error of body.errors!) {
        expect(error.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        expect(Object.keys(error.extensions ?? {})).toEqual(['code']);
      }
      expect(text).not.toMatch(/assignments|select|relation|stack|at .*\.ts/i);
      expect(text).not.toContain(t.hub.subgraphUrls.tariffs);
    } finally {
      await t.database.handle.pool.query('ALTER TABLE tariffs.assignments_gone RENAME TO assignments');
    }
  });

  it('refuses an operation with more aliases than the limit before running it', async () => {
    const aliases = Array.from({ length: 151 }, (_, i) => `a${i}: me { role }`).join(' ');
    const { body } = await t.graphql(`{ ${aliases} }`, { key: dsoKey });
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/aliases/i);
  });

  it('answers BAD_USER_INPUT for a query that does not validate', async () => {
    const { body } = await t.graphql('{ meteringPoints { nope } }', { key: dsoKey });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('a DSO mutation', () => {
  const mutation = `mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id status isps { minKw } secondarySubstation { id name } } }`;
  const count = async () => Number((await t.database.handle.pool.query('SELECT count(*) FROM flexibility.flex_requests')).rows[0].count);
  const input = () => flexRequestInput(t.parish.secondarySubstations[0]!.id);

  it('creates a flexibility request and resolves its substation through grid', async () => {
    const before = await count();
    const { body } = await t.graphql<{ createFlexRequest: { status: string; secondarySubstation: { id: string; name: string } } }>(mutation, {
      key: dsoKey,
      variables: { input: input() },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.createFlexRequest.status).toBe('OPEN');
    expect(body.data?.createFlexRequest.secondarySubstation.name).toBe(t.parish.secondarySubstations[0]!.name);
    expect(await count()).toBe(before + 1);
  });

  it('is FORBIDDEN to a retailer and writes nothing', async () => {
    const before = await count();
    const { body } = await t.graphql(mutation, { key: retailerKey, variables: { input: input() } });
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count()).toBe(before);
  });

  it('rejects bad input with BAD_USER_INPUT and writes nothing', async () => {
    const before = await count();
    const [isp] = input().isps;
    for (const bad of [{ isps: [{ ...isp, minKw: -5 }] }, { expiresAt: new Date(Date.now() - 1000).toISOString() }, { congestionPointId: 'nowhere' }]) {
      const { body } = await t.graphql(mutation, { key: dsoKey, variables: { input: { ...input(), ...bad } } });
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await count()).toBe(before);
  });
});

describe('operations endpoints', () => {
  it('is live and ready when the database, the event transport and every subgraph answer', async () => {
    expect((await fetch(`${t.hub.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      database: true,
      eventBus: true,
      subgraphs: { metering: true, grid: true, tariffs: true, flexibility: true, hems: true },
    });
  });
});

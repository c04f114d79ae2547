import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';

/**
 * recordAccess's contract, kept by the kit's loggedFetch: one line per metering point whose
 * personal data a request returned. A point asked about that has no HEMS or no tariff returned
 * nothing of the kind, so it is not logged.
 */

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ customers: 60 });
}, 60_000);

afterAll(() => t.stop());

/** A DSO key of the test's own, so the access log's lines under it are the test's. */
async function freshDsoKey(): Promise<{ key: string; keyId: string }> {
  const key = await t.createKey('dso', 'dso');
  const keyId = (await t.graphql<{ me: { keyId: string } }>('{ me { keyId } }', { key })).body.data!.me.keyId;
  return { key, keyId };
}

async function logged(keyId: string, resource: string): Promise<string[]> {
  const { rows } = await t.database.handle.pool.query<{ id: string }>(
    'SELECT metering_point_id AS id FROM hub.access_log WHERE key_id = $1 AND resource = $2 ORDER BY 1',
    [keyId, resource],
  );
  return rows.map((row) => row.id);
}

it('logs the HEMS read only for the listed points whose HEMS it returned', async () => {
  // The DSO sees no household's HEMS outside an order; a retailer those shared with it.
  const retailerId = t.parish.hemsSharing[0]!.organisationId;
  const key = await t.createKey('retailer', retailerId);
  const keyId = (await t.graphql<{ me: { keyId: string } }>('{ me { keyId } }', { key })).body.data!.me.keyId;
  const answer = await t.graphql<{ meteringPoints: { edges: { node: { id: string; hems: { id: string } | null } }[] } }>(
    '{ meteringPoints(first: 60) { edges { node { id hems { id } } } } }',
    { key },
  );
  expect(answer.body.errors).toBeUndefined();
  const listed = new Set(answer.body.data!.meteringPoints.edges.map((edge) => edge.node.id));
  const shared = new Set(t.parish.hemsSharing.filter((consent) => consent.organisationId === retailerId).map((consent) => consent.meteringPointId));
  const withHems = t.parish.hemsSystems.map((system) => system.meteringPointId).filter((id) => listed.has(id) && shared.has(id)).sort();
  expect(answer.body.data!.meteringPoints.edges.filter((edge) => edge.node.hems).map((edge) => edge.node.id).sort()).toEqual(withHems);
  // The case needs both kinds of point among those listed.
  expect(withHems.length).toBeGreaterThan(0);
  expect(withHems.length).toBeLessThan(listed.size);
  expect(await logged(keyId, 'hems')).toEqual(withHems);
});

it('does not log the tariff of a point that is on none', async () => {
  const { key, keyId } = await freshDsoKey();
  const [without, withTariff] = t.parish.meteringPoints;
  await t.database.handle.pool.query('DELETE FROM tariffs.assignments WHERE metering_point_id = $1', [without!.id]);
  const answer = await t.graphql<{ a: { tariff: { id: string } | null }; b: { tariff: { id: string } | null } }>(
    'query($a: ID!, $b: ID!) { a: meteringPoint(id: $a) { tariff { id } } b: meteringPoint(id: $b) { tariff { id } } }',
    { key, variables: { a: without!.id, b: withTariff!.id } },
  );
  expect(answer.body.errors).toBeUndefined();
  expect(answer.body.data!.a.tariff).toBeNull();
  expect(answer.body.data!.b.tariff).not.toBeNull();
  expect(await logged(keyId, 'tariff')).toEqual([withTariff!.id]);
});

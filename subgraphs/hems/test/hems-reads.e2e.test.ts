import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { hemsFixture, type HemsFixture } from './shared-hems.fixture';

/** What each party reads of a HEMS beyond whether it sees it, and how much of it one operation may ask. */

let t: TestHub;
let f: HemsFixture;

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  f = await hemsFixture(t);
}, 60_000);

afterAll(() => t?.stop());

const SHARED_WITH = 'query($id: ID!) { hems(id: $id) { id sharedWithRetailerId meteringPoint { id retailerId } } }';

it('names the retailer a HEMS is shared with to the customer and that retailer, never to an aggregator', async () => {
  const hems = await f.sharedHems();
  const aggregator = t.parish.organisations.find((org) => org.kind === 'aggregator')!.id;
  await f.share(hems.pointId, aggregator);
  const asRetailer = await t.graphql<{ hems: { sharedWithRetailerId: string | null } }>(SHARED_WITH, { key: await f.keyFor('retailer', hems.retailerId), variables: { id: hems.hemsId } });
  expect(asRetailer.body.data?.hems.sharedWithRetailerId).toBe(hems.retailerId);
  const asCustomer = await t.graphql<{ hems: { sharedWithRetailerId: string | null } }>(SHARED_WITH, { key: await f.keyFor('customer', hems.pointId), variables: { id: hems.hemsId } });
  expect(asCustomer.body.data?.hems.sharedWithRetailerId).toBe(hems.retailerId);
  const asAggregator = await t.graphql<{ hems: { id: string; sharedWithRetailerId: string | null } }>(SHARED_WITH, { key: await f.keyFor('aggregator', aggregator), variables: { id: hems.hemsId } });
  expect(asAggregator.body.data?.hems).toMatchObject({ id: hems.hemsId, sharedWithRetailerId: null });
  expect(JSON.stringify(asAggregator.body)).not.toContain(hems.retailerId);
});

it('refuses before it runs an operation asking for more availableFlexibility reads than the budget holds, and runs ten', async () => {
  const hems = await f.sharedHems();
  const substationId = t.parish.feeders.find((feeder) => feeder.id === hems.feederId)!.secondarySubstationId;
  const key = await f.keyFor('retailer', hems.retailerId);
  const from = Math.ceil(Date.now() / 900_000) * 900_000;
  const aliases = (n: number) =>
    `query($s: ID!, $from: DateTime!, $to: DateTime!) { ${Array.from({ length: n }, (_, i) => `a${i}: availableFlexibility(scope: { secondarySubstationId: $s }, from: $from, to: $to) { reductionKw }`).join(' ')} }`;
  const variables = { s: substationId, from: new Date(from).toISOString(), to: new Date(from + 7 * 86_400_000).toISOString() };
  const ten = await t.graphql<Record<string, unknown[]>>(aliases(10), { key, variables });
  expect(ten.body.errors).toBeUndefined();
  expect(Object.keys(ten.body.data!)).toHaveLength(10);
  const eleven = await t.graphql(aliases(11), { key, variables });
  expect(eleven.body.data ?? null).toBeNull();
  expect(eleven.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  expect(eleven.body.errors?.[0]?.message).toMatch(/availableFlexibility/);
});

import { ROLE_SCOPES } from '../../../schema/access';
import { IDENTITY_HEADER, signIdentity } from '../../../schema/identity';
import { flexibilityNeedAt, ISP_1, ISP_2, iso, marketFixture, type MarketFixture } from '../../flexibility/test/flex-market.fixture';
import { postGraphQL, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';

/**
 * The chain need → request, across subgraphs: FlexRequest.need is grid's FlexibilityNeed
 * (its run, its intervals), resolved by grid under the same area rule as PowerFlowRun.flexibilityNeeds.
 */

let t: TestHub;
let f: MarketFixture;

beforeAll(async () => {
  t = await startTestHub();
  f = await marketFixture(t);
}, 60_000);

afterAll(() => t.stop());

const READ = `query($id: ID!) { flexRequest(id: $id) { needId need { id runId intervals { intervalStart reductionKw } } } }`;
type Read = { flexRequest: { needId: string | null; need: { id: string; runId: string; intervals: { intervalStart: string; reductionKw: number }[] } | null } | null };

async function requestFromNeed(): Promise<{ requestId: string; needId: string; runId: string }> {
  const feeder = t.parish.feeders.find((candidate) => candidate.id === f.feederId)!;
  const needId = await flexibilityNeedAt(t, { feederId: feeder.id, secondarySubstationId: feeder.secondarySubstationId }, [
    { startMs: ISP_1(), kw: 4.5 },
    { startMs: ISP_2(), kw: 3 },
  ]);
  const { body } = await t.graphql<{ createFlexRequest: { id: string } }>(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
    key: f.dsoKey,
    variables: { input: { congestionPointId: feeder.id, isps: [], expiresAt: iso(Date.now() + 3_600_000), needId } },
  });
  expect(body.errors).toBeUndefined();
  const { rows } = await f.sql(`SELECT run_id FROM grid.flexibility_needs WHERE id = $1`, [needId]);
  return { requestId: body.data!.createFlexRequest.id, needId, runId: String(rows[0]!.run_id) };
}

describe("a request's need", () => {
  it('takes the DSO, and a retailer the request was published to, from the request to the need, its run and its intervals', async () => {
    const { requestId, needId, runId } = await requestFromNeed();
    const expected = {
      needId,
      need: {
        id: needId,
        runId,
        intervals: [
          { intervalStart: iso(ISP_1()), reductionKw: 4.5 },
          { intervalStart: iso(ISP_2()), reductionKw: 3 },
        ],
      },
    };
    for (const key of [f.dsoKey, f.retailer.key]) {
      const { body } = await t.graphql<Read>(READ, { key, variables: { id: requestId } });
      expect(body.errors).toBeUndefined();
      expect(body.data!.flexRequest).toEqual(expected);
    }
  });

  it('is NOT_FOUND, with the request, for a retailer it was not published to', async () => {
    const { requestId, needId } = await requestFromNeed();
    const { body } = await t.graphql<Read>(READ, { key: f.outsider.key, variables: { id: requestId } });
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(JSON.stringify(body)).not.toContain(needId);
  });

  it('is null for a request without one', async () => {
    const requestId = await f.createRequest([{ startMs: ISP_1(), minKw: 1, maxKw: 1 }]);
    const { body } = await t.graphql<Read>(READ, { key: f.dsoKey, variables: { id: requestId } });
    expect(body.data!.flexRequest).toEqual({ needId: null, need: null });
  });

  it('resolves at grid only for a caller who may see its area: null for an aggregator with no customer behind it', async () => {
    const { needId } = await requestFromNeed();
    const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on FlexibilityNeed { id runId intervals { reductionKw } } } }`;
    const keyIdOf = async (key: string) => (await t.graphql<{ me: { keyId: string } }>('{ me { keyId } }', { key })).body.data!.me.keyId;
    const ask = async (party: { id: string; key: string }, role: 'retailer' | 'aggregator' = 'retailer') => {
      const identity = { keyId: await keyIdOf(party.key), organisationId: party.id, role, scopes: [...ROLE_SCOPES[role]] };
      const headers = { [IDENTITY_HEADER]: signIdentity(t.identitySecret, { identity, requestId: `need-${party.id}` }, 'grid', 30_000) };
      return postGraphQL<{ _entities: unknown[] }>(t.hub.subgraphUrls.grid, ENTITIES, headers, { representations: [{ __typename: 'FlexibilityNeed', id: needId }, { __typename: 'FlexibilityNeed', id: 'need-none' }] });
    };
    // An aggregator holding no consent: no customer behind any substation, so no area to see.
    await f.sql(`INSERT INTO hub.organisations (id, name, kind) VALUES ('agg-need-test', 'No customers', 'aggregator')`);
    const outsider = await ask({ id: 'agg-need-test', key: await t.createKey('aggregator', 'agg-need-test') }, 'aggregator');
    expect(outsider.body.errors).toBeUndefined();
    expect(outsider.body.data!._entities).toEqual([null, null]);
    const retailer = await ask(f.retailer);
    expect(retailer.body.data!._entities).toEqual([{ id: needId, runId: expect.any(String), intervals: [{ reductionKw: 4.5 }, { reductionKw: 3 }] }, null]);
  });
});

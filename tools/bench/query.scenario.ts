import { ROLE_SCOPES } from '../../schema/access';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../schema/identity';
import type { SubgraphName } from '../../schema/subgraphs';
import { postGraphQL } from '../testing/hub-fixture';
import { percentile, round, timeOnce } from './stats';
import type { Scenario } from './scenario';
import { openBenchHub } from './bench-hub';

const RUNS = 200;
const WARMUP = 30;
const PAGE = 100;

const GATEWAY_QUERY = `{ meteringPoints(first: ${PAGE}) { edges { node { id contractedPowerKva secondarySubstation { name } tariff { name } } } } }`;
const METERING_QUERY = `{ meteringPoints(first: ${PAGE}) { edges { node { __typename id contractedPowerKva } } } }`;
const entitiesQuery = (selection: string) =>
  `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on MeteringPoint { ${selection} } } }`;

type Page = { meteringPoints: { edges: { node: { __typename: string; id: string } }[] } };

/**
 * A federated query of 100 metering points with fields from three subgraphs (metering, grid,
 * tariffs) through the gateway, against the floor: the same three subgraph calls made directly,
 * in the same order and parallelism as the query plan, with a pre-signed identity.
 */
export const queryScenario: Scenario = {
  name: 'query',
  description: 'gateway vs direct subgraph calls for 100 metering points with fields from 3 subgraphs',
  async run({ customers }) {
    const { hub, identitySecret, createKey, close } = await openBenchHub(customers);
    try {
      const { key, keyId } = await createKey('dso', 'dso');
      const identity: Identity = { keyId, organisationId: 'dso', role: 'dso', scopes: [...ROLE_SCOPES.dso] };
      const gatewayUrl = `${hub.url}/graphql`;

      const viaGateway = async () => {
        const { body } = await postGraphQL<Page>(gatewayUrl, GATEWAY_QUERY, { authorization: `Bearer ${key}` });
        if (body.errors) throw new Error(body.errors[0]!.message);
      };
      // As the gateway does: one identity header per subgraph (its audience).
      const headersFor = (subgraph: SubgraphName) => ({ [IDENTITY_HEADER]: signIdentity(identitySecret, { identity, requestId: 'bench' }, subgraph, 30_000) });
      const direct = async () => {
        const page = await postGraphQL<Page>(hub.subgraphUrls.metering, METERING_QUERY, headersFor('metering'));
        const representations = page.body.data!.meteringPoints.edges.map((edge) => ({ __typename: 'MeteringPoint', id: edge.node.id }));
        await Promise.all([
          postGraphQL(hub.subgraphUrls.grid, entitiesQuery('secondarySubstation { name }'), headersFor('grid'), { representations }),
          postGraphQL(hub.subgraphUrls.tariffs, entitiesQuery('tariff { name }'), headersFor('tariffs'), { representations }),
        ]);
      };

      // Interleaved so that drift on a shared machine hits both sides alike.
      const gatewaySamples: number[] = [];
      const directSamples: number[] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const gatewayMs = await timeOnce(viaGateway);
        const directMs = await timeOnce(direct);
        if (i < WARMUP) continue;
        gatewaySamples.push(gatewayMs);
        directSamples.push(directMs);
      }
      const gatewayP50Ms = percentile(gatewaySamples, 50);
      const directP50Ms = percentile(directSamples, 50);
      return {
        metrics: { gatewayP50Ms: round(gatewayP50Ms), directP50Ms: round(directP50Ms), overheadRatio: round(gatewayP50Ms / directP50Ms) },
        table: [
          { path: 'gateway', p50Ms: round(gatewayP50Ms), p99Ms: round(percentile(gatewaySamples, 99)) },
          { path: 'direct (floor)', p50Ms: round(directP50Ms), p99Ms: round(percentile(directSamples, 99)) },
        ],
      };
    } finally {
      await close();
    }
  },
};

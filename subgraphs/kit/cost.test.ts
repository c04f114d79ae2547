import 'reflect-metadata';
import { getOperationAST, parse } from 'graphql';
import { buildFederatedSchema } from './subgraph';
import { operationCost } from './cost';
import { meteringSubgraph } from '../metering';
import { meteringCosts } from '../metering/metering.cost';

let schema: Awaited<ReturnType<typeof buildFederatedSchema>>;

beforeAll(async () => {
  schema = await buildFederatedSchema(meteringSubgraph);
});

const costOf = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, variables, meteringCosts);
};

describe('operationCost', () => {
  const day = { from: '2026-10-05T00:00:00Z', to: '2026-10-06T00:00:00Z' };

  it('multiplies a field by the page it is resolved on, with variables read as the resolvers read them', () => {
    const cost = costOf('query($from: DateTime!, $to: DateTime!) { meteringPoints(first: 50) { edges { node { loadCurve(from: $from, to: $to) { importWh } } } } }', day);
    expect(cost.total).toBe(50 * 96 * 10);
    expect(cost.heaviest).toMatchObject({ field: 'MeteringPoint.loadCurve', times: 50, each: 960 });
  });

  it('counts the default page when first is left out, and the representations of _entities', () => {
    expect(costOf('{ meteringPoints { edges { node { loadCurveSeries(from: "2026-10-05T00:00:00Z", to: "2026-10-06T00:00:00Z") { importWh } } } } }').total).toBe(100 * 96);
    const representations = Array.from({ length: 7 }, (_, i) => ({ __typename: 'MeteringPoint', id: `p${i}` }));
    const entities = costOf('query($r: [_Any!]!) { _entities(representations: $r) { ... on MeteringPoint { loadCurve(from: "2026-10-05T00:00:00Z", to: "2026-10-05T01:00:00Z") { importWh } } } }', { r: representations });
    expect(entities.total).toBe(7 * 4 * 10);
  });

  it('follows fragments, and prices coarser resolutions by their buckets', () => {
    const cost = costOf(
      'query { meteringPoints(first: 2) { edges { node { ...Curve } } } } fragment Curve on MeteringPoint { loadCurve(from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z", resolution: P1D) { importWh } }',
    );
    expect(cost.total).toBe(2 * 365 * 10);
  });

  it("multiplies a field's children by its FieldCost's fanOut, given the field's arguments, instead of the default", () => {
    const query = '{ meteringPoints(first: 50) { edges { node { loadCurve(from: "2026-10-05T00:00:00Z", to: "2026-10-06T00:00:00Z") { importWh } } } } }';
    const document = parse(query);
    const model = { ...meteringCosts, 'Query.meteringPoints': { cost: () => 0, advice: 'fewer', fanOut: (args: Record<string, unknown>) => Number(args.first) + 1 } };
    const cost = operationCost(schema, document, getOperationAST(document)!, {}, model);
    expect(cost.total).toBe(51 * 96 * 10);
    expect(cost.heaviest).toMatchObject({ field: 'MeteringPoint.loadCurve', times: 51 });
  });

  it('costs nothing for arguments that do not make a window: the resolver refuses those with its own message', () => {
    expect(costOf('{ meteringPoints { edges { node { loadCurve(from: "2026-10-06T00:00:00Z", to: "2026-10-05T00:00:00Z") { importWh } } } } }').total).toBe(0);
  });
});

import 'reflect-metadata';
import { getOperationAST, parse } from 'graphql';
import { operationCost } from '../kit/cost';
import { buildFederatedSchema } from '../kit/subgraph';
import { tariffsSubgraph } from '.';
import { tariffsCosts } from './tariffs.cost';

let schema: Awaited<ReturnType<typeof buildFederatedSchema>>;

beforeAll(async () => {
  schema = await buildFederatedSchema(tariffsSubgraph);
});

const costOf = (query: string) => {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, {}, tariffsCosts);
};

describe('the cost of listing pilot enrolments and critical-peak events', () => {
  it('is 10 per row of the page asked for, 100 rows when first is left out', () => {
    expect(costOf('{ pilotEnrolments(first: 1000) { edges { node { id } } } }')).toMatchObject({ total: 10_000, heaviest: { field: 'Query.pilotEnrolments', times: 1, each: 10_000 } });
    expect(costOf('{ pilotEnrolments { totalCount } }').total).toBe(1_000);
    expect(costOf('{ criticalPeakEvents(first: 250) { edges { node { id } } } }')).toMatchObject({ total: 2_500, heaviest: { field: 'Query.criticalPeakEvents' } });
    expect(costOf('{ criticalPeakEvents { totalCount } }').total).toBe(1_000);
  });
});

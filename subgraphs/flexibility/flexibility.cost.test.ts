import 'reflect-metadata';
import { getOperationAST, parse } from 'graphql';
import { operationCost } from '../kit/cost';
import { buildFederatedSchema } from '../kit/subgraph';
import { flexibilitySubgraph } from '.';
import { flexibilityCosts } from './flexibility.cost';

let schema: Awaited<ReturnType<typeof buildFederatedSchema>>;

beforeAll(async () => {
  schema = await buildFederatedSchema(flexibilitySubgraph);
});

const costOf = (query: string) => {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, {}, flexibilityCosts);
};

const BUDGET = 1_000_000;

describe('the cost of the flexibility market', () => {
  it("prices a page of requests' ISPs at a week of ISPs each: a hundred fit the budget, a thousand do not", () => {
    expect(costOf('{ flexRequests(first: 100) { edges { node { isps { start } } } } }').total).toBe(100 * 672 * 10);
    expect(costOf('{ flexRequests(first: 1000) { edges { node { isps { start } sufficiency { shortfallKw } } } } }')).toMatchObject({
      total: 2 * 1000 * 672 * 10,
      heaviest: { field: 'FlexRequest.isps', times: 1000 },
    });
    expect(costOf('{ flexRequests(first: 1000) { edges { node { isps { start } } } } }').total).toBeGreaterThan(BUDGET);
  });

  it("prices an order's settlement and a page of orders' offers the same way", () => {
    expect(costOf('{ flexOrders(first: 200) { edges { node { settlement { amountEur } offer { isps { kw } } } } } }').total).toBe(2 * 200 * 672 * 10);
  });

  it("multiplies what a request's offers and orders hold by the offers a request can have, not once per request", () => {
    // 50 offers a request (5 parties × at most 10 offers each), each with a week of ISPs.
    expect(costOf('{ flexRequests(first: 10) { edges { node { offers { isps { kw } } } } } }')).toMatchObject({
      total: 10 * 50 * 10 + 10 * 50 * 672 * 10,
      heaviest: { field: 'FlexOffer.isps', times: 10 * 50 },
    });
    expect(costOf('{ flexRequests(first: 10) { edges { node { orders { activations { kw } } } } } }').total).toBe(10 * 50 * 10 + 10 * 50 * 672 * 10);
    expect(costOf('{ flexRequests(first: 10) { edges { node { offers { isps { kw } } } } } }').total).toBeGreaterThan(BUDGET);
  });

  it("prices an order's HEMS commands and its settlement's metering points at an estimate of 100 HEMS an order", () => {
    expect(costOf('{ flexOrders(first: 100) { edges { node { hemsCommands { id } } } } }').total).toBe(100 * 100 * 10);
    expect(costOf('{ flexOrders(first: 100) { edges { node { settlement { meteringPointIds } } } } }').total).toBe(100 * 672 * 10 + 100 * 100);
  });

  it('lets a dozen offers into one operation, not a hundred: each reads its HEMS behind the congestion point', () => {
    const offers = (n: number) =>
      `mutation { ${Array.from({ length: n }, (_, i) => `o${i}: submitFlexOffer(input: { flexRequestId: "r", isps: [], priceEurPerKwh: 0.1, expiresAt: "2026-12-01T00:00:00Z", idempotencyKey: "k${i}" }) { id }`).join(' ')} }`;
    expect(costOf(offers(11)).total).toBeLessThanOrEqual(BUDGET);
    expect(costOf(offers(100)).total).toBeGreaterThan(BUDGET);
  });
});

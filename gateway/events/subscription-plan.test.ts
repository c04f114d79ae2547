import { getOperationAST, parse, print } from 'graphql';
import { batchQuery, batchVariables, planSubscription, type SubscriptionPlan } from './subscription-plan';

function plan(source: string, variables: Record<string, unknown> = {}): SubscriptionPlan {
  const document = parse(source);
  const result = planSubscription(document, getOperationAST(document)!, variables);
  if (Array.isArray(result)) throw result[0];
  return result;
}

describe('planSubscription', () => {
  it('turns a subscription into a query of one event with the same selection', () => {
    const result = plan('subscription { contractedPowerOrders(after: "41") { eventId kind order { id } } }');
    expect(print(result.document)).toBe(print(parse('query ($__eventId: ID!) { contractedPowerOrders: contractedPowerOrderEvent(eventId: $__eventId) { eventId kind order { id } } }')));
    expect(result.after).toBe(41);
    expect([...result.types]).toEqual(['CONTRACTED_POWER_ORDER']);
    expect(result.responseKey).toBe('contractedPowerOrders');
  });

  it('keeps aliases, fragments and variables, and reads after and types from variables', () => {
    const result = plan(
      'subscription S($after: ID, $types: [HubEventType!], $n: Int) { mine: hubEvents(after: $after, types: $types) { ...E } } fragment E on HubEvent { eventId flexRequest { id } }',
      { after: '7', types: ['FLEX_REQUEST'], n: 3 },
    );
    expect(result.responseKey).toBe('mine');
    expect(print(result.document)).toContain('fragment E on HubEvent');
    expect(print(result.document)).toContain('mine: hubEvent(eventId: $__eventId)');
    expect(result.after).toBe(7);
    expect([...result.types]).toEqual(['FLEX_REQUEST']);
    // Only variables the query still uses stay: after and types steer delivery.
    expect(print(result.document)).not.toMatch(/\$after|\$types|\$n/);
    expect(result.variables).toEqual({});
  });

  it('gives subscribers of the same selection the same key whatever they resume from', () => {
    const query = 'subscription($after: ID) { contractedPowerOrders(after: $after) { eventId } }';
    expect(plan(query, { after: '1' }).key).toBe(plan(query, { after: '99' }).key);
    expect(plan(query).key).not.toBe(plan('subscription { contractedPowerOrders { eventId kind } }').key);
  });

  it('refuses an after that is not an event id', () => {
    const document = parse('subscription { hubEvents(after: "x") { eventId } }');
    expect(Array.isArray(planSubscription(document, getOperationAST(document)!, {}))).toBe(true);
  });
});

describe('batchQuery', () => {
  it('asks for many events in one query, each under its own alias, the same text for every batch of a size', () => {
    const result = plan('subscription { contractedPowerOrders { eventId ...F } } fragment F on ContractedPowerOrderEvent { kind }');
    expect(print(batchQuery(result, 2))).toBe(
      print(parse('query ($e0: ID!, $e1: ID!) { e0: contractedPowerOrderEvent(eventId: $e0) { eventId ...F } e1: contractedPowerOrderEvent(eventId: $e1) { eventId ...F } } fragment F on ContractedPowerOrderEvent { kind }')),
    );
    expect(batchVariables(result, [3, 9])).toEqual({ e0: '3', e1: '9' });
  });
});

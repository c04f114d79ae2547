import { EVENTS_SCOPE, mayReceive } from './events';

const who = (role: string, organisationId: string, scopes: string[] = []) => ({ role, organisationId, scopes });

describe('mayReceive', () => {
  it('gives the DSO every event', () => {
    expect(mayReceive(who('dso', 'dso'), { type: 'GRID_CONSTRAINT' as const, audience: ['ret-a'] })).toBe(true);
  });

  it('gives an addressed event only to its addressees', () => {
    expect(mayReceive(who('retailer', 'ret-a', [EVENTS_SCOPE]), { type: 'GRID_CONSTRAINT' as const, audience: ['ret-a', 'ret-b'] })).toBe(true);
    expect(mayReceive(who('retailer', 'ret-c', [EVENTS_SCOPE]), { type: 'GRID_CONSTRAINT' as const, audience: ['ret-a', 'ret-b'] })).toBe(false);
    expect(mayReceive(who('regulator', 'erse', [EVENTS_SCOPE]), { type: 'GRID_CONSTRAINT' as const, audience: ['ret-a'] })).toBe(false);
  });

  it('gives a market-wide event to every party whose key has the events scope, and to no other', () => {
    expect(mayReceive(who('retailer', 'ret-c', [EVENTS_SCOPE]), { type: 'GRID_CONSTRAINT' as const, audience: [] })).toBe(true);
    expect(mayReceive(who('aggregator', 'agg', [EVENTS_SCOPE]), { type: 'GRID_CONSTRAINT' as const, audience: [] })).toBe(true);
    expect(mayReceive(who('retailer', 'ret-c', ['flex:read']), { type: 'GRID_CONSTRAINT' as const, audience: [] })).toBe(false);
    expect(mayReceive(who('researcher', 'ist'), { type: 'GRID_CONSTRAINT' as const, audience: [] })).toBe(false);
  });

  it("gives a household's HEMS event only to its addressees, not the DSO, and an unaddressed one to nobody", () => {
    expect(mayReceive(who('retailer', 'ret-a', [EVENTS_SCOPE]), { type: 'HEMS_STATUS', audience: ['ret-a'] })).toBe(true);
    expect(mayReceive(who('dso', 'dso', [EVENTS_SCOPE]), { type: 'HEMS_STATUS', audience: ['ret-a'] })).toBe(false);
    expect(mayReceive(who('retailer', 'ret-b', [EVENTS_SCOPE]), { type: 'HEMS_COMMAND', audience: ['ret-a'] })).toBe(false);
    expect(mayReceive(who('retailer', 'ret-a', [EVENTS_SCOPE]), { type: 'HEMS_COMMAND', audience: [] })).toBe(false);
    expect(mayReceive(who('dso', 'dso'), { type: 'HEMS_COMMAND', audience: [] })).toBe(false);
  });

  it('gives a critical-peak event to the DSO and its addressees only, and one addressed to nobody to the DSO alone', () => {
    const announced = (audience: string[]) => ({ type: 'CRITICAL_PEAK_EVENT' as const, audience });
    expect(mayReceive(who('retailer', 'ret-a', [EVENTS_SCOPE]), announced(['ret-a', 'PT0002000000000001AB']))).toBe(true);
    expect(mayReceive(who('customer', 'PT0002000000000001AB', [EVENTS_SCOPE]), announced(['ret-a', 'PT0002000000000001AB']))).toBe(true);
    expect(mayReceive(who('retailer', 'ret-b', [EVENTS_SCOPE]), announced(['ret-a', 'PT0002000000000001AB']))).toBe(false);
    expect(mayReceive(who('dso', 'dso'), announced(['ret-a']))).toBe(true);
    expect(mayReceive(who('dso', 'dso'), announced([]))).toBe(true);
    expect(mayReceive(who('retailer', 'ret-a', [EVENTS_SCOPE]), announced([]))).toBe(false);
    expect(mayReceive(who('regulator', 'erse', [EVENTS_SCOPE]), announced([]))).toBe(false);
  });

  it('gives a customer only events addressed to it, never a market-wide broadcast', () => {
    const customer = who('customer', 'PT0002000000000001AB', [EVENTS_SCOPE]);
    expect(mayReceive(customer, { type: 'FLEX_REQUEST', audience: [] })).toBe(false);
    expect(mayReceive(customer, { type: 'GRID_CONSTRAINT', audience: ['ret-a'] })).toBe(false);
    expect(mayReceive(customer, { type: 'CRITICAL_PEAK_EVENT', audience: ['ret-a', 'PT0002000000000001AB'] })).toBe(true);
  });
});

import { EVENTS_SCOPE, mayReceive } from './events';

const who = (role: string, organisationId: string, scopes: string[] = []) => ({ role, organisationId, scopes });

describe('mayReceive', () => {
  it('gives the DSO every event', () => {
    expect(mayReceive(who('dso', 'dso'), { audience: ['ret-a'] })).toBe(true);
  });

  it('gives an addressed event only to its addressees', () => {
    expect(mayReceive(who('retailer', 'ret-a', [EVENTS_SCOPE]), { audience: ['ret-a', 'ret-b'] })).toBe(true);
    expect(mayReceive(who('retailer', 'ret-c', [EVENTS_SCOPE]), { audience: ['ret-a', 'ret-b'] })).toBe(false);
    expect(mayReceive(who('regulator', 'erse', [EVENTS_SCOPE]), { audience: ['ret-a'] })).toBe(false);
  });

  it('gives a market-wide event to every party whose key has the events scope, and to no other', () => {
    expect(mayReceive(who('retailer', 'ret-c', [EVENTS_SCOPE]), { audience: [] })).toBe(true);
    expect(mayReceive(who('aggregator', 'agg', [EVENTS_SCOPE]), { audience: [] })).toBe(true);
    expect(mayReceive(who('retailer', 'ret-c', ['flex:read']), { audience: [] })).toBe(false);
    expect(mayReceive(who('researcher', 'ist'), { audience: [] })).toBe(false);
  });
});

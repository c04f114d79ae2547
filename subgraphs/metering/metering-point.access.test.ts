import type { Identity } from '../../schema/identity';
import { meteringPointVisibility } from './metering-point.access';

const caller = (role: Identity['role'], organisationId = 'org-1'): Identity => ({ keyId: 'k', organisationId, role, scopes: [] });

describe('meteringPointVisibility', () => {
  it('lets the DSO see every metering point', () => {
    expect(meteringPointVisibility(caller('dso', 'dso'))).toEqual({ kind: 'all' });
  });

  it('limits a retailer to the points it supplies', () => {
    expect(meteringPointVisibility(caller('retailer', 'ret-a'))).toEqual({ kind: 'retailer', retailerId: 'ret-a' });
  });

  it.each(['regulator', 'tso', 'researcher', 'aggregator', 'developer'] as const)('shows no single metering point to a %s', (role) => {
    expect(meteringPointVisibility(caller(role))).toEqual({ kind: 'none' });
  });
});

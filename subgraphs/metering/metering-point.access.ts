import type { Identity } from '../../schema/identity';

/** Which metering points a caller may see one by one. */
export type MeteringPointVisibility = { kind: 'all' } | { kind: 'retailer'; retailerId: string } | { kind: 'none' };

/**
 * The DSO sees every metering point; a retailer only those it supplies; everyone else
 * (regulator, TSO, researchers, aggregators, developers) sees none individually.
 */
export function meteringPointVisibility(identity: Identity): MeteringPointVisibility {
  switch (identity.role) {
    case 'dso':
      return { kind: 'all' };
    case 'retailer':
      return { kind: 'retailer', retailerId: identity.organisationId };
    default:
      return { kind: 'none' };
  }
}

import { sql, type SQL } from 'drizzle-orm';
import { hasScope } from '../../schema/access';
import { DSO_ORGANISATION_ID, type Identity } from '../../schema/identity';
import type { Database, Transaction } from '../kit/db';
import { customerBehind, customersBehind } from '../kit/customers-behind.sql';
import { mayReadPresent } from '../kit/point-access.sql';

/**
 * Who may see the grid's results for an area (constraints, power-flow summaries, flexibility
 * needs), per secondary substation:
 * - the DSO, and any key with grid:read (the TSO, say): every area;
 * - a retailer or an aggregator whose key has flex:trade (those who can offer flexibility):
 *   the secondary substations where it has customers now: a retailer the points it supplies
 *   now, an aggregator the points whose customer's metering:read consent is in force now
 *   (kit/point-access.sql.ts decides both, as for the points themselves);
 * - anyone else: nothing.
 * Fields answering with such results take `@Authorized('grid:read', 'flex:trade')`, so that a
 * key this rule shows nothing to is refused rather than answered with empty lists.
 * areaAudience is the same rule read the other way: whom to push an area's events to.
 */
export function mayViewArea(identity: Identity, secondarySubstationId: SQL): SQL {
  if (identity.role === 'dso' || hasScope(identity, 'grid:read')) return sql`true`;
  if ((identity.role !== 'retailer' && identity.role !== 'aggregator') || !hasScope(identity, 'flex:trade')) return sql`false`;
  return customerBehind('secondary_substation_id', secondarySubstationId, (point) => mayReadPresent(identity, point, 'metering:read'));
}

/**
 * The organisations mayViewArea shows the secondary substation to by their customers
 * (kit/customers-behind.sql.ts), and the DSO, so that the list is never empty: an empty audience
 * addresses every party.
 */
export async function areaAudience(db: Database | Transaction, secondarySubstationId: string): Promise<string[]> {
  return [...(await customersBehind(db, 'secondary_substation_id', secondarySubstationId)), DSO_ORGANISATION_ID].sort();
}

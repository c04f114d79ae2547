import { sql, type SQL } from 'drizzle-orm';
import type { ConsentScope } from '../../schema/access';
import type { Identity } from '../../schema/identity';

/**
 * Row-level rules on metering points, as SQL conditions every subgraph uses against the
 * published views (metering.supply_contracts_v) and the hub's consents, so each one checks the
 * caller itself instead of trusting whichever subgraph handed out a reference:
 * - the DSO: every point, all of its data;
 * - a customer: its own point (the key's organisation), all of its data;
 * - a retailer: the points it supplies now (their present state) and its former points, whose
 *   data it reads only for its own contract periods;
 * - an aggregator or researcher: the points whose customer consented, for that scope, while the
 *   consent is in force, and only the data of the consented period;
 * - anyone else: nothing individual.
 */

/** A supply contract of the retailer (an id, or a column for the rule read the other way: who may see a point) for the point at `at`. */
export const contractOf = (retailerId: string | SQL, pointId: SQL, at: SQL) => sql`EXISTS (
  SELECT 1 FROM metering.supply_contracts_v sc
  WHERE sc.metering_point_id = ${pointId} AND sc.retailer_id = ${retailerId}
    AND sc.valid_from <= ${at} AND (sc.valid_to IS NULL OR sc.valid_to > ${at}))`;

/**
 * A consent of the organisation for the point and scope in force now (begun, not ended, not
 * revoked): a consent for a period still to come opens nothing yet, not even the present state.
 * With `at`, the data must also lie inside the consented period.
 */
export const consentFor = (organisationId: string | SQL, pointId: SQL, scope: ConsentScope, at: SQL | null) => sql`EXISTS (
  SELECT 1 FROM hub.consents c
  WHERE c.metering_point_id = ${pointId} AND c.organisation_id = ${organisationId}
    AND ${scope}::hub.consent_scope = ANY(c.scopes) AND c.revoked_at IS NULL AND c.valid_from <= now() AND c.valid_to > now()
    ${at ? sql`AND c.valid_from <= ${at} AND c.valid_to > ${at}` : sql``})`;

/**
 * The rule itself: with `at` null, may the caller see the point's present state (retailer,
 * contracted power, tariff, HEMS, where it is connected); with `at`, may it read the point's
 * data stamped `at` (a reading's interval start, an event's time)?
 */
function mayRead(identity: Identity, pointId: SQL, scope: ConsentScope, at: SQL | null): SQL {
  switch (identity.role) {
    case 'dso':
      return sql`true`;
    case 'customer':
      return sql`${pointId} = ${identity.organisationId}`;
    case 'retailer':
      return contractOf(identity.organisationId, pointId, at ?? sql`now()`);
    case 'aggregator':
    case 'researcher':
      return consentFor(identity.organisationId, pointId, scope, at);
    default:
      return sql`false`;
  }
}

/** May the caller see the point's present state (retailer, contracted power, tariff, HEMS, where it is connected)? */
export function mayReadPresent(identity: Identity, pointId: SQL, scope: ConsentScope): SQL {
  return mayRead(identity, pointId, scope, null);
}

/** May the caller see that the point exists: what it may read now, and a retailer's former points. */
export function mayList(identity: Identity, pointId: SQL): SQL {
  if (identity.role !== 'retailer') return mayReadPresent(identity, pointId, 'metering:read');
  return sql`EXISTS (SELECT 1 FROM metering.supply_contracts_v sc WHERE sc.metering_point_id = ${pointId} AND sc.retailer_id = ${identity.organisationId})`;
}

/** May the caller read the point's data stamped `at` (a reading's interval start, an event's time)? */
export function mayReadAt(identity: Identity, pointId: SQL, at: SQL, scope: ConsentScope): SQL {
  return mayRead(identity, pointId, scope, at);
}

/**
 * The instants of [from, to) where mayReadAt's answer for the point may change, as rows of `at`:
 * `from`, and every start and end of the point's supply contracts and consents inside the window.
 * The rule holds on a union of those intervals (nothing else in it depends on the instant), so its
 * answer at each of these instants lasts until the next: a window's readable spans follow from a
 * few tests instead of one per reading.
 */
export const accessEdges = (pointId: SQL, from: Date, to: Date) => sql`(
  SELECT ${from}::timestamptz AS at
  UNION SELECT sc.valid_from FROM metering.supply_contracts_v sc WHERE sc.metering_point_id = ${pointId} AND sc.valid_from > ${from} AND sc.valid_from < ${to}
  UNION SELECT sc.valid_to FROM metering.supply_contracts_v sc WHERE sc.metering_point_id = ${pointId} AND sc.valid_to > ${from} AND sc.valid_to < ${to}
  UNION SELECT c.valid_from FROM hub.consents c WHERE c.metering_point_id = ${pointId} AND c.valid_from > ${from} AND c.valid_from < ${to}
  UNION SELECT c.valid_to FROM hub.consents c WHERE c.metering_point_id = ${pointId} AND c.valid_to > ${from} AND c.valid_to < ${to})`;

import { sql, type SQL } from 'drizzle-orm';
import { hasScope } from '../../schema/access';
import type { Identity } from '../../schema/identity';
import type { Database, Transaction } from '../kit/db';
import { consentFor, contractOf } from '../kit/point-access.sql';

/**
 * Who may see a household's HEMS (its devices, conditions, telemetry and commands), as SQL over
 * the HEMS's metering point, against the published views and the hub's consents:
 * - the customer (a key bound to the point): its own;
 * - a retailer: the HEMS of the points it supplies now whose customer shares the HEMS with it
 *   (a hems:read consent in force): sharing ends with the consent or the contract;
 * - an aggregator or researcher: under a hems:read consent in force;
 * - the DSO: only while a contracted-power order it issued is active behind the point
 *   (activeOrderBehind); otherwise it sees areas' totals (availableFlexibility);
 * - a HEMS's own key: its own HEMS, for the fields its scope (hems:report) opens, which are none
 *   to read;
 * - anyone else: nothing.
 */
export function mayViewHems(identity: Identity, hemsId: SQL, pointId: SQL): SQL {
  switch (identity.role) {
    case 'customer':
      return sql`${pointId} = ${identity.organisationId}`;
    case 'retailer':
      return sql`(${contractOf(identity.organisationId, pointId, sql`now()`)} AND ${consentFor(identity.organisationId, pointId, 'hems:read', null)})`;
    case 'aggregator':
    case 'researcher':
      return consentFor(identity.organisationId, pointId, 'hems:read', null);
    case 'dso':
      return activeOrderBehind(pointId);
    case 'hems':
      return sql`${hemsId} = ${identity.organisationId}`;
    default:
      return sql`false`;
  }
}

/**
 * May the caller steer the HEMS (send it commands)? A party it is shared with that trades
 * flexibility: a retailer or an aggregator, with hems:control, under mayViewHems.
 */
export function mayControlHems(identity: Identity, hemsId: SQL, pointId: SQL): SQL {
  if ((identity.role !== 'retailer' && identity.role !== 'aggregator') || !hasScope(identity, 'hems:control')) return sql`false`;
  return mayViewHems(identity, hemsId, pointId);
}

/**
 * May the caller report for the HEMS (its telemetry, its commands' outcomes)? Its own key (a
 * `hems` key, hems:report, bound to it), or the platform of a party that steers it (mayControlHems).
 */
export function mayReportHems(identity: Identity, hemsId: SQL, pointId: SQL): SQL {
  if (identity.role === 'hems') return hasScope(identity, 'hems:report') ? sql`${hemsId} = ${identity.organisationId}` : sql`false`;
  return mayControlHems(identity, hemsId, pointId);
}

/**
 * May the caller set the customer's conditions? The customer, or its retailer on its behalf
 * (shared with it) with a key that may steer HEMS (hems:control): a read-only key only reads.
 */
export function mayConditionHems(identity: Identity, hemsId: SQL, pointId: SQL): SQL {
  if (identity.role !== 'customer' && (identity.role !== 'retailer' || !hasScope(identity, 'hems:control'))) return sql`false`;
  return mayViewHems(identity, hemsId, pointId);
}

/**
 * A contracted-power order is active behind the point (flexibility's open_order_points_v): issued,
 * started and not ended. Such an order caps every point of its area. A flex order's rows are left
 * out: they name every point behind the congestion point, while the order concerns only the HEMS
 * its offerer commands, whose commands the DSO already sees (mayViewCommand).
 */
export const activeOrderBehind = (pointId: SQL) => sql`EXISTS (
  SELECT 1 FROM flexibility.open_order_points_v active_order
  WHERE active_order.metering_point_id = ${pointId} AND active_order.reason = 'CONTRACTED_POWER_ORDER' AND active_order.start <= now())`;

/**
 * The organisations a HEMS is shared with now (mayViewHems read the other way, without the
 * customer and the DSO): whom its status events go to. Empty when it is shared with nobody.
 */
export async function hemsAudience(db: Database | Transaction, hemsIds: readonly string[]): Promise<Map<string, string[]>> {
  if (hemsIds.length === 0) return new Map();
  const result = await db.execute<{ hems_id: string; organisation_id: string }>(sql`
    SELECT h.id AS hems_id, c.organisation_id
    FROM hems.systems h
    JOIN hub.consents c ON c.metering_point_id = h.metering_point_id
    JOIN hub.organisations o ON o.id = c.organisation_id
    WHERE h.id = ANY(${sql.param([...new Set(hemsIds)])}::text[])
      AND 'hems:read'::hub.consent_scope = ANY(c.scopes) AND c.revoked_at IS NULL AND c.valid_from <= now() AND c.valid_to > now()
      AND (o.kind IN ('aggregator', 'researcher')
        OR (o.kind = 'retailer' AND ${contractOf(sql.raw('c.organisation_id'), sql.raw('h.metering_point_id'), sql`now()`)}))
    GROUP BY 1, 2 ORDER BY 1, 2`);
  const audience = new Map<string, string[]>();
  for (const row of result.rows) audience.set(row.hems_id, [...(audience.get(row.hems_id) ?? []), row.organisation_id]);
  return audience;
}

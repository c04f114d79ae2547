import { and, asc, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import { tariffAssignments } from '../../schema/tables';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';

export type TariffAssignmentRow = typeof tariffAssignments.$inferSelect;

/**
 * The periods of each point whose tariff the caller may read, as rows (metering_point_id,
 * valid_from, valid_to): a retailer its own supply contracts, a consent holder its tariffs:read
 * consents in force (mayReadAt's intervals, kit/point-access.sql.ts); null for the DSO and the
 * customer, who read the whole history, and none for anyone else.
 */
function readablePeriods(identity: Identity): SQL | null {
  switch (identity.role) {
    case 'dso':
    case 'customer':
      return null;
    case 'retailer':
      return sql`SELECT metering_point_id, valid_from, valid_to FROM metering.supply_contracts_v WHERE retailer_id = ${identity.organisationId}`;
    case 'aggregator':
    case 'researcher':
      return sql`SELECT metering_point_id, valid_from, valid_to FROM hub.consents
        WHERE organisation_id = ${identity.organisationId} AND 'tariffs:read'::hub.consent_scope = ANY(scopes) AND revoked_at IS NULL AND valid_from <= now() AND valid_to > now()`;
    default:
      return sql`SELECT NULL::text AS metering_point_id, NULL::timestamptz AS valid_from, NULL::timestamptz AS valid_to WHERE false`;
  }
}

/** Which scheme each metering point is on, and was on. Callers reach it only for points they were checked for. */
export class TariffAssignmentRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  current(meteringPointIds: readonly string[]): Promise<TariffAssignmentRow[]> {
    return this.db
      .select()
      .from(tariffAssignments)
      // In force now: an accepted pilot opens its assignment ahead, from its first day.
      .where(and(anyText(tariffAssignments.meteringPointId, meteringPointIds), lte(tariffAssignments.validFrom, sql`now()`), or(isNull(tariffAssignments.validTo), gt(tariffAssignments.validTo, sql`now()`))));
  }

  /**
   * Every scheme each point was on, oldest first, within the periods the caller may read (cut to
   * them): a retailer never learns a point's tariffs under its former retailer.
   */
  async history(meteringPointIds: readonly string[]): Promise<TariffAssignmentRow[]> {
    const periods = readablePeriods(this.identity);
    if (periods === null) {
      return this.db
        .select()
        .from(tariffAssignments)
        .where(anyText(tariffAssignments.meteringPointId, meteringPointIds))
        .orderBy(asc(tariffAssignments.meteringPointId), asc(tariffAssignments.validFrom));
    }
    const result = await this.db.execute<{ metering_point_id: string; scheme_id: string; from_ms: number; to_ms: number | null }>(sql`
      SELECT a.metering_point_id, a.scheme_id,
        extract(epoch FROM greatest(a.valid_from, w.valid_from)) * 1000 AS from_ms,
        extract(epoch FROM nullif(least(coalesce(a.valid_to, 'infinity'), coalesce(w.valid_to, 'infinity')), 'infinity')) * 1000 AS to_ms
      FROM tariffs.assignments a
      JOIN (${periods}) w ON w.metering_point_id = a.metering_point_id AND tstzrange(w.valid_from, w.valid_to) && tstzrange(a.valid_from, a.valid_to)
      WHERE ${anyText(sql.raw('a.metering_point_id'), meteringPointIds)}
      ORDER BY a.metering_point_id, from_ms`);
    return result.rows.map((row) => ({
      meteringPointId: row.metering_point_id,
      schemeId: row.scheme_id,
      validFrom: new Date(Number(row.from_ms)),
      validTo: row.to_ms === null ? null : new Date(Number(row.to_ms)),
    }));
  }
}

import { sql } from 'drizzle-orm';
import type { Database } from '../kit/db';
import type { ContractSpan, KnownSpan, QuarterCounts } from './demand-disclosure.rules';
import { DemandScopeKind } from './demand.rules';
import type { AreaTreeFeeder } from '../kit/disclosure.rules';

interface Window {
  fromMs: number;
  toMs: number;
}

/** What the disclosure rules need to know about a window, read from the grid's views, the contracts and the rollups. */
export class DisclosureRepo {
  constructor(private readonly db: Database) {}

  /** Every feeder with the substations above it (grid's published view). */
  async feeders(): Promise<AreaTreeFeeder[]> {
    const result = await this.db.execute<{ feeder_id: string; secondary_substation_id: string; primary_substation_id: string }>(sql`
      SELECT feeder_id, secondary_substation_id, primary_substation_id FROM grid.feeders_v`);
    return result.rows.map((row) => ({ id: row.feeder_id, secondarySubstationId: row.secondary_substation_id, primarySubstationId: row.primary_substation_id }));
  }

  /** Contracts in force over the window, counted per placement and retailer, cut to the window. */
  async contractSpans(window: Window): Promise<ContractSpan[]> {
    const from = new Date(window.fromMs);
    const to = new Date(window.toMs);
    const result = await this.db.execute<{ placement: string; retailer_id: string; from_ms: number; to_ms: number; points: string }>(sql`
      SELECT coalesce(c.feeder_id, '') AS placement, sc.retailer_id,
        extract(epoch FROM greatest(sc.valid_from, ${from}::timestamptz))::float8 * 1000 AS from_ms,
        extract(epoch FROM least(coalesce(sc.valid_to, ${to}::timestamptz), ${to}::timestamptz))::float8 * 1000 AS to_ms,
        count(*) AS points
      FROM metering.supply_contracts sc
      LEFT JOIN grid.metering_point_connections_v c ON c.metering_point_id = sc.metering_point_id
      WHERE sc.valid_from < ${to} AND (sc.valid_to IS NULL OR sc.valid_to > ${from})
      GROUP BY 1, 2, 3, 4`);
    return result.rows.map((row) => ({ placement: row.placement, retailerId: row.retailer_id, fromMs: row.from_ms, toMs: row.to_ms, points: Number(row.points) }));
  }

  /**
   * The points an organisation knows under consent (metering:read, in force now), while each is
   * also under contract: when it is among the readings counted, cut to the window.
   */
  async consentedSpans(organisationId: string, window: Window): Promise<KnownSpan[]> {
    const from = new Date(window.fromMs);
    const to = new Date(window.toMs);
    const result = await this.db.execute<{ point_id: string; placement: string; retailer_id: string; from_ms: number; to_ms: number }>(sql`
      SELECT s.point_id, s.placement, s.retailer_id, extract(epoch FROM s.from_ts)::float8 * 1000 AS from_ms, extract(epoch FROM s.to_ts)::float8 * 1000 AS to_ms
      FROM (
        SELECT cn.metering_point_id AS point_id, coalesce(g.feeder_id, '') AS placement, sc.retailer_id,
          greatest(sc.valid_from, cn.valid_from, ${from}::timestamptz) AS from_ts,
          least(coalesce(sc.valid_to, ${to}::timestamptz), cn.valid_to, ${to}::timestamptz) AS to_ts
        FROM hub.consents cn
        JOIN metering.supply_contracts sc ON sc.metering_point_id = cn.metering_point_id
        LEFT JOIN grid.metering_point_connections_v g ON g.metering_point_id = cn.metering_point_id
        WHERE cn.organisation_id = ${organisationId} AND 'metering:read'::hub.consent_scope = ANY(cn.scopes)
          AND cn.revoked_at IS NULL AND cn.valid_to > now()
      ) s
      WHERE s.from_ts < s.to_ts`);
    return result.rows.map((row) => ({ pointId: row.point_id, placement: row.placement, retailerId: row.retailer_id, fromMs: row.from_ms, toMs: row.to_ms }));
  }

  /** The quarter-hours of the window that hold readings, with the network's and the retailers' reading counts. */
  async quarterCounts(window: Window): Promise<QuarterCounts[]> {
    const result = await this.db.execute<{ start_ms: number; network: string; contracted: string }>(sql`
      SELECT extract(epoch FROM interval_start)::float8 * 1000 AS start_ms,
        sum(reading_count) FILTER (WHERE scope_kind = ${DemandScopeKind.Network}) AS network,
        coalesce(sum(reading_count) FILTER (WHERE scope_kind = ${DemandScopeKind.Retailer}), 0) AS contracted
      FROM metering.demand_rollups
      WHERE scope_kind IN (${DemandScopeKind.Network}, ${DemandScopeKind.Retailer})
        AND interval_start >= ${new Date(window.fromMs)} AND interval_start < ${new Date(window.toMs)}
      GROUP BY interval_start
      ORDER BY interval_start`);
    return result.rows.map((row) => ({ startMs: row.start_ms, networkReadings: Number(row.network ?? 0), contractedReadings: Number(row.contracted) }));
  }
}

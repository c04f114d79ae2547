import { sql, type SQL } from 'drizzle-orm';
import { DAY_MS } from '../kit/calendar';
import type { Database } from '../kit/db';
import type { AreaTreeFeeder } from '../kit/disclosure.rules';
import { accessEdges } from '../kit/point-access.sql';
import type { QuarterEnergy } from './bill.rules';
import type { PlacementCount } from './tariff-aggregate.rules';

/**
 * The energy every tariff computation prices, read through metering's and grid's published
 * contracts (metering.point_readings, metering.area_demand_v, metering.metering_points_v,
 * grid.metering_point_connections_v), never their tables. Energy cost is linear in energy, so a
 * set of points is priced from its summed quarter-hours: one row per quarter-hour whatever the
 * number of points, and only the contracted power is counted point by point.
 *
 * Access is the caller's: these reads apply no rule of their own.
 */

/** An area as metering's rollups name it (metering.area_demand_v): kind 0 network, 1 primary, 2 secondary substation, 3 feeder. */
export type TariffArea = { kind: 'network' } | { kind: 'primary' | 'secondary' | 'feeder'; id: string };
const AREA_KIND: Record<TariffArea['kind'], number> = { network: 0, primary: 1, secondary: 2, feeder: 3 };
/** metering.area_demand_v's scope kind of a retailer's portfolio. */
const RETAILER_KIND = 4;
const AREA_COLUMN: Record<Exclude<TariffArea['kind'], 'network'>, string> = { primary: 'primary_substation_id', secondary: 'secondary_substation_id', feeder: 'feeder_id' };

export interface TariffWindow {
  fromMs: number;
  toMs: number;
}

export interface PointContract {
  meteringPointId: string;
  contractedPowerKva: number;
}

export interface AssignmentSpan {
  meteringPointId: string;
  schemeId: string;
  fromMs: number;
  /** Infinity while current. */
  toMs: number;
}

export interface SchemeQuarters {
  schemeId: string;
  quarters: QuarterEnergy[];
}

type QuarterRow = {
  start_ms: number;
  import_wh: string;
};

/**
 * A condition on a point (its id) and an instant that keeps the readings the caller may read:
 * kit/point-access.sql.ts mayReadAt, whose answer changes only at the point's accessEdges; null
 * keeps every reading.
 */
export type ReadableAt = ((pointId: SQL, at: SQL) => SQL) | null;
/** A condition on a point (its id), e.g. kit/point-access.sql.ts mayReadPresent. */
export type PointCondition = (pointId: SQL) => SQL;

/**
 * Rows (id, from_ts, to_ts): per point, the spans of the window whose readings `readable` keeps.
 * The rule is tested once per access edge and holds until the next (kit/point-access.sql.ts
 * accessEdges), so a read takes each span's readings by the index, with no test per reading.
 */
function readableSpans(meteringPointIds: readonly string[], window: TariffWindow, readable: ReadableAt): SQL {
  const from = new Date(window.fromMs);
  const to = new Date(window.toMs);
  const points = sql`unnest(${sql.param([...meteringPointIds])}::text[]) AS p(id)`;
  if (readable === null) return sql`SELECT p.id, ${from}::timestamptz AS from_ts, ${to}::timestamptz AS to_ts FROM ${points}`;
  return sql`
    SELECT id, at AS from_ts, until AS to_ts FROM (
      SELECT p.id, e.at, lead(e.at, 1, ${to}::timestamptz) OVER (PARTITION BY p.id ORDER BY e.at) AS until, ${readable(sql.raw('p.id'), sql.raw('e.at'))} AS ok
      FROM ${points} CROSS JOIN LATERAL ${accessEdges(sql.raw('p.id'), from, to)} e
    ) edges
    WHERE ok`;
}

const toQuarters = (rows: readonly QuarterRow[]): QuarterEnergy[] => rows.map((row) => ({ startMs: Number(row.start_ms), importWh: Number(row.import_wh) }));

/**
 * A sum over many points' readings runs as up to this many statements side by side, each on a
 * share of the points: one statement runs on one core of the database (the most one request
 * reads, tariff-sample.rules' MAX_POINT_DAYS, measured 2.3 s in one statement, 1.4 s in four on two cores).
 */
const CHUNKS = 4;
/** Point-days below which a share is not worth a statement of its own. */
const MIN_CHUNK_POINT_DAYS = 2_000;

function chunksOf(meteringPointIds: readonly string[], window: TariffWindow): string[][] {
  const days = Math.max(1, Math.ceil((window.toMs - window.fromMs) / DAY_MS));
  const size = Math.max(1, Math.ceil(meteringPointIds.length / CHUNKS), Math.ceil(MIN_CHUNK_POINT_DAYS / days));
  return Array.from({ length: Math.ceil(meteringPointIds.length / size) }, (_, i) => meteringPointIds.slice(i * size, (i + 1) * size));
}

/** A sum of readings per quarter-hour, and per scheme when the statement names one. */
type SumRow = QuarterRow & { scheme_id?: string };

export class TariffEnergyRepo {
  constructor(private readonly db: Database) {}

  /**
   * The import of the points' readings that `query` (of a chunk of them) sums per quarter-hour
   * (and scheme), by scheme ('' without one), in the order of quarter-hours. Each chunk's statement
   * is not JIT-compiled (estimated as costly, they were compiled first: 250 ms or more each) and
   * groups by hashing, ordered here: estimating a few hundred readings per span, the planner
   * sorted every reading to group them, spilling to disk (500 points' month: 0.9 s against 0.26 s
   * hashed; 2,000 points' in one statement: 7.8 s against 2.2 s).
   */
  private async sumReadings(meteringPointIds: readonly string[], window: TariffWindow, query: (chunk: readonly string[]) => SQL): Promise<Map<string, QuarterEnergy[]>> {
    const results = await Promise.all(
      chunksOf(meteringPointIds, window).map((chunk) =>
        this.db.transaction(async (tx) => {
          await tx.execute(sql`SET LOCAL jit = off; SET LOCAL enable_sort = off`);
          return tx.execute<SumRow>(query(chunk));
        }),
      ),
    );
    const sums = new Map<string, Map<number, number>>();
    for (const { rows } of results) {
      for (const row of rows) {
        const key = row.scheme_id ?? '';
        let quarters = sums.get(key);
        if (!quarters) sums.set(key, (quarters = new Map()));
        const startMs = Number(row.start_ms);
        quarters.set(startMs, (quarters.get(startMs) ?? 0) + Number(row.import_wh));
      }
    }
    return new Map(
      [...sums]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, quarters]) => [key, [...quarters].sort(([a], [b]) => a - b).map(([startMs, importWh]) => ({ startMs, importWh }))]),
    );
  }

  /** An area's import per quarter-hour, from metering's exact rollups. */
  async areaQuarters(area: TariffArea, window: TariffWindow): Promise<QuarterEnergy[]> {
    const result = await this.db.execute<QuarterRow>(sql`
      SELECT extract(epoch FROM interval_start)::float8 * 1000 AS start_ms, import_wh
      FROM metering.area_demand_v
      WHERE scope_kind = ${AREA_KIND[area.kind]} AND scope_id = ${area.kind === 'network' ? '' : area.id}
        AND interval_start >= ${new Date(window.fromMs)} AND interval_start < ${new Date(window.toMs)}
      ORDER BY interval_start`);
    return toQuarters(result.rows);
  }

  /** The points of an area (grid's connections; the network: every metering point), or null when the area does not exist. */
  async pointsOf(area: TariffArea): Promise<string[] | null> {
    if (area.kind === 'network') {
      const result = await this.db.execute<{ id: string }>(sql`SELECT metering_point_id AS id FROM metering.metering_points_v ORDER BY 1`);
      return result.rows.map((row) => row.id);
    }
    const column = sql.raw(AREA_COLUMN[area.kind]);
    const view = sql.raw(area.kind === 'feeder' ? 'grid.feeders_v' : 'grid.substations_v');
    const result = await this.db.execute<{ exists: boolean; ids: string[] | null }>(sql`
      SELECT EXISTS (SELECT 1 FROM ${view} WHERE ${column} = ${area.id}) AS exists,
        (SELECT array_agg(metering_point_id ORDER BY metering_point_id) FROM grid.metering_point_connections_v WHERE ${column} = ${area.id}) AS ids`);
    const row = result.rows[0]!;
    return row.exists ? (row.ids ?? []) : null;
  }

  /** Each point's contracted power (its present contract); points that do not exist are left out. */
  async contracts(meteringPointIds: readonly string[]): Promise<PointContract[]> {
    const result = await this.db.execute<{ metering_point_id: string; contracted_power_kva: number }>(sql`
      SELECT metering_point_id, contracted_power_kva FROM metering.metering_points_v
      WHERE metering_point_id = ANY(${sql.param([...meteringPointIds])}::text[])`);
    return result.rows.map((row) => ({ meteringPointId: row.metering_point_id, contractedPowerKva: Number(row.contracted_power_kva) }));
  }

  /** The points' assignments that overlap the window. */
  async assignmentSpans(meteringPointIds: readonly string[], window: TariffWindow): Promise<AssignmentSpan[]> {
    const result = await this.db.execute<{ metering_point_id: string; scheme_id: string; from_ms: number; to_ms: number | null }>(sql`
      SELECT metering_point_id, scheme_id, extract(epoch FROM valid_from)::float8 * 1000 AS from_ms, extract(epoch FROM valid_to)::float8 * 1000 AS to_ms
      FROM tariffs.assignments
      WHERE metering_point_id = ANY(${sql.param([...meteringPointIds])}::text[])
        AND valid_from < ${new Date(window.toMs)} AND (valid_to IS NULL OR valid_to > ${new Date(window.fromMs)})
      ORDER BY metering_point_id, valid_from`);
    return result.rows.map((row) => ({ meteringPointId: row.metering_point_id, schemeId: row.scheme_id, fromMs: Number(row.from_ms), toMs: row.to_ms === null ? Infinity : Number(row.to_ms) }));
  }

  /** The critical-peak events of the schemes that overlap the window. */
  async criticalPeaks(schemeIds: readonly string[], window: TariffWindow): Promise<{ schemeId: string; startMs: number; endMs: number }[]> {
    const result = await this.db.execute<{ scheme_id: string; start_ms: number; end_ms: number }>(sql`
      SELECT scheme_id, extract(epoch FROM starts_at)::float8 * 1000 AS start_ms, extract(epoch FROM ends_at)::float8 * 1000 AS end_ms
      FROM tariffs.critical_peak_events
      WHERE scheme_id = ANY(${sql.param([...schemeIds])}::text[]) AND starts_at < ${new Date(window.toMs)} AND ends_at > ${new Date(window.fromMs)}
      ORDER BY scheme_id, starts_at`);
    return result.rows.map((row) => ({ schemeId: row.scheme_id, startMs: Number(row.start_ms), endMs: Number(row.end_ms) }));
  }
  /** A retailer's portfolio's import per quarter-hour, from metering's exact rollups: every point it supplied, while it supplied it. */
  async retailerQuarters(retailerId: string, window: TariffWindow): Promise<QuarterEnergy[]> {
    const result = await this.db.execute<QuarterRow>(sql`
      SELECT extract(epoch FROM interval_start)::float8 * 1000 AS start_ms, import_wh
      FROM metering.area_demand_v
      WHERE scope_kind = ${RETAILER_KIND} AND scope_id = ${retailerId} AND interval_start >= ${new Date(window.fromMs)} AND interval_start < ${new Date(window.toMs)}
      ORDER BY interval_start`);
    return toQuarters(result.rows);
  }

  /** The metering points the retailer supplied at some time in the window (metering's supply contracts). */
  async suppliedPoints(retailerId: string, window: TariffWindow): Promise<string[]> {
    const result = await this.db.execute<{ id: string }>(sql`
      SELECT DISTINCT metering_point_id AS id FROM metering.supply_contracts_v
      WHERE retailer_id = ${retailerId} AND valid_from < ${new Date(window.toMs)} AND (valid_to IS NULL OR valid_to > ${new Date(window.fromMs)})
      ORDER BY 1`);
    return result.rows.map((row) => row.id);
  }

  /** The points' import summed per quarter-hour, of the readings `readable` keeps. */
  async readableQuarters(meteringPointIds: readonly string[], window: TariffWindow, readable: ReadableAt): Promise<QuarterEnergy[]> {
    const sums = await this.sumReadings(
      meteringPointIds,
      window,
      (chunk) => sql`
        WITH s AS (${readableSpans(chunk, window, readable)})
        SELECT extract(epoch FROM r.interval_start)::float8 * 1000 AS start_ms, sum(r.import_wh) AS import_wh
        FROM s CROSS JOIN LATERAL metering.point_readings(s.id, s.from_ts, s.to_ts) r
        GROUP BY r.interval_start`,
    );
    return sums.get('') ?? [];
  }

  /**
   * The points' import summed per quarter-hour and per scheme, of the readings `readable` keeps:
   * a point in `fixed` on its scheme there at every quarter-hour (a what-if: the schemes a pilot
   * was on before), any other on the scheme assigned at each quarter-hour (what it paid, or would
   * pay, on the tariffs it is on). Each span of one scheme and readable readings is read on its
   * own, by the index: joining every reading to the assignments and testing the access rule on
   * each instead took 1.0-1.7 s for 500 points' month (against 0.4-0.5 s), 3.3-4.4 s for 2,000 (1.4-1.6 s).
   */
  async schemeQuarters(meteringPointIds: readonly string[], window: TariffWindow, readable: ReadableAt = null, fixed: ReadonlyMap<string, string> = new Map()): Promise<SchemeQuarters[]> {
    const sums = await this.sumReadings(meteringPointIds, window, (chunk) => {
      const fixedHere = chunk.filter((id) => fixed.has(id));
      return sql`
        WITH s AS (${readableSpans(chunk, window, readable)}),
        f AS (SELECT * FROM unnest(${sql.param(fixedHere)}::text[], ${sql.param(fixedHere.map((id) => fixed.get(id)!))}::text[]) AS f(id, scheme_id)),
        spans AS (
          SELECT s.id, f.scheme_id, s.from_ts, s.to_ts FROM s JOIN f ON f.id = s.id
          UNION ALL
          SELECT s.id, a.scheme_id, greatest(s.from_ts, a.valid_from), least(s.to_ts, coalesce(a.valid_to, s.to_ts))
          FROM s JOIN tariffs.assignments a ON a.metering_point_id = s.id AND a.valid_from < s.to_ts AND (a.valid_to IS NULL OR a.valid_to > s.from_ts)
          WHERE NOT EXISTS (SELECT 1 FROM f WHERE f.id = s.id)
        )
        SELECT spans.scheme_id, extract(epoch FROM r.interval_start)::float8 * 1000 AS start_ms, sum(r.import_wh) AS import_wh
        FROM spans CROSS JOIN LATERAL metering.point_readings(spans.id, spans.from_ts, spans.to_ts) r
        GROUP BY 1, r.interval_start`;
    });
    return [...sums].map(([schemeId, quarters]) => ({ schemeId, quarters }));
  }

  /** Per point, the spans of the window whose data `readable` keeps, oldest first; a point with none is left out. */
  async readableSpans(meteringPointIds: readonly string[], window: TariffWindow, readable: ReadableAt): Promise<Map<string, TariffWindow[]>> {
    const result = await this.db.execute<{ id: string; from_ms: number; to_ms: number }>(sql`
      SELECT id, extract(epoch FROM from_ts)::float8 * 1000 AS from_ms, extract(epoch FROM to_ts)::float8 * 1000 AS to_ms
      FROM (${readableSpans(meteringPointIds, window, readable)}) s ORDER BY id, from_ts`);
    const spans = new Map<string, TariffWindow[]>();
    for (const row of result.rows) {
      const span = { fromMs: Number(row.from_ms), toMs: Number(row.to_ms) };
      const own = spans.get(row.id);
      if (own) own.push(span);
      else spans.set(row.id, [span]);
    }
    return spans;
  }

  /** Of the ids, how many are metering points, and how many of those `visible` keeps. */
  async visibility(meteringPointIds: readonly string[], visible: PointCondition): Promise<{ existing: number; visible: number }> {
    const result = await this.db.execute<{ existing: string; visible: string }>(sql`
      SELECT count(*) AS existing, count(*) FILTER (WHERE ${visible(sql.raw('mp.metering_point_id'))}) AS visible
      FROM metering.metering_points_v mp WHERE mp.metering_point_id = ANY(${sql.param([...meteringPointIds])}::text[])`);
    const row = result.rows[0]!;
    return { existing: Number(row.existing), visible: Number(row.visible) };
  }

  /** Every feeder with the substations above it (grid's published view): the tree of the aggregate rule. */
  async feeders(): Promise<AreaTreeFeeder[]> {
    const result = await this.db.execute<{ feeder_id: string; secondary_substation_id: string; primary_substation_id: string }>(sql`
      SELECT feeder_id, secondary_substation_id, primary_substation_id FROM grid.feeders_v`);
    return result.rows.map((row) => ({ id: row.feeder_id, secondarySubstationId: row.secondary_substation_id, primarySubstationId: row.primary_substation_id }));
  }

  /** The present metering points per feeder ('' for none) and retailer (null: no contract), and how many of them `known` keeps. */
  async placements(known: PointCondition): Promise<PlacementCount[]> {
    const result = await this.db.execute<{ placement: string; retailer_id: string | null; points: string; known: string }>(sql`
      SELECT coalesce(c.feeder_id, '') AS placement, mp.retailer_id, count(*) AS points, count(*) FILTER (WHERE ${known(sql.raw('mp.metering_point_id'))}) AS known
      FROM metering.metering_points_v mp
      LEFT JOIN grid.metering_point_connections_v c ON c.metering_point_id = mp.metering_point_id
      GROUP BY 1, 2`);
    return result.rows.map((row) => ({ placement: row.placement, retailerId: row.retailer_id, points: Number(row.points), known: Number(row.known) }));
  }
}

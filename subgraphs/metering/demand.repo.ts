import { sql, type SQL } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { Database } from '../kit/db';
import { mayList, mayReadAt } from '../kit/point-access.sql';
import { anyText } from '../kit/sql';
import { ofPoints, type PointKeys } from './point-keys.sql';
import { bucketHours, bucketStart } from './bucket.sql';
import { DemandScopeKind } from './demand.rules';
import type { CurveWindow } from './demand.rules';

export interface DemandPointRow {
  intervalStart: Date;
  importWh: number;
  exportWh: number;
  avgImportKw: number;
  readingCount: number;
}

interface SeriesRow extends Record<string, unknown> {
  /** drizzle's driver hands timestamps of raw statements over as text. */
  bucket: string;
  import_wh: string;
  export_wh: string;
  reading_count: string;
  hours: string;
}

const AREA_COLUMN: Record<DemandScopeKind.PrimarySubstation | DemandScopeKind.SecondarySubstation | DemandScopeKind.Feeder, string> = {
  [DemandScopeKind.PrimarySubstation]: 'primary_substation_id',
  [DemandScopeKind.SecondarySubstation]: 'secondary_substation_id',
  [DemandScopeKind.Feeder]: 'feeder_id',
};

export type AreaKind = keyof typeof AREA_COLUMN | DemandScopeKind.Network;

function toDemandPoint(row: SeriesRow): DemandPointRow {
  const importWh = Number(row.import_wh);
  return {
    intervalStart: new Date(row.bucket),
    importWh,
    exportWh: Number(row.export_wh),
    avgImportKw: importWh / Number(row.hours) / 1000,
    readingCount: Number(row.reading_count),
  };
}

/** Aggregated demand: areas and retailers from the rollups, point sets from the readings. */
export class DemandRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
    private readonly keysOf: PointKeys,
  ) {}

  /** Metering points in an area, from grid's published view; null when the area does not exist. */
  async areaPointCount(kind: AreaKind, id: string): Promise<number | null> {
    if (kind === DemandScopeKind.Network) {
      const result = await this.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM metering.metering_points`);
      return Number(result.rows[0]!.n);
    }
    const column = sql.raw(AREA_COLUMN[kind]);
    const existence =
      kind === DemandScopeKind.Feeder
        ? sql`SELECT 1 FROM grid.feeders_v WHERE feeder_id = ${id}`
        : sql`SELECT 1 FROM grid.substations_v WHERE ${column} = ${id}`;
    const result = await this.db.execute<{ exists: boolean; n: string }>(sql`
      SELECT EXISTS (${existence}) AS exists,
        (SELECT count(*) FROM grid.metering_point_connections_v WHERE ${column} = ${id}) AS n`);
    const row = result.rows[0]!;
    return row.exists ? Number(row.n) : null;
  }

  /** Metering points a retailer supplies or supplied; 0 for an unknown retailer. */
  async retailerPointCount(retailerId: string): Promise<number> {
    const result = await this.db.execute<{ n: string }>(
      sql`SELECT count(DISTINCT metering_point_id) AS n FROM metering.supply_contracts WHERE retailer_id = ${retailerId}`,
    );
    return Number(result.rows[0]!.n);
  }

  /** Of `ids`, how many exist, and how many the caller may see one by one. */
  async pointVisibility(ids: readonly string[]): Promise<{ existing: number; visible: number }> {
    const result = await this.db.execute<{ existing: string; visible: string }>(sql`
      SELECT count(*) AS existing, count(*) FILTER (WHERE ${mayList(this.identity, sql.raw('mp.id'))}) AS visible
      FROM metering.metering_points mp WHERE ${anyText(sql.raw('mp.id'), ids)}`);
    const row = result.rows[0]!;
    return { existing: Number(row.existing), visible: Number(row.visible) };
  }

  rollupSeries(kind: DemandScopeKind, id: string, window: CurveWindow): Promise<DemandPointRow[]> {
    return this.series(
      sql`SELECT interval_start, import_wh, export_wh, reading_count FROM metering.demand_rollups
          WHERE scope_kind = ${kind} AND scope_id = ${id}
            AND interval_start >= ${new Date(window.fromMs)} AND interval_start < ${new Date(window.toMs)}`,
      window,
    );
  }

  /** The sum of the points' readings, each kept only where the caller may read it (the DSO: all). */
  async pointSetSeries(ids: readonly string[], window: CurveWindow): Promise<DemandPointRow[]> {
    const points = await ofPoints(this.keysOf, 'r.metering_point_key', ids);
    return this.series(
      sql`SELECT r.interval_start, r.import_wh, r.export_wh, 1 AS reading_count
          FROM metering.metering_points mp
          JOIN metering.readings r ON r.metering_point_key = mp.key
          WHERE ${points}
            AND r.interval_start >= ${new Date(window.fromMs)} AND r.interval_start < ${new Date(window.toMs)}
            AND ${mayReadAt(this.identity, sql.raw('mp.id'), sql.raw('r.interval_start'), 'metering:read')}`,
      window,
    );
  }

  /** Sums `source` (interval_start, import_wh, export_wh, reading_count) into the window's buckets. */
  private async series(source: SQL, window: CurveWindow): Promise<DemandPointRow[]> {
    const result = await this.db.execute<SeriesRow>(sql`
      SELECT b.bucket, b.import_wh, b.export_wh, b.reading_count, ${bucketHours(sql.raw('b.bucket'), window.resolution)} AS hours
      FROM (
        SELECT ${bucketStart(sql.raw('s.interval_start'), window.resolution)} AS bucket,
          sum(s.import_wh) AS import_wh, sum(s.export_wh) AS export_wh, sum(s.reading_count) AS reading_count
        FROM (${source}) s
        GROUP BY 1
      ) b
      ORDER BY b.bucket`);
    return result.rows.map(toDemandPoint);
  }
}

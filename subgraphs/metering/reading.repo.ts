import { sql, type SQL } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { Database } from '../kit/db';
import { mayReadAt } from '../kit/point-access.sql';
import { ofPoints, type PointKeys } from './point-keys.sql';
import { bucketHours, bucketIndex, bucketStart } from './bucket.sql';
import type { CurveWindow } from './demand.rules';

export interface CurvePointRow {
  intervalStart: Date;
  importWh: number;
  exportWh: number;
  avgImportKw: number;
}

interface BucketRow extends Record<string, unknown> {
  metering_point_id: string;
  /** drizzle's driver hands timestamps of raw statements over as text. */
  bucket: string;
  import_wh: string;
  export_wh: string;
  hours: string;
}

const toCurvePoint = (row: BucketRow): CurvePointRow => {
  const importWh = Number(row.import_wh);
  return { intervalStart: new Date(row.bucket), importWh, exportWh: Number(row.export_wh), avgImportKw: importWh / Number(row.hours) / 1000 };
};

/** A point's series: the positions of the buckets that hold readings, and their energy. */
export interface SeriesRow {
  index: number[];
  importWh: number[];
  exportWh: number[];
}

interface SeriesRecord extends Record<string, unknown> {
  metering_point_id: string;
  idx: number[];
  import_wh: string[];
  export_wh: string[];
}

export class ReadingRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
    private readonly keysOf: PointKeys,
  ) {}

  /** Load curves of many points over one window, in one statement after the points' keys. */
  async loadCurves(pointIds: readonly string[], window: CurveWindow): Promise<Map<string, CurvePointRow[]>> {
    const sums = await this.bucketSums(pointIds, window, (bucket) => bucket);
    const result = await this.db.execute<BucketRow>(sql`
      SELECT b.metering_point_id, b.bucket, b.import_wh, b.export_wh, ${bucketHours(sql.raw('b.bucket'), window.resolution)} AS hours
      FROM (${sums}) b
      ORDER BY b.metering_point_id, b.bucket`);
    const curves = new Map<string, CurvePointRow[]>(pointIds.map((id) => [id, []]));
    for (const row of result.rows) curves.get(row.metering_point_id)?.push(toCurvePoint(row));
    return curves;
  }

  /**
   * The same readings as loadCurves, shaped in SQL as three arrays per point: a row per point
   * rather than per bucket is what keeps a week of a thousand curves cheap to carry.
   */
  async loadSeries(pointIds: readonly string[], window: CurveWindow): Promise<Map<string, SeriesRow>> {
    const sums = await this.bucketSums(pointIds, window, (bucket) => bucketIndex(bucket, window));
    const result = await this.db.execute<SeriesRecord>(sql`
      SELECT b.metering_point_id, array_agg(b.bucket ORDER BY b.bucket) AS idx,
        array_agg(b.import_wh ORDER BY b.bucket) AS import_wh, array_agg(b.export_wh ORDER BY b.bucket) AS export_wh
      FROM (${sums}) b
      GROUP BY 1`);
    return new Map(result.rows.map((row) => [row.metering_point_id, { index: row.idx, importWh: row.import_wh.map(Number), exportWh: row.export_wh.map(Number) }]));
  }

  /**
   * `(metering_point_id, bucket, import_wh, export_wh)`: each point's energy per bucket of the
   * window, each reading kept only when the caller may read that point at that interval
   * (point-access.sql.ts): a former supplier gets its own contract periods, a consent holder the
   * consented period. `label` names the bucket: its start, or its position in the window.
   */
  private async bucketSums(pointIds: readonly string[], window: CurveWindow, label: (bucketStart: SQL) => SQL): Promise<SQL> {
    const points = await ofPoints(this.keysOf, 'r.metering_point_key', pointIds);
    return sql`
        SELECT mp.id AS metering_point_id, ${label(bucketStart(sql.raw('r.interval_start'), window.resolution))} AS bucket,
          sum(r.import_wh) AS import_wh, sum(r.export_wh) AS export_wh
        FROM metering.metering_points mp
        JOIN metering.readings r ON r.metering_point_key = mp.key
        WHERE ${points}
          AND r.interval_start >= ${new Date(window.fromMs)} AND r.interval_start < ${new Date(window.toMs)}
          AND ${mayReadAt(this.identity, sql.raw('mp.id'), sql.raw('r.interval_start'), 'metering:read')}
        GROUP BY 1, 2`;
  }
}

import { sql } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';
import { withinContractsOf } from './supply-contract.sql';
import { bucketHours, bucketStart } from './bucket.sql';
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

export const toCurvePoint = (row: { bucket: string; import_wh: string; export_wh: string; hours: string }): CurvePointRow => {
  const importWh = Number(row.import_wh);
  return { intervalStart: new Date(row.bucket), importWh, exportWh: Number(row.export_wh), avgImportKw: importWh / Number(row.hours) / 1000 };
};

export class ReadingRepo {
  constructor(private readonly db: Database) {}

  /**
   * Load curves of many points over one window in one statement. With `restrictToRetailer`, only
   * intervals inside that retailer's supply contracts are returned.
   */
  async loadCurves(pointIds: readonly string[], window: CurveWindow, restrictToRetailer: string | null): Promise<Map<string, CurvePointRow[]>> {
    const bucket = bucketStart(sql.raw('r.interval_start'), window.resolution);
    const contract = withinContractsOf(restrictToRetailer, 'r.interval_start');
    const result = await this.db.execute<BucketRow>(sql`
      SELECT b.metering_point_id, b.bucket, b.import_wh, b.export_wh, ${bucketHours(sql.raw('b.bucket'), window.resolution)} AS hours
      FROM (
        SELECT mp.id AS metering_point_id, ${bucket} AS bucket, sum(r.import_wh) AS import_wh, sum(r.export_wh) AS export_wh
        FROM metering.metering_points mp
        JOIN metering.readings r ON r.metering_point_key = mp.key
        ${contract}
        WHERE ${anyText(sql.raw('mp.id'), pointIds)}
          AND r.interval_start >= ${new Date(window.fromMs)} AND r.interval_start < ${new Date(window.toMs)}
        GROUP BY 1, 2
      ) b
      ORDER BY b.metering_point_id, b.bucket`);
    const curves = new Map<string, CurvePointRow[]>(pointIds.map((id) => [id, []]));
    for (const row of result.rows) curves.get(row.metering_point_id)?.push(toCurvePoint(row));
    return curves;
  }

  /** One append-only line per metering point whose personal data this request reads. */
  async recordAccess(identity: Identity, requestId: string, resource: string, pointIds: readonly string[], window: Pick<CurveWindow, 'fromMs' | 'toMs'>): Promise<void> {
    if (pointIds.length === 0) return;
    await this.db.execute(sql`
      INSERT INTO hub.access_log (key_id, organisation_id, request_id, metering_point_id, resource, period_from, period_to)
      SELECT ${identity.keyId}, ${identity.organisationId}, ${requestId}, id, ${resource}, ${new Date(window.fromMs)}, ${new Date(window.toMs)}
      FROM unnest(${sql.param([...pointIds])}::text[]) AS id`);
  }
}

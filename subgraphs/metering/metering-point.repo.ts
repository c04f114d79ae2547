import { and, asc, count, gt, sql, type SQL } from 'drizzle-orm';
import { meteringPoints, supplyContracts } from '../../schema/tables';
import type { Database } from '../kit/db';
import type { Page } from '../kit/connection';
import { anyText } from '../kit/sql';
import type { MeteringPointVisibility } from './metering-point.access';
import type { MeteringPoint } from './metering-point.type';

export type MeteringPointRow = MeteringPoint;

const columns = {
  id: meteringPoints.id,
  retailerId: meteringPoints.retailerId,
  contractedPowerKva: meteringPoints.contractedPowerKva,
  customerClass: meteringPoints.customerClass,
  usage: meteringPoints.usage,
  pvCapacityKwp: meteringPoints.pvCapacityKwp,
};

/** The SQL condition for a visibility; null means the caller sees nothing. */
function visibleWhere(visibility: MeteringPointVisibility): SQL | undefined | null {
  switch (visibility.kind) {
    case 'all':
      return undefined;
    case 'retailer':
      // Any point it supplies or supplied; readings are further cut to its own supply periods.
      return sql`EXISTS (SELECT 1 FROM ${supplyContracts} sc WHERE sc.metering_point_id = ${meteringPoints.id} AND sc.retailer_id = ${visibility.retailerId})`;
    case 'none':
      return null;
  }
}

export class MeteringPointRepo {
  constructor(private readonly db: Database) {}

  /** The visible points among `ids`, in any order; invisible and unknown ids are simply absent. */
  async findVisible(ids: readonly string[], visibility: MeteringPointVisibility): Promise<MeteringPointRow[]> {
    const visible = visibleWhere(visibility);
    if (visible === null || ids.length === 0) return [];
    const rows = await this.db
      .select(columns)
      .from(meteringPoints)
      .where(and(anyText(meteringPoints.id, ids), visible));
    return rows as MeteringPointRow[];
  }

  /** The compact key of each existing point among `ids` (readings and events are keyed by it). */
  async keysOf(ids: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.select({ id: meteringPoints.id, key: meteringPoints.key }).from(meteringPoints).where(anyText(meteringPoints.id, ids));
    return new Map(rows.map((row) => [row.id, row.key]));
  }

  /** One keyset page plus one extra row, which tells whether another page follows. */
  async page(visibility: MeteringPointVisibility, page: Page): Promise<{ rows: MeteringPointRow[]; totalCount: number }> {
    const visible = visibleWhere(visibility);
    if (visible === null) return { rows: [], totalCount: 0 };
    const after = page.afterKey === null ? undefined : gt(meteringPoints.id, page.afterKey);
    const [rows, [total]] = await Promise.all([
      this.db
        .select(columns)
        .from(meteringPoints)
        .where(and(visible, after))
        .orderBy(asc(meteringPoints.id))
        .limit(page.limit + 1),
      this.db.select({ n: count() }).from(meteringPoints).where(visible),
    ]);
    return { rows: rows as MeteringPointRow[], totalCount: total?.n ?? 0 };
  }
}

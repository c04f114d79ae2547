import { sql, type SQL } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import { mayList, mayReadPresent } from '../kit/point-access.sql';
import { anyText } from '../kit/sql';
import type { CustomerClass, MeteringPointUsage } from './metering-point.type';

/** A metering point as the caller may see it: the present-state columns are null when it may not. */
export interface MeteringPointRow {
  id: string;
  retailerId: string | null;
  contractedPowerKva: number | null;
  customerClass: CustomerClass | null;
  usage: MeteringPointUsage | null;
  pvCapacityKwp: number | null;
}

export interface PointKeyRow extends Record<string, unknown> {
  id: string;
  key: number;
}

interface Row extends Record<string, unknown> {
  id: string;
  retailer_id: string | null;
  contracted_power_kva: number | null;
  customer_class: CustomerClass | null;
  usage: MeteringPointUsage | null;
  pv_capacity_kwp: number | null;
}

const toRow = (row: Row): MeteringPointRow => ({
  id: row.id,
  retailerId: row.retailer_id,
  contractedPowerKva: row.contracted_power_kva,
  customerClass: row.customer_class,
  usage: row.usage,
  pvCapacityKwp: row.pv_capacity_kwp,
});

/**
 * `points` (rows of metering.metering_points aliased mp), each with `p.present`: may the caller
 * see its present state (a retailer while it supplies the point, a customer its own, a consent
 * holder while the consent is in force, the DSO always). Computed once per row: OFFSET 0 keeps
 * PostgreSQL from pulling the sub-select up into the select list, where each CASE below would
 * evaluate the EXISTS again (five SubPlans a row). The join runs on every row of `points`, so a
 * page is cut before it (page()), not after.
 */
function pointsFor(identity: Identity, points: SQL = sql`metering.metering_points mp`): SQL {
  return sql`${points}
    CROSS JOIN LATERAL (SELECT ${mayReadPresent(identity, sql.raw('mp.id'), 'metering:read')} AS present OFFSET 0) p`;
}

/**
 * The columns of pointsFor, each cut to what the caller may see: the present state only when
 * `p.present`; who supplies the point only to the DSO, the customer and that supplier.
 */
function columnsFor(identity: Identity): SQL {
  const seesSupplier = identity.role === 'dso' || identity.role === 'customer' || identity.role === 'retailer';
  return sql`mp.id,
    ${seesSupplier ? sql`CASE WHEN p.present THEN mp.retailer_id END` : sql`NULL::text`} AS retailer_id,
    CASE WHEN p.present THEN mp.contracted_power_kva END AS contracted_power_kva,
    CASE WHEN p.present THEN mp.customer_class END AS customer_class,
    CASE WHEN p.present THEN mp.usage END AS usage,
    CASE WHEN p.present THEN mp.pv_capacity_kwp END AS pv_capacity_kwp`;
}

export class MeteringPointRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  /** The points among `ids` the caller may see, in any order; others and unknown ids are simply absent. */
  async findVisible(ids: readonly string[]): Promise<MeteringPointRow[]> {
    if (ids.length === 0) return [];
    const result = await this.db.execute<Row>(sql`
      SELECT ${columnsFor(this.identity)} FROM ${pointsFor(this.identity)}
      WHERE ${anyText(sql.raw('mp.id'), ids)} AND ${mayList(this.identity, sql.raw('mp.id'))}`);
    return result.rows.map(toRow);
  }

  /**
   * The compact key of each existing point among `ids` (readings and events are keyed by it),
   * whoever may see it: the readers apply the caller's rules themselves. Read through the
   * request's loader (metering.loader `keysOf`), once per point and request.
   */
  async keys(ids: readonly string[]): Promise<PointKeyRow[]> {
    if (ids.length === 0) return [];
    const result = await this.db.execute<PointKeyRow>(sql`SELECT id, key FROM metering.metering_points WHERE ${anyText(sql.raw('id'), ids)}`);
    return result.rows;
  }

  /** One keyset page plus one extra row, which tells whether another page follows. */
  async page(page: Page): Promise<{ rows: MeteringPointRow[]; totalCount: number }> {
    const listed = mayList(this.identity, sql.raw('mp.id'));
    const after = page.afterKey === null ? sql`` : sql`AND mp.id > ${page.afterKey}`;
    const [rows, total] = await Promise.all([
      this.db.execute<Row>(sql`
        SELECT ${columnsFor(this.identity)}
        FROM ${pointsFor(this.identity, sql`(SELECT * FROM metering.metering_points mp WHERE ${listed} ${after} ORDER BY mp.id LIMIT ${page.limit + 1}) mp`)}
        ORDER BY mp.id`),
      this.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM metering.metering_points mp WHERE ${listed}`),
    ]);
    return { rows: rows.rows.map(toRow), totalCount: Number(total.rows[0]!.n) };
  }
}

import { and, asc, count, gt, sql, type SQL } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import { devices, hemsSystems } from '../../schema/tables';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import { consentFor, contractOf } from '../kit/point-access.sql';
import { anyText } from '../kit/sql';
import { mayViewHems } from './hems-access.sql';
import type { Device, Hems } from './hems.type';

/**
 * The retailer supplying the point now that the customer shares its HEMS with: for the DSO, the
 * customer and that retailer. Who supplies a point is not an aggregator's or researcher's to know
 * (their metering point's retailerId is null too).
 */
const sharedWithRetailer = (identity: Identity): SQL<string | null> =>
  identity.role === 'dso' || identity.role === 'customer' || identity.role === 'retailer' ? sharedWithAnyRetailer : sql<null>`NULL::text`;

const sharedWithAnyRetailer = sql<string | null>`(
  SELECT o.id FROM hub.organisations o
  WHERE o.kind = 'retailer'
    AND ${contractOf(sql.raw('o.id'), sql`${hemsSystems.meteringPointId}`, sql`now()`)}
    AND ${consentFor(sql.raw('o.id'), sql`${hemsSystems.meteringPointId}`, 'hems:read', null)}
  ORDER BY o.id LIMIT 1)`;

const columnsFor = (identity: Identity) => ({
  id: hemsSystems.id,
  meteringPointId: hemsSystems.meteringPointId,
  vendor: hemsSystems.vendor,
  protocol: hemsSystems.protocol,
  installedAt: hemsSystems.installedAt,
  online: hemsSystems.online,
  lastSeenAt: hemsSystems.lastSeenAt,
  sharedWithRetailerId: sharedWithRetailer(identity),
});

const toHems = (row: Omit<Hems, 'meteringPoint'>): Hems => ({ ...row, meteringPoint: { id: row.meteringPointId } });

/** HEMS ids: what the seed and grid:import make, and what a cursor of hemsSystems holds. */
export const isHemsKey = (key: string) => /^[A-Za-z0-9._:-]{1,64}$/.test(key);

/** HEMS and their devices, each read only as far as the caller may see it (hems-access.sql.ts). */
export class HemsRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  private visible(): SQL {
    return mayViewHems(this.identity, sql`${hemsSystems.id}`, sql`${hemsSystems.meteringPointId}`);
  }

  async byMeteringPoints(meteringPointIds: readonly string[]): Promise<Hems[]> {
    const rows = await this.db.select(columnsFor(this.identity)).from(hemsSystems).where(and(anyText(hemsSystems.meteringPointId, meteringPointIds), this.visible()));
    return rows.map(toHems);
  }

  async byIds(ids: readonly string[]): Promise<Hems[]> {
    const rows = await this.db.select(columnsFor(this.identity)).from(hemsSystems).where(and(anyText(hemsSystems.id, ids), this.visible()));
    return rows.map(toHems);
  }

  /** A keyset page (by id) of the HEMS the caller may see, and how many there are. */
  async page(page: Page): Promise<{ rows: Hems[]; totalCount: number }> {
    const after = page.afterKey === null ? undefined : gt(hemsSystems.id, page.afterKey);
    const [rows, [total]] = await Promise.all([
      this.db.select(columnsFor(this.identity)).from(hemsSystems).where(and(this.visible(), after)).orderBy(asc(hemsSystems.id)).limit(page.limit + 1),
      this.db.select({ n: count() }).from(hemsSystems).where(this.visible()),
    ]);
    return { rows: rows.map(toHems), totalCount: total?.n ?? 0 };
  }

  /** Devices of HEMS already checked (loaded through this repo). */
  devicesOf(hemsIds: readonly string[]): Promise<Device[]> {
    return this.db.select().from(devices).where(anyText(devices.hemsId, hemsIds)).orderBy(asc(devices.id));
  }
}

import { sql, type SQL } from 'drizzle-orm';
import type { Role } from '../../schema/identity';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import { AuditEntryKind, type AuditEntry, type AuditLogFilter, type DataAccess } from './audit.type';

interface AccessRow extends Record<string, unknown> {
  id: string;
  at: string;
  /** `at` in microseconds, exact: the keyset cursor (a Date would drop the microseconds). */
  at_us: string;
  organisation_id: string;
  role: Role | null;
  resource: string;
  period_from: string | null;
  period_to: string | null;
}

interface EntryRow extends AccessRow {
  kind: AuditEntryKind;
  key_id: string;
  request_id: string;
  target: string;
  detail: string;
}

const date = (value: string | null) => (value === null ? null : new Date(value));
const micros = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000000)::bigint`);

/** Keys of both lists: `<microseconds>|<id>` and `<microseconds>|<kind>|<id>`. */
export const isAccessKey = (key: string) => /^\d{1,18}\|\d{1,18}$/.test(key);
export const isAuditKey = (key: string) => /^\d{1,18}\|(MUTATION|READ)\|\d{1,18}$/.test(key);

export type DataAccessRow = DataAccess & { cursorKey: string };
export type AuditEntryRow = AuditEntry & { cursorKey: string };

/** Who read what (hub.access_log) and who changed what (hub.audit_log), newest first. */
export class AuditRepo {
  constructor(private readonly db: Database) {}

  async accessPage(meteringPointId: string, page: Page): Promise<{ rows: DataAccessRow[]; totalCount: number }> {
    const [us, id] = page.afterKey?.split('|') ?? [];
    const after = us && id ? sql`AND (${micros('a.at')}, a.id) < (${us}::bigint, ${id}::bigint)` : sql``;
    const [rows, total] = await Promise.all([
      this.db.execute<AccessRow>(sql`
        SELECT a.id, a.at, ${micros('a.at')}::text AS at_us, a.organisation_id, a.role, a.resource, a.period_from, a.period_to
        FROM hub.access_log a WHERE a.metering_point_id = ${meteringPointId} ${after}
        ORDER BY a.at DESC, a.id DESC LIMIT ${page.limit + 1}`),
      this.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM hub.access_log WHERE metering_point_id = ${meteringPointId}`),
    ]);
    return {
      rows: rows.rows.map((row) => ({
        at: new Date(row.at),
        organisationId: row.organisation_id,
        role: row.role,
        field: row.resource,
        periodFrom: date(row.period_from),
        periodTo: date(row.period_to),
        cursorKey: `${row.at_us}|${row.id}`,
      })),
      totalCount: Number(total.rows[0]!.n),
    };
  }

  async auditPage(filter: AuditLogFilter, page: Page): Promise<{ rows: AuditEntryRow[]; totalCount: number }> {
    const within = (column: string) => sql`${sql.raw(column)} >= ${filter.from} AND ${sql.raw(column)} < ${filter.to}`;
    const byOrganisation = (column: string): SQL => (filter.organisationId ? sql`AND ${sql.raw(column)} = ${filter.organisationId}` : sql``);
    const mutations = filter.kind === AuditEntryKind.READ || filter.meteringPointId
      ? null
      : sql`SELECT 'MUTATION' AS kind, m.id, m.at, m.key_id, m.organisation_id, m.role, m.request_id, m.operation AS resource, m.target, m.detail,
            NULL::timestamptz AS period_from, NULL::timestamptz AS period_to
          FROM hub.audit_log m WHERE ${within('m.at')} ${byOrganisation('m.organisation_id')}`;
    const reads = filter.kind === AuditEntryKind.MUTATION
      ? null
      : sql`SELECT 'READ' AS kind, a.id, a.at, a.key_id, a.organisation_id, a.role, a.request_id, a.resource, a.metering_point_id AS target, '' AS detail,
            a.period_from, a.period_to
          FROM hub.access_log a WHERE ${within('a.at')} ${byOrganisation('a.organisation_id')}
            ${filter.meteringPointId ? sql`AND a.metering_point_id = ${filter.meteringPointId}` : sql``}`;
    const parts = [mutations, reads].filter((part): part is SQL => part !== null);
    const union = sql.join(parts, sql` UNION ALL `);
    const [us, kind, id] = page.afterKey?.split('|') ?? [];
    const after = us && kind && id ? sql`WHERE (${micros('e.at')}, e.kind, e.id) < (${us}::bigint, ${kind}, ${id}::bigint)` : sql``;
    const [rows, total] = await Promise.all([
      this.db.execute<EntryRow>(sql`
        SELECT e.*, ${micros('e.at')}::text AS at_us FROM (${union}) e ${after}
        ORDER BY e.at DESC, e.kind DESC, e.id DESC LIMIT ${page.limit + 1}`),
      this.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM (${union}) e`),
    ]);
    return {
      rows: rows.rows.map((row) => ({
        kind: row.kind,
        at: new Date(row.at),
        keyId: row.key_id,
        organisationId: row.organisation_id,
        role: row.role,
        requestId: row.request_id,
        operation: row.resource,
        target: row.target,
        detail: row.detail,
        periodFrom: date(row.period_from),
        periodTo: date(row.period_to),
        cursorKey: `${row.at_us}|${row.kind}|${row.id}`,
      })),
      totalCount: Number(total.rows[0]!.n),
    };
  }
}

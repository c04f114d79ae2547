import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { PilotParty } from '../../schema/tariffs';
import { pilotEnrolments, tariffAssignments, tariffSchemes } from '../../schema/tables';
import type { Page } from '../kit/connection';
import type { Database, Transaction } from '../kit/db';
import { contractOf } from '../kit/point-access.sql';
import { anyText } from '../kit/sql';
import type { SchemeFacts } from './critical-peak-event.rules';
import { enrolmentStatus, type EnrolmentState, type PilotEnrolmentStatus } from './pilot-enrolment.rules';
import type { PilotEnrolment } from './pilot-enrolment.type';

export type PilotEnrolmentRow = typeof pilotEnrolments.$inferSelect;

export const stateOf = (row: PilotEnrolmentRow): EnrolmentState => ({
  schemeId: row.schemeId,
  retailerId: row.retailerId,
  startsAtMs: row.startsAt.getTime(),
  customerAcceptedAtMs: row.customerAcceptedAt?.getTime() ?? null,
  retailerAcceptedAtMs: row.retailerAcceptedAt?.getTime() ?? null,
  endsAtMs: row.endsAt?.getTime() ?? null,
  withdrawnAtMs: row.withdrawnAt?.getTime() ?? null,
});

export const toEnrolment = (row: PilotEnrolmentRow, nowMs: number): PilotEnrolment => ({
  id: row.id,
  meteringPointId: row.meteringPointId,
  schemeId: row.schemeId,
  status: enrolmentStatus(stateOf(row), nowMs),
  startsAt: row.startsAt,
  endsAt: row.endsAt,
  customerAcceptedAt: row.customerAcceptedAt,
  retailerAcceptedAt: row.retailerAcceptedAt,
  withdrawnBy: row.withdrawnBy,
  withdrawnAt: row.withdrawnAt,
});

const pe = pilotEnrolments;

/** enrolmentStatus (pilot-enrolment.rules.ts) in SQL, at the statement's now(), so that a status filter pages in the database. */
const statusSql = sql<PilotEnrolmentStatus>`CASE
  WHEN ${pe.withdrawnAt} IS NOT NULL AND ${pe.endsAt} IS NULL THEN 'WITHDRAWN'
  WHEN ${pe.customerAcceptedAt} IS NULL OR ${pe.retailerAcceptedAt} IS NULL THEN CASE WHEN ${pe.startsAt} <= now() THEN 'EXPIRED' ELSE 'PENDING' END
  WHEN ${pe.endsAt} IS NOT NULL AND ${pe.endsAt} <= now() THEN 'ENDED'
  ELSE 'ACTIVE' END`;

const isOpenSql = sql`${statusSql} IN ('PENDING', 'ACTIVE')`;

/**
 * Which enrolments the caller may list: the DSO all; a customer its point's; a retailer those of
 * the points it supplies now, and of them only those whose life (from the first acceptance to
 * their end or cancellation) falls partly in one of its own supply periods of the point.
 */
function mayList(identity: Identity): SQL {
  switch (identity.role) {
    case 'dso':
      return sql`true`;
    case 'customer':
      return eq(pe.meteringPointId, identity.organisationId);
    case 'retailer':
      return sql`${contractOf(identity.organisationId, sql`${pe.meteringPointId}`, sql`now()`)} AND EXISTS (
        SELECT 1 FROM metering.supply_contracts_v sc
        WHERE sc.metering_point_id = ${pe.meteringPointId} AND sc.retailer_id = ${identity.organisationId}
          AND tstzrange(sc.valid_from, sc.valid_to) && tstzrange(${pe.createdAt}, coalesce(${pe.endsAt}, ${pe.withdrawnAt})))`;
    default:
      return sql`false`;
  }
}

/** Keys of pilotEnrolments' pages: microseconds, then the enrolment's id. */
export const isEnrolmentKey = (key: string) => /^\d{1,18}\|.+$/.test(key);

/** Reading enrolments: lists under the caller's rules, and points' open enrolments for points the kit has checked. */
export class PilotEnrolmentRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  /** A keyset page of the enrolments the caller may list, newest first (keys: `<created_at in microseconds>|<id>`, isEnrolmentKey), with their count. */
  async page(filter: { meteringPointId: string | null; status: PilotEnrolmentStatus | null }, page: Page): Promise<{ rows: { row: PilotEnrolmentRow; cursorKey: string }[]; totalCount: number }> {
    const listed = and(mayList(this.identity), filter.meteringPointId === null ? undefined : eq(pe.meteringPointId, filter.meteringPointId), filter.status === null ? undefined : sql`${statusSql} = ${filter.status}`);
    // Exact to the microsecond, as created_at is: a Date would drop them, and skip or repeat rows.
    const createdUs = sql`(extract(epoch FROM ${pe.createdAt}) * 1000000)::bigint`;
    const separator = page.afterKey?.indexOf('|') ?? -1;
    const after = page.afterKey === null ? undefined : sql`(${createdUs}, ${pe.id}) < (${page.afterKey.slice(0, separator)}::bigint, ${page.afterKey.slice(separator + 1)})`;
    const [rows, [total]] = await Promise.all([
      this.db
        .select({ row: pe, createdUs: sql<string>`${createdUs}::text` })
        .from(pe)
        .where(and(listed, after))
        .orderBy(desc(pe.createdAt), desc(pe.id))
        .limit(page.limit + 1),
      this.db.select({ n: sql<number>`count(*)::int` }).from(pe).where(listed),
    ]);
    return { rows: rows.map(({ row, createdUs: us }) => ({ row, cursorKey: `${us}|${row.id}` })), totalCount: total?.n ?? 0 };
  }

  /** Each point's open (PENDING or ACTIVE) enrolment; only for points already checked against the caller. */
  open(meteringPointIds: readonly string[]): Promise<PilotEnrolmentRow[]> {
    return this.db.select().from(pe).where(and(anyText(pe.meteringPointId, meteringPointIds), isOpenSql));
  }
}

/** The point's enrolments and assignments change one request at a time until commit. */
export async function lockPoint(tx: Transaction, meteringPointId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tariffs.pilot_enrolments'), hashtext(${meteringPointId}))`);
}

/** Whether the point exists, and who supplies it now (metering's published contracts). */
export async function pointNow(tx: Transaction, meteringPointId: string): Promise<{ exists: boolean; retailerId: string | null }> {
  const result = await tx.execute<{ retailer_id: string | null }>(sql`
    SELECT (SELECT sc.retailer_id FROM metering.supply_contracts_v sc
            WHERE sc.metering_point_id = mp.metering_point_id AND sc.valid_from <= now() AND (sc.valid_to IS NULL OR sc.valid_to > now())
            ORDER BY sc.valid_from DESC LIMIT 1) AS retailer_id
    FROM metering.metering_points_v mp WHERE mp.metering_point_id = ${meteringPointId}`);
  const row = result.rows[0];
  return { exists: row !== undefined, retailerId: row?.retailer_id ?? null };
}

export async function schemeFacts(tx: Transaction, schemeId: string): Promise<SchemeFacts | null> {
  const [scheme] = await tx
    .select({ id: tariffSchemes.id, kind: tariffSchemes.kind, status: tariffSchemes.status, validFrom: tariffSchemes.validFrom, validTo: tariffSchemes.validTo })
    .from(tariffSchemes)
    .where(eq(tariffSchemes.id, schemeId));
  return scheme ?? null;
}

export async function openEnrolment(tx: Transaction, meteringPointId: string): Promise<PilotEnrolmentRow | null> {
  const [row] = await tx.select().from(pe).where(and(eq(pe.meteringPointId, meteringPointId), isOpenSql)).orderBy(desc(pe.createdAt)).limit(1);
  return row ?? null;
}

/** The point's lapsed (EXPIRED) enrolment of the scheme from `startsAt`, if it has one. */
export async function lapsedEnrolment(tx: Transaction, meteringPointId: string, schemeId: string, startsAt: Date): Promise<PilotEnrolmentRow | null> {
  const [row] = await tx
    .select()
    .from(pe)
    .where(and(eq(pe.meteringPointId, meteringPointId), eq(pe.schemeId, schemeId), eq(pe.startsAt, startsAt), sql`${statusSql} = 'EXPIRED'`))
    .orderBy(desc(pe.createdAt))
    .limit(1);
  return row ?? null;
}

export async function insertEnrolment(tx: Transaction, values: { id: string; meteringPointId: string; schemeId: string; retailerId: string; startsAt: Date; party: PilotParty }): Promise<PilotEnrolmentRow> {
  const acceptedAt = sql`now()`;
  const [row] = await tx
    .insert(pe)
    .values({
      id: values.id,
      meteringPointId: values.meteringPointId,
      schemeId: values.schemeId,
      retailerId: values.retailerId,
      startsAt: values.startsAt,
      customerAcceptedAt: values.party === 'CUSTOMER' ? acceptedAt : null,
      retailerAcceptedAt: values.party === 'RETAILER' ? acceptedAt : null,
    })
    .returning();
  return row!;
}

export async function recordAcceptance(tx: Transaction, id: string, party: PilotParty): Promise<PilotEnrolmentRow> {
  const [row] = await tx
    .update(pe)
    .set(party === 'CUSTOMER' ? { customerAcceptedAt: sql`now()` } : { retailerAcceptedAt: sql`now()` })
    .where(eq(pe.id, id))
    .returning();
  return row!;
}

export async function recordWithdrawal(tx: Transaction, id: string, party: PilotParty, endsAt: Date | null): Promise<PilotEnrolmentRow> {
  const [row] = await tx.update(pe).set({ withdrawnBy: party, withdrawnAt: sql`now()`, endsAt }).where(eq(pe.id, id)).returning();
  return row!;
}

/** The point's assignments in force at `at` or later, oldest first: the one the pilot follows, and any change already planned. */
export function assignmentsFrom(tx: Transaction, meteringPointId: string, at: Date) {
  return tx
    .select()
    .from(tariffAssignments)
    .where(and(eq(tariffAssignments.meteringPointId, meteringPointId), sql`(${tariffAssignments.validTo} IS NULL OR ${tariffAssignments.validTo} > ${at})`))
    .orderBy(tariffAssignments.validFrom);
}

/** The pilot's scheme from `startsAt` on: the assignment in force then (if any) is closed at it. Order matters: assignments may never overlap. */
export async function openPilotAssignment(tx: Transaction, meteringPointId: string, schemeId: string, startsAt: Date, previousFrom: Date | null): Promise<void> {
  if (previousFrom) {
    await tx
      .update(tariffAssignments)
      .set({ validTo: startsAt })
      .where(and(eq(tariffAssignments.meteringPointId, meteringPointId), eq(tariffAssignments.validFrom, previousFrom)));
  }
  await tx.insert(tariffAssignments).values({ meteringPointId, schemeId, validFrom: startsAt, validTo: null });
}

/** Whether the point's pilot assignment from `startsAt` is still its open-ended last one, as the pilot left it. */
async function pilotAssignmentIsLast(tx: Transaction, meteringPointId: string, schemeId: string, startsAt: Date): Promise<boolean> {
  const rows = await assignmentsFrom(tx, meteringPointId, startsAt);
  return rows.length === 1 && rows[0]!.schemeId === schemeId && rows[0]!.validFrom.getTime() === startsAt.getTime() && rows[0]!.validTo === null;
}

/**
 * A pilot withdrawn before it started: its assignment goes, and the one it had closed is open-ended
 * again. False, and nothing changed, when the point's assignments are no longer as the pilot left them.
 */
export async function cancelPilotAssignment(tx: Transaction, meteringPointId: string, schemeId: string, startsAt: Date): Promise<boolean> {
  if (!(await pilotAssignmentIsLast(tx, meteringPointId, schemeId, startsAt))) return false;
  await tx.delete(tariffAssignments).where(and(eq(tariffAssignments.meteringPointId, meteringPointId), eq(tariffAssignments.validFrom, startsAt)));
  await tx
    .update(tariffAssignments)
    .set({ validTo: null })
    .where(and(eq(tariffAssignments.meteringPointId, meteringPointId), eq(tariffAssignments.validTo, startsAt)));
  return true;
}

/**
 * A started pilot ends at `endsAt`: its assignment is closed then, and the scheme the point was on
 * before the pilot applies again from it. False, and nothing changed, when the point's assignments
 * are no longer as the pilot left them.
 */
export async function endPilotAssignment(tx: Transaction, meteringPointId: string, schemeId: string, startsAt: Date, endsAt: Date): Promise<boolean> {
  if (!(await pilotAssignmentIsLast(tx, meteringPointId, schemeId, startsAt))) return false;
  await tx
    .update(tariffAssignments)
    .set({ validTo: endsAt })
    .where(and(eq(tariffAssignments.meteringPointId, meteringPointId), eq(tariffAssignments.validFrom, startsAt)));
  const [before] = await tx
    .select({ schemeId: tariffAssignments.schemeId })
    .from(tariffAssignments)
    .where(and(eq(tariffAssignments.meteringPointId, meteringPointId), eq(tariffAssignments.validTo, startsAt)));
  if (before) await tx.insert(tariffAssignments).values({ meteringPointId, schemeId: before.schemeId, validFrom: endsAt, validTo: null });
  return true;
}

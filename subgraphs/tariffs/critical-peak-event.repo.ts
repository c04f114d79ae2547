import { and, asc, eq, gt, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { criticalPeakEvents, tariffSchemes } from '../../schema/tables';
import { lisbonLocalDay } from '../kit/calendar';
import type { Page } from '../kit/connection';
import type { Database, Transaction } from '../kit/db';
import type { EventWindow, SchemeFacts } from './critical-peak-event.rules';
import type { CriticalPeakEvent } from './critical-peak-event.type';
import { localDayText } from '../kit/local-day';

type EventRow = typeof criticalPeakEvents.$inferSelect;

const toEvent = (row: EventRow): CriticalPeakEvent => ({
  id: row.id,
  schemeId: row.schemeId,
  day: localDayText(lisbonLocalDay(row.startsAt.getTime())),
  start: row.startsAt,
  end: row.endsAt,
  announcedAt: row.announcedAt,
});

/** Keys of criticalPeakEvents' pages: the start in epoch milliseconds, the scheme's id, the event's id. */
export const eventKey = (event: CriticalPeakEvent) => `${event.start.getTime()}|${event.schemeId}|${event.id}`;
export const isEventKey = (key: string) => /^\d{1,15}\|.+\|[^|]+$/.test(key);

/**
 * Critical-peak events as everyone with tariffs:read reads them: those of published schemes (the
 * only ones that can have events), which are as public as the schemes' prices.
 */
export class CriticalPeakEventRepo {
  constructor(private readonly db: Database) {}

  private published(where: SQL | undefined) {
    return and(eq(tariffSchemes.status, 'PUBLISHED'), where);
  }

  async byIds(ids: readonly string[]): Promise<CriticalPeakEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .select({ event: criticalPeakEvents })
      .from(criticalPeakEvents)
      .innerJoin(tariffSchemes, eq(tariffSchemes.id, criticalPeakEvents.schemeId))
      .where(this.published(inArray(criticalPeakEvents.id, [...ids])));
    return rows.map((row) => toEvent(row.event));
  }

  /** A keyset page of the events overlapping [from, to), of one scheme or all, by start (keys: eventKey), with their count. */
  async overlapping(schemeId: string | null, fromMs: number, toMs: number, page: Page): Promise<{ rows: CriticalPeakEvent[]; totalCount: number }> {
    const inWindow = this.published(
      and(schemeId === null ? undefined : eq(criticalPeakEvents.schemeId, schemeId), lt(criticalPeakEvents.startsAt, new Date(toMs)), gt(criticalPeakEvents.endsAt, new Date(fromMs))),
    );
    const [startMs, ...rest] = page.afterKey?.split('|') ?? [];
    const afterId = rest.pop();
    const after = page.afterKey === null ? undefined : sql`(${criticalPeakEvents.startsAt}, ${criticalPeakEvents.schemeId}, ${criticalPeakEvents.id}) > (${new Date(Number(startMs))}, ${rest.join('|')}, ${afterId})`;
    const [rows, [total]] = await Promise.all([
      this.db
        .select({ event: criticalPeakEvents })
        .from(criticalPeakEvents)
        .innerJoin(tariffSchemes, eq(tariffSchemes.id, criticalPeakEvents.schemeId))
        .where(and(inWindow, after))
        .orderBy(asc(criticalPeakEvents.startsAt), asc(criticalPeakEvents.schemeId), asc(criticalPeakEvents.id))
        .limit(page.limit + 1),
      this.db.select({ n: sql<number>`count(*)::int` }).from(criticalPeakEvents).innerJoin(tariffSchemes, eq(tariffSchemes.id, criticalPeakEvents.schemeId)).where(inWindow),
    ]);
    return { rows: rows.map((row) => toEvent(row.event)), totalCount: total?.n ?? 0 };
  }
}

/**
 * The scheme an event is announced on, with announcements on it taking turns until commit, so
 * that two overlapping events cannot both pass the overlap check. Null when there is no such scheme.
 */
export async function lockedScheme(tx: Transaction, schemeId: string): Promise<SchemeFacts | null> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tariffs.critical_peak_events'), hashtext(${schemeId}))`);
  const [scheme] = await tx
    .select({ id: tariffSchemes.id, kind: tariffSchemes.kind, status: tariffSchemes.status, validFrom: tariffSchemes.validFrom, validTo: tariffSchemes.validTo })
    .from(tariffSchemes)
    .where(eq(tariffSchemes.id, schemeId));
  return scheme ?? null;
}

/** The scheme's events overlapping the window. */
export async function eventsOverlapping(tx: Transaction, schemeId: string, window: EventWindow): Promise<EventWindow[]> {
  const rows = await tx
    .select({ startsAt: criticalPeakEvents.startsAt, endsAt: criticalPeakEvents.endsAt })
    .from(criticalPeakEvents)
    .where(and(eq(criticalPeakEvents.schemeId, schemeId), lt(criticalPeakEvents.startsAt, new Date(window.endMs)), gt(criticalPeakEvents.endsAt, new Date(window.startMs))));
  return rows.map((row) => ({ startMs: row.startsAt.getTime(), endMs: row.endsAt.getTime() }));
}

export async function insertEvent(tx: Transaction, id: string, schemeId: string, window: EventWindow): Promise<CriticalPeakEvent> {
  const [row] = await tx.insert(criticalPeakEvents).values({ id, schemeId, startsAt: new Date(window.startMs), endsAt: new Date(window.endMs) }).returning();
  return toEvent(row!);
}

/**
 * Who the event concerns: the points assigned to the scheme at some time in its window, and the
 * retailers supplying those points then (metering's published contracts).
 */
export async function eventConcerns(tx: Transaction, schemeId: string, window: EventWindow): Promise<{ retailerIds: string[]; meteringPointIds: string[] }> {
  const [start, end] = [new Date(window.startMs), new Date(window.endMs)];
  const result = await tx.execute<{ metering_point_id: string; retailer_ids: string[] }>(sql`
    SELECT a.metering_point_id,
      ARRAY(SELECT DISTINCT sc.retailer_id FROM metering.supply_contracts_v sc
            WHERE sc.metering_point_id = a.metering_point_id
              AND tstzrange(sc.valid_from, sc.valid_to) && tstzrange(greatest(a.valid_from, ${start}::timestamptz), least(coalesce(a.valid_to, 'infinity'), ${end}::timestamptz))) AS retailer_ids
    FROM tariffs.assignments a
    WHERE a.scheme_id = ${schemeId} AND tstzrange(a.valid_from, a.valid_to) && tstzrange(${start}::timestamptz, ${end}::timestamptz)`);
  return { meteringPointIds: result.rows.map((row) => row.metering_point_id), retailerIds: result.rows.flatMap((row) => row.retailer_ids) };
}

/**
 * The scheme's events starting at `from` or later, by start, each with the retailers supplying the
 * point during it (metering's published contracts): what a point joining the scheme from `from`
 * is owed, addressed as eventConcerns would have addressed it.
 */
export async function pointEventsFrom(tx: Transaction, schemeId: string, meteringPointId: string, from: Date): Promise<{ event: CriticalPeakEvent; retailerIds: string[] }[]> {
  const rows = await tx
    .select({
      event: criticalPeakEvents,
      retailerIds: sql<string[]>`ARRAY(SELECT DISTINCT sc.retailer_id FROM metering.supply_contracts_v sc
        WHERE sc.metering_point_id = ${meteringPointId} AND tstzrange(sc.valid_from, sc.valid_to) && tstzrange(${criticalPeakEvents.startsAt}, ${criticalPeakEvents.endsAt}))`,
    })
    .from(criticalPeakEvents)
    .where(and(eq(criticalPeakEvents.schemeId, schemeId), gte(criticalPeakEvents.startsAt, from)))
    .orderBy(asc(criticalPeakEvents.startsAt));
  return rows.map((row) => ({ event: toEvent(row.event), retailerIds: row.retailerIds }));
}

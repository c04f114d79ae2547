import { sql } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import { recordMutation, type Actor } from '../kit/audit';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import { mayReadAt } from '../kit/point-access.sql';
import { ofPoints, type PointKeys } from './point-keys.sql';
import type { MeterEvent, MeterEventKind, MeterEventSeverity } from './event.type';

export interface EventWindow {
  fromMs: number;
  toMs: number;
}

export interface EventRow extends MeterEvent {
  meteringPointId: string;
}

export interface EventPage {
  rows: EventRow[];
  totalCount: number;
}

export interface NewEvent {
  meteringPointKey: number;
  occurredAtMs: number;
  kind: MeterEventKind;
  severity: MeterEventSeverity;
}

interface Row extends Record<string, unknown> {
  id: string;
  metering_point_id: string;
  occurred_at: string;
  kind: string;
  severity: string;
}

export class EventRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
    private readonly keysOf: PointKeys,
  ) {}

  /**
   * A page of events per metering point, for many points in one statement, each event kept only
   * when the caller may read that point at that time (point-access.sql.ts).
   */
  async pages(pointIds: readonly string[], window: EventWindow, page: Page): Promise<Map<string, EventPage>> {
    const points = await ofPoints(this.keysOf, 'e.metering_point_key', pointIds);
    const visible = sql`
        FROM metering.metering_points mp
        JOIN metering.meter_events e ON e.metering_point_key = mp.key
        WHERE ${points}
          AND e.occurred_at >= ${new Date(window.fromMs)} AND e.occurred_at < ${new Date(window.toMs)}
          AND ${mayReadAt(this.identity, sql.raw('mp.id'), sql.raw('e.occurred_at'), 'metering:read')}`;
    const after = page.afterKey === null ? sql`` : sql`AND e.id > ${Number(page.afterKey)}`;
    const [result, totals] = await Promise.all([
      this.db.execute<Row>(sql`
        SELECT id, metering_point_id, occurred_at, kind, severity FROM (
          SELECT e.id, mp.id AS metering_point_id, e.occurred_at, e.kind, e.severity,
            row_number() OVER (PARTITION BY e.metering_point_key ORDER BY e.id) AS n
          ${visible} ${after}
        ) ranked WHERE n <= ${page.limit + 1} ORDER BY metering_point_id, id`),
      this.db.execute<{ metering_point_id: string; total: string }>(sql`SELECT mp.id AS metering_point_id, count(*) AS total ${visible} GROUP BY mp.id`),
    ]);
    const byPoint = new Map<string, EventPage>(pointIds.map((id) => [id, { rows: [], totalCount: 0 }]));
    for (const row of totals.rows) byPoint.get(row.metering_point_id)!.totalCount = Number(row.total);
    for (const row of result.rows) {
      byPoint.get(row.metering_point_id)?.rows.push({
        id: String(row.id),
        meteringPointId: row.metering_point_id,
        occurredAt: new Date(row.occurred_at),
        kind: row.kind as MeterEventKind,
        severity: row.severity as MeterEventSeverity,
      });
    }
    return byPoint;
  }

  /** Inserts what is not recorded yet (same point, time and kind), with an audit line when anything was; returns how many were new. */
  async insert(events: readonly NewEvent[], actor: Actor): Promise<number> {
    return this.db.transaction(async (tx) => {
      const result = await tx.execute(sql`
      INSERT INTO metering.meter_events (metering_point_key, occurred_at, kind, severity)
      SELECT * FROM unnest(${sql.param(events.map((e) => e.meteringPointKey))}::int[], ${sql.param(events.map((e) => new Date(e.occurredAtMs)))}::timestamptz[],
        ${sql.param(events.map((e) => e.kind))}::text[], ${sql.param(events.map((e) => e.severity))}::text[])
      ON CONFLICT (metering_point_key, occurred_at, kind) DO NOTHING`);
      const written = result.rowCount ?? 0;
      // A batch of repeats changed nothing: nothing to audit.
      if (written > 0) await recordMutation(tx, actor, 'ingestMeterEvents', `${events.length} events`, `${written} new meter events`);
      return written;
    });
  }
}

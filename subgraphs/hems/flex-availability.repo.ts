import { sql, type SQL } from 'drizzle-orm';
import type { DeviceKind, DeviceState, HemsCommandKind, HemsCommandStatus } from '../../schema/hems';
import type { Identity } from '../../schema/identity';
import { unknownAreaIds } from '../kit/area.sql';
import type { Database } from '../kit/db';
import type { CandidateLoad, FlexScope, FlexView } from './flex-availability.rules';
import { mayViewHems } from './hems-access.sql';
import { MAX_COMMAND_WINDOW_MS } from './hems-command.rules';

interface CandidateRecord extends Record<string, unknown> {
  flexible_load_id: string;
  hems_id: string;
  metering_point_id: string;
  hems_online: boolean;
  device_id: string;
  kind: DeviceKind;
  rated_power_kw: number;
  controllable: boolean;
  state: DeviceState | null;
  earliest_start_minute: number;
  latest_end_minute: number;
  max_shift_minutes: number;
  min_run_minutes: number;
  priority: number;
  opted_out: boolean;
  /** json_agg of the HEMS's commands, as built below: committedSpans picks those of the device. */
  commands: { kind: HemsCommandKind; status: HemsCommandStatus; deviceId: string | null; orderId: string; startMs: number; endMs: number; issuedAtMs: number }[];
}

export interface FlexCandidates {
  loads: CandidateLoad[];
  /** The metering point of each HEMS read. */
  pointOfHems: Map<string, string>;
}

/**
 * The metering points of the scope, from the published contracts: where grid connects them, or
 * whom metering has them supplied by now.
 */
function scopePoints(scope: FlexScope): SQL {
  switch (scope.kind) {
    case 'feeder':
      return sql`SELECT metering_point_id FROM grid.metering_point_connections_v WHERE feeder_id = ${scope.id}`;
    case 'secondarySubstation':
      return sql`SELECT metering_point_id FROM grid.metering_point_connections_v WHERE secondary_substation_id = ${scope.id}`;
    case 'retailer':
      return sql`SELECT metering_point_id FROM metering.supply_contracts_v
        WHERE retailer_id = ${scope.id} AND valid_from <= now() AND (valid_to IS NULL OR valid_to > now())`;
  }
}

/** The candidate loads of a scope and the scope's existence, read for the flexibility rules (flex-availability.rules.ts). */
export class FlexAvailabilityRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  /**
   * Every flexible load of the HEMS in the scope that the view counts (`shared`: those the caller
   * may see, hems-access.sql.ts; `totals`: all), with its device's present state, its HEMS's
   * online flag and the HEMS's commands that may touch the window: one statement, whatever the
   * number of loads; the rules filter and count.
   *
   * A command acts for at most MAX_COMMAND_WINDOW_MS and ends in the future when issued
   * (hems-command.rules.ts), which bounds both lookups on commands_hems_idx (hems_id, start)
   * however long the history: a commitment overlapping the window starts at most that long before
   * it; a RESTORE that can end it (issued no earlier) starts at most that long before it was issued.
   */
  async candidates(scope: FlexScope, view: FlexView, window: { fromMs: number; toMs: number }): Promise<FlexCandidates> {
    const from = new Date(window.fromMs);
    const to = new Date(window.toMs);
    const earliestStart = new Date(window.fromMs - MAX_COMMAND_WINDOW_MS);
    const visible = view === 'shared' ? mayViewHems(this.identity, sql.raw('h.id'), sql.raw('h.metering_point_id')) : sql`true`;
    const result = await this.db.execute<CandidateRecord>(sql`
      WITH loads AS (
        SELECT f.id AS flexible_load_id, h.id AS hems_id, h.metering_point_id, h.online AS hems_online,
          d.id AS device_id, d.kind, d.rated_power_kw, d.controllable, d.state,
          f.earliest_start_minute, f.latest_end_minute, f.max_shift_minutes, f.min_run_minutes, f.priority, f.opted_out
        FROM (${scopePoints(scope)}) p
        JOIN hems.systems h ON h.metering_point_id = p.metering_point_id
        JOIN hems.flexible_loads f ON f.hems_id = h.id
        JOIN hems.devices d ON d.id = f.device_id
        WHERE ${visible}
      ), held AS (
        -- One array of HEMS, so the lookup is ranges of commands_hems_idx whatever the planner guesses of the history.
        SELECT c.hems_id, c.device_id, c.kind, c.status, c.order_id, c.start, c."end", c.issued_at
        FROM hems.commands c
        WHERE c.hems_id = ANY(ARRAY(SELECT DISTINCT hems_id FROM loads)) AND c.start > ${earliestStart} AND c.start < ${to}
          AND c.kind <> 'RESTORE' AND c."end" > ${from}
      ), restores AS (
        SELECT r.* FROM (SELECT hems_id, order_id, min(issued_at) AS first_issued_at, max("end") AS last_end FROM held GROUP BY 1, 2) o
        CROSS JOIN LATERAL (
          SELECT r.hems_id, r.device_id, r.kind, r.status, r.order_id, r.start, r."end", r.issued_at
          FROM hems.commands r
          WHERE r.hems_id = o.hems_id AND r.start > o.first_issued_at - ${MAX_COMMAND_WINDOW_MS} * interval '1 millisecond' AND r.start < o.last_end
            AND r.kind = 'RESTORE' AND r.order_id = o.order_id) r
      ), commands AS (
        SELECT hems_id, json_agg(json_build_object('kind', kind, 'status', status, 'deviceId', device_id, 'orderId', order_id,
          'startMs', extract(epoch FROM start) * 1000, 'endMs', extract(epoch FROM "end") * 1000, 'issuedAtMs', extract(epoch FROM issued_at) * 1000)) AS commands
        FROM (SELECT * FROM held UNION ALL SELECT * FROM restores) spans
        GROUP BY hems_id
      )
      SELECT loads.*, COALESCE(commands.commands, '[]') AS commands
      FROM loads LEFT JOIN commands USING (hems_id)`);
    const pointOfHems = new Map<string, string>();
    const loads = result.rows.map((row): CandidateLoad => {
      pointOfHems.set(row.hems_id, row.metering_point_id);
      return {
        flexibleLoadId: row.flexible_load_id,
        hemsId: row.hems_id,
        deviceId: row.device_id,
        kind: row.kind,
        ratedPowerKw: row.rated_power_kw,
        controllable: row.controllable,
        state: row.state,
        hemsOnline: row.hems_online,
        earliestStartMinute: row.earliest_start_minute,
        latestEndMinute: row.latest_end_minute,
        maxShiftMinutes: row.max_shift_minutes,
        minRunMinutes: row.min_run_minutes,
        priority: row.priority,
        optedOut: row.opted_out,
        commands: row.commands,
      };
    });
    return { loads, pointOfHems };
  }

  /** Whether the scope names a feeder, a secondary substation or a retailer that exists. */
  async scopeExists(scope: FlexScope): Promise<boolean> {
    if (scope.kind !== 'retailer') return (await unknownAreaIds(this.db, { kind: scope.kind === 'feeder' ? 'feeders' : 'secondary', ids: [scope.id] })).length === 0;
    const result = await this.db.execute<{ exists: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM hub.organisations WHERE id = ${scope.id} AND kind = 'retailer') AS exists`);
    return result.rows[0]!.exists;
  }
}

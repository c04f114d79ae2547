import { sql } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { Database, Transaction } from '../kit/db';
import { mayReportHems } from './hems-access.sql';
import type { HemsReport, TelemetryCatalogue } from './telemetry.rules';

/** A HEMS whose presence a write changed or confirmed. */
export interface Presence {
  hemsId: string;
  online: boolean;
  lastSeenAt: Date;
}

const textArray = (values: readonly string[]) => sql`${sql.param(values)}::text[]`;
const instantArray = (values: readonly number[]) => sql`${sql.param(values.map((ms) => new Date(ms).toISOString()))}::timestamptz[]`;

/** The HEMS of the batch the caller may report for (mayReportHems) with their devices, in one read. */
export async function reportCatalogue(db: Database, identity: Identity, hemsIds: readonly string[]): Promise<TelemetryCatalogue> {
  const result = await db.execute<{ hems_id: string; device_id: string | null; rated_power_kw: number | null }>(sql`
    SELECT s.id AS hems_id, d.id AS device_id, d.rated_power_kw
    FROM unnest(${textArray([...new Set(hemsIds)])}) AS wanted(id)
    JOIN hems.systems s ON s.id = wanted.id
    LEFT JOIN hems.devices d ON d.hems_id = s.id
    WHERE ${mayReportHems(identity, sql`s.id`, sql`s.metering_point_id`)}`);
  const hems = new Set<string>();
  const devices = new Map<string, { hemsId: string; ratedPowerKw: number }>();
  for (const row of result.rows) {
    hems.add(row.hems_id);
    if (row.device_id !== null) devices.set(row.device_id, { hemsId: row.hems_id, ratedPowerKw: Number(row.rated_power_kw) });
  }
  return { mayReport: (id) => hems.has(id), device: (id) => devices.get(id) };
}

/**
 * The daily partitions of these UTC days, each call a transaction of its own: creating one locks
 * the parent table, which must not be held for the length of a batch's write.
 */
export async function ensureTelemetryPartitions(db: Database, dayStartsMs: readonly number[]): Promise<void> {
  if (dayStartsMs.length === 0) return;
  await db.execute(sql`SELECT sum(hems.ensure_telemetry_partitions(d, d + interval '24 hours')) FROM unnest(${instantArray(dayStartsMs)}) AS d`);
}

/**
 * Locks the HEMS rows of a batch, in id order, and tells which were online. Every writer of a
 * HEMS's devices and presence takes its row first, in the same order: batches that share HEMS
 * (its own key and the retailer's platform) wait for each other instead of deadlocking on devices.
 */
export async function lockSystems(tx: Transaction, hemsIds: readonly string[]): Promise<Map<string, boolean>> {
  const result = await tx.execute<{ id: string; online: boolean }>(sql`
    SELECT id, online FROM hems.systems WHERE id = ANY(${textArray([...new Set(hemsIds)])}) ORDER BY id FOR UPDATE`);
  return new Map(result.rows.map((row) => [row.id, row.online]));
}

/**
 * Appends the batch's device rows to hems.telemetry in one statement (a row already stored, a
 * report sent again, is kept once) and moves each device's present state to its newest report,
 * where that is newer than what the device holds. Returns how many rows were new.
 */
export async function storeTelemetry(tx: Transaction, reports: readonly HemsReport[]): Promise<number> {
  const hemsIds: string[] = [];
  const deviceIds: string[] = [];
  const ats: number[] = [];
  const states: string[] = [];
  const powers: number[] = [];
  for (const report of reports) {
    for (const device of report.devices) {
      hemsIds.push(report.hemsId);
      deviceIds.push(device.deviceId);
      ats.push(report.atMs);
      states.push(device.state);
      powers.push(device.powerKw);
    }
  }
  if (deviceIds.length === 0) return 0;
  const result = await tx.execute<{ stored: number }>(sql`
    WITH given AS (
      SELECT * FROM unnest(${textArray(hemsIds)}, ${textArray(deviceIds)}, ${instantArray(ats)},
        ${sql.param(states)}::hems.device_state[], ${sql.param(powers)}::float8[]) AS g(hems_id, device_id, at, state, power_kw)
    ), stored AS (
      INSERT INTO hems.telemetry (hems_id, device_id, at, state, power_kw)
      SELECT hems_id, device_id, at, state, power_kw FROM given
      ON CONFLICT (device_id, at) DO NOTHING
      RETURNING 1
    ), present AS (
      UPDATE hems.devices d SET state = newest.state, power_kw = newest.power_kw, state_at = newest.at
      FROM (SELECT DISTINCT ON (device_id) device_id, at, state, power_kw FROM given ORDER BY device_id, at DESC) newest
      WHERE d.id = newest.device_id AND (d.state_at IS NULL OR d.state_at < newest.at)
    )
    SELECT count(*)::int AS stored FROM stored`);
  return result.rows[0]!.stored;
}

/**
 * Records that the HEMS reported: the newest report is its last sighting, and a sighting within
 * the offline threshold makes it online (a day-old backlog sent late does not: the next sweep
 * would only take it offline again). The reporting key is kept for the demo's simulated fleet.
 */
export async function markSeen(tx: Transaction, reports: readonly HemsReport[], keyId: string, offlineAfterS: number): Promise<Presence[]> {
  const result = await tx.execute<{ hems_id: string; online: boolean; last_seen_at: string }>(sql`
    UPDATE hems.systems s SET
      last_seen_at = GREATEST(s.last_seen_at, seen.at),
      online = s.online OR GREATEST(s.last_seen_at, seen.at) > now() - make_interval(secs => ${offlineAfterS}),
      last_report_key_id = ${keyId}
    FROM (
      SELECT hems_id, max(at) AS at
      FROM unnest(${textArray(reports.map((report) => report.hemsId))}, ${instantArray(reports.map((report) => report.atMs))}) AS r(hems_id, at)
      GROUP BY hems_id
    ) seen
    WHERE s.id = seen.hems_id
    RETURNING s.id AS hems_id, s.online, s.last_seen_at`);
  return result.rows.map((row) => ({ hemsId: row.hems_id, online: row.online, lastSeenAt: new Date(row.last_seen_at) }));
}

/**
 * Takes offline every HEMS whose last report is older than the threshold, and returns them. Rows
 * a batch is writing (locked) are skipped: it is about to refresh them, and otherwise the next
 * sweep finds them. Another replica's sweep at the same moment skips the rows this one took, so
 * each HEMS goes offline, and is announced, once.
 */
export async function markSilentOffline(tx: Transaction, offlineAfterS: number): Promise<Presence[]> {
  const result = await tx.execute<{ hems_id: string; last_seen_at: string }>(sql`
    WITH silent AS (
      SELECT id FROM hems.systems
      WHERE online AND last_seen_at < now() - make_interval(secs => ${offlineAfterS})
      ORDER BY id
      FOR UPDATE SKIP LOCKED
    )
    UPDATE hems.systems s SET online = false
    FROM silent WHERE s.id = silent.id
    RETURNING s.id AS hems_id, s.last_seen_at`);
  return result.rows.map((row) => ({ hemsId: row.hems_id, online: false, lastSeenAt: new Date(row.last_seen_at) }));
}

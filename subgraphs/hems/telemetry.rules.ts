import type { RejectedRow } from '../../schema/errors';
import type { HemsStatusEventKind, HemsStatusEventPayload } from '../../schema/events';
import type { DeviceState } from '../../schema/hems';

/**
 * Bounds of one `reportHemsTelemetry` call. A retailer platform reporting its whole fleet once a
 * minute sends it in batches: 2,000 reports of 8 devices are about 1.1 MB of JSON, well inside
 * the gateway's 2 MiB request limit, and 20,000 device rows keep one batch's write under a
 * second. Bounded before any work is done.
 */
export const MAX_TELEMETRY_REPORTS = 2_000;
export const MAX_TELEMETRY_DEVICE_ROWS = 20_000;
/** How far ahead of the hub's clock a report may be stamped: a HEMS's clock may drift a little. */
export const TELEMETRY_CLOCK_SKEW_MS = 60_000;
/** The oldest a report may be: a HEMS cut off for a while sends what it buffered, up to a day. */
export const TELEMETRY_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface DeviceReport {
  deviceId: string;
  state: DeviceState;
  powerKw: number;
}

/** What a HEMS measured at `atMs`; no devices is a heartbeat, which only marks the HEMS online. */
export interface HemsReport {
  hemsId: string;
  atMs: number;
  devices: readonly DeviceReport[];
}

/** What the batch is checked against: the HEMS the caller may report for and their devices. */
export interface TelemetryCatalogue {
  mayReport(hemsId: string): boolean;
  /** A device of a HEMS the caller may report for. */
  device(deviceId: string): { hemsId: string; ratedPowerKw: number } | undefined;
}

const thousands = (n: number) => n.toLocaleString('en');

/** Why the batch is too small or too large to be looked at, or null. */
export function batchSizeProblem(reports: readonly HemsReport[]): string | null {
  if (reports.length === 0) return 'a batch holds at least one report';
  if (reports.length > MAX_TELEMETRY_REPORTS) return `a batch holds at most ${thousands(MAX_TELEMETRY_REPORTS)} reports; send ${thousands(reports.length)} in smaller batches`;
  const rows = reports.reduce((sum, report) => sum + report.devices.length, 0);
  if (rows > MAX_TELEMETRY_DEVICE_ROWS) return `a batch holds at most ${thousands(MAX_TELEMETRY_DEVICE_ROWS)} device reports; send ${thousands(rows)} in smaller batches`;
  return null;
}

/** Paths of the reports a HEMS's own key may not send: those of any other HEMS. */
export function foreignReportPaths(reports: readonly HemsReport[], ownHemsId: string): string[] {
  return reports.flatMap((report, i) => (report.hemsId === ownHemsId ? [] : [`reports[${i}].hemsId`]));
}

function timeProblem(atMs: number, nowMs: number): string | null {
  if (!Number.isFinite(atMs)) return 'not a valid time';
  if (atMs > nowMs + TELEMETRY_CLOCK_SKEW_MS) return `in the future (more than ${TELEMETRY_CLOCK_SKEW_MS / 1000} s ahead of the hub's clock)`;
  if (atMs < nowMs - TELEMETRY_MAX_AGE_MS) return 'older than 24 hours';
  return null;
}

/**
 * Every problem of the batch, each with the path of the value at fault and the index of its
 * report: a HEMS the caller may not report for (unknown ones alike: the answer never tells
 * whether another party's HEMS exists), a time in the future or more than a day old, a second
 * report of the same HEMS and time, a device that is not the HEMS's or repeated in a report,
 * a power that is negative or above the device's rating.
 */
export function telemetryRejections(reports: readonly HemsReport[], nowMs: number, catalogue: TelemetryCatalogue): RejectedRow[] {
  const rejected: RejectedRow[] = [];
  const reject = (index: number, path: string, reason: string) => rejected.push({ index, path, reason });
  const firstReport = new Map<string, number>();
  reports.forEach((report, i) => {
    const at = `reports[${i}]`;
    if (!catalogue.mayReport(report.hemsId)) {
      // Its devices could only be "not of this HEMS": one line says it.
      reject(i, `${at}.hemsId`, `no HEMS ${report.hemsId} that you may report for`);
      return;
    }
    const timing = timeProblem(report.atMs, nowMs);
    if (timing) reject(i, `${at}.at`, timing);
    const key = `${report.hemsId}\u0000${report.atMs}`;
    const earlier = firstReport.get(key);
    if (earlier === undefined) firstReport.set(key, i);
    else reject(i, `${at}.at`, `repeats reports[${earlier}] (the same HEMS and time)`);

    const firstDevice = new Map<string, number>();
    report.devices.forEach((device, k) => {
      const path = `${at}.devices[${k}]`;
      const seen = firstDevice.get(device.deviceId);
      if (seen !== undefined) {
        reject(i, `${path}.deviceId`, `repeats devices[${seen}] of this report`);
        return;
      }
      firstDevice.set(device.deviceId, k);
      const known = catalogue.device(device.deviceId);
      if (!known || known.hemsId !== report.hemsId) {
        reject(i, `${path}.deviceId`, `no device ${device.deviceId} on HEMS ${report.hemsId}`);
        return;
      }
      if (!Number.isFinite(device.powerKw) || device.powerKw < 0) reject(i, `${path}.powerKw`, 'negative');
      else if (device.powerKw > known.ratedPowerKw) reject(i, `${path}.powerKw`, `${device.powerKw} kW is above the device's rated power of ${known.ratedPowerKw} kW`);
    });
  });
  return rejected;
}

const SHOWN_IN_MESSAGE = 5;

/** The message of a refused batch: how many problems, and the first few with their paths (all are in extensions.rejected). */
export function rejectionMessage(rejected: readonly RejectedRow[]): string {
  const shown = rejected.slice(0, SHOWN_IN_MESSAGE).map((row) => `${row.path}: ${row.reason}`);
  const more = rejected.length > SHOWN_IN_MESSAGE ? `; and ${rejected.length - SHOWN_IN_MESSAGE} more (extensions.rejected lists them all)` : '';
  return `${rejected.length} problem${rejected.length === 1 ? '' : 's'} in the batch; nothing was written: ${shown.join('; ')}${more}`;
}

/** The start of each UTC day the instants fall in: the telemetry partitions they need. */
export function utcDaysOf(instantsMs: Iterable<number>): number[] {
  const days = new Set<number>();
  for (const ms of instantsMs) days.add(ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000));
  return [...days].sort((a, b) => a - b);
}

/**
 * How often the presence sweep runs: a tenth of the silence that makes a HEMS offline, so it is
 * marked at most 10 % late, between once a second and twice a minute.
 */
export function presenceSweepIntervalMs(offlineAfterS: number): number {
  return Math.min(30_000, Math.max(1_000, (offlineAfterS * 1000) / 10));
}

/** The HEMS_STATUS events of HEMS that changed status, to those each is shared with; a HEMS shared with nobody makes none. */
export function statusEvents(
  kind: HemsStatusEventKind,
  changed: readonly { hemsId: string; lastSeenAt: Date }[],
  audience: ReadonlyMap<string, readonly string[]>,
): { audience: string[]; payload: HemsStatusEventPayload }[] {
  return changed.flatMap(({ hemsId, lastSeenAt }) => {
    const to = audience.get(hemsId) ?? [];
    return to.length === 0 ? [] : [{ audience: [...to], payload: { kind, hemsId, lastSeenAt: lastSeenAt.toISOString() } }];
  });
}

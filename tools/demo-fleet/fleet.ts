import { sql } from 'drizzle-orm';
import { ROLE_SCOPES } from '../../schema/access';
import type { DeviceKind } from '../../schema/hems';
import { lisbonOffsetMs } from '../../subgraphs/kit/calendar';
import { consentFor } from '../../subgraphs/kit/point-access.sql';
import type { SubgraphJob } from '../../subgraphs/kit/subgraph';
import { ReportTelemetryCommand } from '../../subgraphs/hems/telemetry.command';
import type { HemsReport } from '../../subgraphs/hems/telemetry.rules';
import type { Parish } from '../seed/parish';
import { deviceReading } from './device-model';

/** The key id the fleet's reports carry (hems.systems.last_report_key_id): a HEMS anyone else reports for is left to them. */
export const DEMO_FLEET_KEY_ID = 'demo-fleet';
const REPORT_INTERVAL_MS = 60_000;
/** Reports per call, as a retailer platform would batch them. */
const BATCH_REPORTS = 500;

type FleetDevice = {
  hems_id: string;
  metering_point_id: string;
  retailer_id: string;
  device_id: string;
  kind: DeviceKind;
  rated_power_kw: number;
};

/**
 * The demo's HEMS, reporting once a minute through their retailers' platforms: every seeded HEMS
 * its customer shares with the retailer that supplies it, each device as the household's routine
 * (and its load curve's car) has it. A HEMS someone else has reported for is theirs from then on,
 * so a user can make one report a FAULT, or fall silent and go offline. Run by kit/jobs.ts.
 */
export function demoFleetJob(parish: Parish): SubgraphJob {
  let round = 0;
  return {
    name: 'demo-hems-fleet',
    intervalMs: () => REPORT_INTERVAL_MS,
    async run(database, settings) {
      const command = new ReportTelemetryCommand(database.db, settings.hemsOfflineAfterS);
      const nowMs = Date.now();
      const result = await database.db.execute<FleetDevice>(sql`
        SELECT h.id AS hems_id, h.metering_point_id, sc.retailer_id, d.id AS device_id, d.kind, d.rated_power_kw
        FROM hems.systems h
        JOIN hems.devices d ON d.hems_id = h.id
        JOIN metering.supply_contracts_v sc ON sc.metering_point_id = h.metering_point_id AND sc.valid_from <= now() AND (sc.valid_to IS NULL OR sc.valid_to > now())
        WHERE (h.last_report_key_id IS NULL OR h.last_report_key_id = ${DEMO_FLEET_KEY_ID})
          AND ${consentFor(sql.raw('sc.retailer_id'), sql.raw('h.metering_point_id'), 'hems:read', null)}
        ORDER BY sc.retailer_id, h.id, d.id`);
      const localMs = nowMs + lisbonOffsetMs(nowMs);
      const minute = Math.floor((localMs % 86_400_000) / 60_000);
      const month = new Date(localMs).getUTCMonth() + 1;
      const byRetailer = new Map<string, Map<string, { hemsId: string; atMs: number; devices: HemsReport['devices'][number][] }>>();
      for (const row of result.rows) {
        const reports = byRetailer.get(row.retailer_id) ?? new Map();
        byRetailer.set(row.retailer_id, reports);
        const report = reports.get(row.hems_id) ?? { hemsId: row.hems_id, atMs: nowMs, devices: [] };
        reports.set(row.hems_id, report);
        const reading = deviceReading({ kind: row.kind, ratedPowerKw: Number(row.rated_power_kw), session: parish.homeChargers.get(row.metering_point_id) }, minute, month);
        report.devices.push({ deviceId: row.device_id, state: reading.state, powerKw: reading.powerKw });
      }
      round++;
      for (const [retailerId, reports] of byRetailer) {
        const identity = { keyId: DEMO_FLEET_KEY_ID, organisationId: retailerId, role: 'retailer' as const, scopes: [...ROLE_SCOPES.retailer] };
        const all = [...reports.values()];
        for (let i = 0; i < all.length; i += BATCH_REPORTS) await command.run({ identity, requestId: `demo-fleet-${round}` }, all.slice(i, i + BATCH_REPORTS), nowMs);
      }
    },
  };
}

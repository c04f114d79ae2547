import { BadUserInputError, ForbiddenError } from '../../schema/errors';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database } from '../kit/db';
import { appendEventsToOutbox } from '../kit/outbox';
import { hemsAudience } from './hems-access.sql';
import { ensureTelemetryPartitions, lockSystems, markSeen, reportCatalogue, storeTelemetry } from './telemetry.repo';
import { batchSizeProblem, foreignReportPaths, rejectionMessage, statusEvents, telemetryRejections, utcDaysOf, type HemsReport } from './telemetry.rules';

export interface TelemetryReceipt {
  reports: number;
  devices: number;
  duplicates: number;
}

/**
 * `reportHemsTelemetry`: the whole batch is checked first (its size, whose HEMS, every value),
 * and nothing is written when anything is wrong; then, after the partitions of its days exist,
 * one transaction appends the rows, moves the devices' present state and the HEMS' presence,
 * writes the audit line and announces the HEMS that came back online.
 */
export class ReportTelemetryCommand {
  constructor(
    private readonly db: Database,
    private readonly offlineAfterS: number,
  ) {}

  async run(actor: Actor, reports: readonly HemsReport[], nowMs = Date.now()): Promise<TelemetryReceipt> {
    const { identity } = actor;
    const sizeProblem = batchSizeProblem(reports);
    if (sizeProblem) throw new BadUserInputError(sizeProblem, { field: 'reports' });
    if (identity.role === 'hems') {
      const foreign = foreignReportPaths(reports, identity.organisationId);
      if (foreign.length > 0) throw new ForbiddenError(`This key reports only for HEMS ${identity.organisationId}; nothing was written: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}`);
    }
    const catalogue = await reportCatalogue(this.db, identity, reports.map((report) => report.hemsId));
    const rejected = telemetryRejections(reports, nowMs, catalogue);
    if (rejected.length > 0) throw new BadUserInputError(rejectionMessage(rejected), { rejected });

    await ensureTelemetryPartitions(this.db, utcDaysOf(reports.map((report) => report.atMs)));
    const devices = reports.reduce((sum, report) => sum + report.devices.length, 0);
    return this.db.transaction(async (tx) => {
      const wasOnline = await lockSystems(tx, reports.map((report) => report.hemsId));
      const stored = await storeTelemetry(tx, reports);
      const seen = await markSeen(tx, reports, identity.keyId, this.offlineAfterS);
      const backOnline = seen.filter((presence) => presence.online && !wasOnline.get(presence.hemsId));
      const target = seen.length === 1 ? seen[0]!.hemsId : `${seen.length} HEMS`;
      const back = backOnline.length > 0 ? `, ${backOnline.length} HEMS back online` : '';
      await recordMutation(tx, actor, 'reportHemsTelemetry', target, `${reports.length} reports, ${devices} device rows (${devices - stored} already stored)${back}`);
      if (backOnline.length > 0) {
        const audience = await hemsAudience(tx, backOnline.map((presence) => presence.hemsId));
        await appendEventsToOutbox(tx, 'HEMS_STATUS', statusEvents('ONLINE', backOnline, audience));
      }
      return { reports: reports.length, devices, duplicates: devices - stored };
    });
  }
}

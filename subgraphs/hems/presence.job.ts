import { appendEventsToOutbox } from '../kit/outbox';
import type { SubgraphJob } from '../kit/subgraph';
import { hemsAudience } from './hems-access.sql';
import { markSilentOffline } from './telemetry.repo';
import { presenceSweepIntervalMs, statusEvents } from './telemetry.rules';

/**
 * The presence sweep: a HEMS without a report for HEMS_OFFLINE_AFTER_S goes offline, and the
 * parties it is shared with get HEMS_STATUS OFFLINE, in one transaction per sweep. Every process
 * serving the HEMS subgraph runs it; replicas sweeping at once each take other HEMS (SKIP LOCKED).
 */
export const presenceSweepJob: SubgraphJob = {
  name: 'hems-presence',
  intervalMs: (settings) => presenceSweepIntervalMs(settings.hemsOfflineAfterS),
  async run(database, settings, log) {
    const silent = await database.db.transaction(async (tx) => {
      const wentOffline = await markSilentOffline(tx, settings.hemsOfflineAfterS);
      if (wentOffline.length > 0) {
        const audience = await hemsAudience(tx, wentOffline.map((presence) => presence.hemsId));
        await appendEventsToOutbox(tx, 'HEMS_STATUS', statusEvents('OFFLINE', wentOffline, audience));
      }
      return wentOffline.length;
    });
    if (silent > 0) log.info({ hems: silent }, 'HEMS went offline');
  },
};

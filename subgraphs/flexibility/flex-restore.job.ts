import type { SubgraphJob } from '../kit/subgraph';
import { closeEndedFlexRequests } from './flex-request.command';

/** ISPs last 15 minutes: a request's FLEX_RESTORE may come up to a minute after its last one ends. */
const CLOSE_SWEEP_INTERVAL_MS = 60_000;

/**
 * Back to normal at the end of the period: OPEN requests whose last ISP has ended are closed
 * (PERIOD_ENDED) and FLEX_RESTORE tells their recipients. Replicas sweeping at once each take
 * other requests (SKIP LOCKED).
 */
export const flexRestoreJob: SubgraphJob = {
  name: 'flex-restore',
  intervalMs: () => CLOSE_SWEEP_INTERVAL_MS,
  async run(database, _settings, log) {
    const closed = await closeEndedFlexRequests(database.db);
    if (closed > 0) log.info({ requests: closed }, 'flexibility requests ended: restore sent');
  },
};

import type { SubgraphJob } from '../kit/subgraph';
import { expireHemsCommands } from './hems-command.command';

/** Commands get minutes to be answered (DEFAULT_ANSWER_MS): their expiry may lag by seconds. */
const EXPIRY_SWEEP_INTERVAL_MS = 10_000;

/**
 * The expiry sweep: SENT commands not answered by expiresAt become EXPIRED, pushed to their
 * issuers. Replicas sweeping at once each take other commands (SKIP LOCKED).
 */
export const commandExpiryJob: SubgraphJob = {
  name: 'hems-command-expiry',
  intervalMs: () => EXPIRY_SWEEP_INTERVAL_MS,
  async run(database, _settings, log) {
    const expired = await expireHemsCommands(database.db);
    if (expired > 0) log.info({ commands: expired }, 'HEMS commands expired');
  },
};

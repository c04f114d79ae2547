import { randomBytes } from 'node:crypto';
import { ApiKeysRepo } from '../../gateway/api-keys.repo';
import type { Role } from '../../schema/identity';
import type { DatabaseHandle } from '../../subgraphs/kit/db';
import type { EventBusConfig } from '../../subgraphs/kit/event-stream';
import { createLogger } from '../../subgraphs/kit/logger';
import { startHub, type RunningHub } from '../hub';
import { generateParish, type Parish } from '../seed/parish';
import { writeParish } from '../seed/write';
import { openBenchDatabase } from './bench-database';

export interface BenchHub {
  database: DatabaseHandle;
  parish: Parish;
  hub: RunningHub;
  identitySecret: string;
  createKey(role: Role, organisationId: string): Promise<{ key: string; keyId: string }>;
  /** Restarts the hub on the same database with another event transport; `hub` is then the new one. */
  switchEventBus(eventBus: EventBusConfig): Promise<void>;
  close(): Promise<void>;
}

/** The demo-scale parish (14,000 points) in a scratch database, with the whole hub in process. */
export async function openBenchHub(): Promise<BenchHub> {
  const bench = await openBenchDatabase();
  const parish = generateParish({ customers: 14_000 });
  await writeParish(bench.handle, parish);
  const identitySecret = randomBytes(32).toString('base64url');
  const start = (eventBus?: EventBusConfig) => startHub({ database: bench.handle, identitySecret, log: createLogger('bench', 'silent'), port: 0, eventBus });
  let hub = await start();
  const keys = new ApiKeysRepo(bench.handle.db);
  return {
    database: bench.handle,
    parish,
    get hub() {
      return hub;
    },
    identitySecret,
    async switchEventBus(eventBus) {
      await hub.stop();
      hub = await start(eventBus);
    },
    async createKey(role, organisationId) {
      const { key, record } = await keys.create({ name: 'bench', organisationId, role });
      return { key, keyId: record.id };
    },
    async close() {
      await hub.stop();
      await bench.close();
    },
  };
}

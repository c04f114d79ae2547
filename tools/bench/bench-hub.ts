import { randomBytes } from 'node:crypto';
import { ApiKeysRepo } from '../../gateway/api-keys.repo';
import type { Role } from '../../schema/identity';
import type { DatabaseHandle } from '../../subgraphs/kit/db';
import type { EventBusConfig } from '../../subgraphs/kit/event-stream';
import { createLogger } from '../../subgraphs/kit/logger';
import { startHub, type HubOptions, type RunningHub } from '../hub';
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

/**
 * The per-key limits are lifted for benchmarks: they measure what the hub does for many clients
 * through a few keys, and the limits have tests of their own.
 */
export const BENCH_GATEWAY: HubOptions['gateway'] = { rateLimit: { requests: 100_000_000, windowS: 60 }, maxSubscriptionsPerKey: 1_000_000 };

/** A parish (the demo's 14,000 points unless told) in a scratch database, with the whole hub in process. */
export async function openBenchHub(customers = 14_000): Promise<BenchHub> {
  const bench = await openBenchDatabase();
  const parish = generateParish({ customers });
  await writeParish(bench.handle, parish);
  const identitySecret = randomBytes(32).toString('base64url');
  const start = (eventBus?: EventBusConfig) => startHub({ database: bench.handle, identitySecret, log: createLogger('bench', 'silent'), port: 0, eventBus, gateway: BENCH_GATEWAY });
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

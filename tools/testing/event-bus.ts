import { randomBytes } from 'node:crypto';
import { connectEventBus, type EventBusConfig } from '../../subgraphs/kit/event-stream';
import { DEFAULT_TEST_NATS_URL } from './nats-server';

export type EventBusKind = EventBusConfig['kind'];

export interface TestEventBus<C extends EventBusConfig = EventBusConfig> {
  config: C;
  /** Deletes what the test left on the bus (its NATS stream). */
  cleanup(): Promise<void>;
}

type ConfigOf<K extends EventBusKind> = Extract<EventBusConfig, { kind: K }>;

/** The event bus of one test hub; over NATS, a stream of its own, so test files do not share events. */
export function testEventBus<K extends EventBusKind>(kind: K, natsUrl = process.env.NATS_URL ?? DEFAULT_TEST_NATS_URL): TestEventBus<ConfigOf<K>> {
  if (kind === 'postgres') return { config: { kind: 'postgres', pollIntervalMs: 1_000 } as ConfigOf<K>, cleanup: async () => undefined };
  const stream = `TEST_${randomBytes(6).toString('hex')}`;
  return {
    config: { kind: 'nats', pollIntervalMs: 1_000, natsUrl, stream } as ConfigOf<K>,
    async cleanup() {
      const nats = await connectEventBus(natsUrl, 'market-hub-test-cleanup');
      try {
        const jsm = await nats.jetstreamManager();
        await jsm.streams.delete(stream).catch(() => undefined);
      } finally {
        await nats.close();
      }
    },
  };
}

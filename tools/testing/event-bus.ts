import { randomBytes } from 'node:crypto';
import { connectEventBus, type EventBusConfig } from '../../subgraphs/kit/event-stream';
import { DEFAULT_TEST_NATS_URL } from './nats-server';

export type EventBusKind = EventBusConfig['kind'];

export interface TestEventBus {
  config: EventBusConfig;
  /** Deletes what the test left on the bus (its NATS stream). */
  cleanup(): Promise<void>;
}

/** The event bus of one test hub; over NATS, a stream of its own, so test files do not share events. */
export function testEventBus(kind: EventBusKind, natsUrl = process.env.NATS_URL ?? DEFAULT_TEST_NATS_URL): TestEventBus {
  if (kind === 'postgres') return { config: { kind, pollIntervalMs: 1_000 }, cleanup: async () => undefined };
  const stream = `TEST_${randomBytes(6).toString('hex')}`;
  return {
    config: { kind, pollIntervalMs: 1_000, natsUrl, stream },
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

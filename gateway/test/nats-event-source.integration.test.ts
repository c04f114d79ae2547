import type { NatsConnection } from 'nats';
import { Pool } from 'pg';
import type { OutboxEvent } from '../../schema/events';
import { connectEventBus, encodeEvent, ensureEventStream, streamSubject, type EventBusConfig } from '../../subgraphs/kit/event-stream';
import { createLogger } from '../../subgraphs/kit/logger';
import { appendToOutbox } from '../../subgraphs/kit/outbox';
import { OutboxRelay } from '../../subgraphs/kit/outbox-relay';
import { readOutbox } from '../../subgraphs/kit/outbox-tail';
import { testEventBus, type TestEventBus } from '../../tools/testing/event-bus';
import { createTestDatabase, type TestDatabase } from '../../tools/testing/test-database';
import { NatsEventSource } from '../events/nats-event-source';

const log = createLogger('nats-source-test', process.env.LOG_LEVEL ?? 'silent');

let database: TestDatabase;
let bus: TestEventBus<Extract<EventBusConfig, { kind: 'nats' }>>;
let nats: NatsConnection;
/** The source's own pool: its acquisitions are the source's reads of the outbox. */
let sourcePool: Pool;
let outboxReads: number;
const stoppers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  outboxReads = 0;
  database = await createTestDatabase();
  sourcePool = new Pool({ connectionString: database.url, max: 2 });
  sourcePool.on('acquire', () => outboxReads++);
  bus = testEventBus('nats');
  nats = await connectEventBus(bus.config.natsUrl, 'nats-source-test');
  await ensureEventStream(await nats.jetstreamManager(), bus.config.stream);
});

afterEach(async () => {
  for (const stop of stoppers.splice(0).reverse()) await stop();
  await sourcePool.end();
  await nats.close();
  await bus.cleanup();
  await database.drop();
});

const writeEvents = async (count: number) => {
  for (let n = 0; n < count; n++) await database.handle.db.transaction((tx) => appendToOutbox(tx, 'FLEX_REQUEST', [], { kind: 'CREATED', flexRequestId: `r${n}` }));
};

/** Starts a source whose deliveries resolve `received(count)` once that many events arrived. */
async function startSource(): Promise<{ head: number; received(count: number): Promise<number[]> }> {
  const delivered: number[] = [];
  const waiters: { count: number; resolve(ids: number[]): void }[] = [];
  const source = new NatsEventSource({ nats, stream: bus.config.stream, pool: sourcePool, log, batchSize: 100 });
  const head = await source.start(async (events: OutboxEvent[]) => {
    delivered.push(...events.map((event) => event.id));
    for (const waiter of waiters.filter((w) => delivered.length >= w.count)) waiter.resolve(delivered.slice(0, waiter.count));
  });
  stoppers.push(() => source.stop());
  return {
    head,
    received: (count) => new Promise((resolve) => (delivered.length >= count ? resolve(delivered.slice(0, count)) : waiters.push({ count, resolve }))),
  };
}

describe('NATS event source', () => {
  it('delivers what the relay publishes, in order, without reading the outbox', async () => {
    await writeEvents(3);
    const relay = new OutboxRelay({ database: database.handle, nats, stream: bus.config.stream, log, pollIntervalMs: 1_000 });
    await relay.start();
    stoppers.push(() => relay.stop());
    const source = await startSource();
    const readsAtStart = outboxReads;
    await writeEvents(120);
    const received = await source.received(120);
    expect(outboxReads - readsAtStart).toBe(0);
    const ids = (await readOutbox(database.handle.pool, source.head, Number.MAX_SAFE_INTEGER, 1_000)).map((event) => event.id);
    expect(ids).toHaveLength(120);
    expect(received).toEqual(ids);
  });

  it('reads from the outbox the events between its last one and a message that names an unseen predecessor', async () => {
    await writeEvents(2);
    const source = await startSource();
    expect(source.head).toBe(2);
    await writeEvents(5);
    const [seventh] = await readOutbox(database.handle.pool, 6, 7, 1);
    // The stream skipped 3..6 (a relay that started over): message 7 names 6 as its predecessor.
    const { data, msgID, headers } = encodeEvent(seventh!, 6);
    const readsBefore = outboxReads;
    await nats.jetstream().publish(streamSubject(bus.config.stream, seventh!), data, { msgID, headers });
    expect(await source.received(5)).toEqual([3, 4, 5, 6, 7]);
    expect(outboxReads).toBeGreaterThan(readsBefore);
  });
});

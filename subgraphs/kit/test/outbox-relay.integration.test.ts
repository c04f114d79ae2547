import type { NatsConnection } from 'nats';
import { testEventBus, type TestEventBus } from '../../../tools/testing/event-bus';
import { createTestDatabase, type TestDatabase } from '../../../tools/testing/test-database';
import { connectEventBus, decodeEvent, type EventBusConfig, type StreamedEvent } from '../event-stream';
import { createLogger } from '../logger';
import { appendToOutbox } from '../outbox';
import { OutboxRelay } from '../outbox-relay';

const log = createLogger('relay-test', process.env.LOG_LEVEL ?? 'silent');

let database: TestDatabase;
let bus: TestEventBus<Extract<EventBusConfig, { kind: 'nats' }>>;
let nats: NatsConnection;
const relays: OutboxRelay[] = [];

beforeEach(async () => {
  database = await createTestDatabase();
  bus = testEventBus('nats');
  nats = await connectEventBus(bus.config.natsUrl, 'relay-test');
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  await nats.close();
  await bus.cleanup();
  await database.drop();
});

const startRelay = async () => {
  const relay = new OutboxRelay({ database: database.handle, nats, stream: bus.config.stream, log, pollIntervalMs: 1_000 });
  relays.push(relay);
  await relay.start();
  return relay;
};

async function writeEvents(writers: number, each: number): Promise<void> {
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; n < each; n++) {
        await database.handle.db.transaction((tx) => appendToOutbox(tx, 'FLEX_REQUEST', [], { kind: 'CREATED', flexRequestId: `w${writer}-${n}` }));
      }
    }),
  );
}

/** The first `count` messages of the stream, awaited as they arrive. */
async function readStream(count: number): Promise<StreamedEvent[]> {
  const consumer = await nats.jetstream().consumers.get(bus.config.stream, { opt_start_seq: 1 });
  const messages = await consumer.consume();
  const read: StreamedEvent[] = [];
  for await (const message of messages) {
    read.push(decodeEvent(message));
    if (read.length === count) break;
  }
  return read;
}

const outboxIds = async () => (await database.handle.pool.query<{ id: string }>('SELECT id FROM hub.outbox ORDER BY id')).rows.map((row) => Number(row.id));

/** Every message names the one before it: the chain a gateway checks. */
function expectChained(read: readonly StreamedEvent[], ids: readonly number[], firstPrevious: number): void {
  expect(read.map((m) => m.event.id)).toEqual(ids);
  expect(read.map((m) => m.previousId)).toEqual([firstPrevious, ...ids.slice(0, -1)]);
}

describe('outbox relay', () => {
  it('publishes the events of concurrent writers to the stream once each, in id order, each naming its predecessor', async () => {
    await startRelay();
    await writeEvents(8, 50);
    const ids = await outboxIds();
    expect(ids).toHaveLength(400);
    expectChained(await readStream(400), ids, 0);
  });

  it('starts an empty stream at the newest event: older ones are replayed from the outbox, not published', async () => {
    await writeEvents(1, 5);
    await startRelay();
    await writeEvents(1, 3);
    const ids = await outboxIds();
    expectChained(await readStream(3), ids.slice(5), ids[4]!);
  });

  it('lets one relay lead and hands over to a waiting one when it stops, without a gap or a repeat', async () => {
    const [first, second] = [await startRelay(), await startRelay()];
    expect([first.isLeader, second.isLeader]).toEqual([true, false]);
    await writeEvents(4, 25);
    await first.stop();
    // Written while no one relays: the successor publishes them when it takes over.
    await writeEvents(4, 25);
    const ids = await outboxIds();
    expectChained(await readStream(200), ids, 0);
    expect(second.isLeader).toBe(true);
  });
});

import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { openDatabase, type DatabaseHandle } from '../../subgraphs/kit/db';
import { createLogger } from '../../subgraphs/kit/logger';
import { applyMigrations } from '../../subgraphs/kit/migrate';
import { appendToOutbox } from '../../subgraphs/kit/outbox';
import { startHub, type RunningHub } from '../../tools/hub';
import { scratchDataDir } from '../../tools/local-data';
import { generateParish } from '../../tools/seed/parish';
import { writeParish } from '../../tools/seed/write';
import { testEventBus, type EventBusKind, type TestEventBus } from '../../tools/testing/event-bus';
import { freePort } from '../../tools/testing/free-port';
import { startNatsProcess, type TestNatsServer } from '../../tools/testing/nats-server';
import { startPostgresProcess, type PostgresProcess } from '../../tools/testing/postgres-process';
import { subscribeOverWs, type TestSubscriber } from '../../tools/testing/ws-subscriber';
import { ApiKeysRepo } from '../api-keys.repo';

jest.setTimeout(240_000);

const EVENTS = 10_000;
const WRITERS = 8;
const SUBSCRIPTION = 'subscription($after: ID) { hubEvents(after: $after) { eventId type } }';
type HubEventData = { data: { hubEvents: { eventId: string; type: string } } };

/** The reliability suite, run once per event bus (push-reliability.*.e2e.test.ts). */
export function describeReliabilitySuite(eventBus: EventBusKind): void {
  let dataDir: string;
  let port: number;
  let postgres: PostgresProcess;
  let database: DatabaseHandle;
  let hub: RunningHub;
  let bus: TestEventBus;
  /** Over NATS, a server of this file's own too: the test restarts it. */
  let nats: TestNatsServer | null = null;
  let natsPort: number;
  let natsDir: string;
  const identitySecret = randomBytes(32).toString('base64url');
  const log = createLogger('reliability', process.env.LOG_LEVEL ?? 'silent');

  const startOwnHub = () => startHub({ database, identitySecret, log, port: 0, shutdownGraceMs: 1_000, eventBus: bus.config });

  beforeAll(async () => {
    // A PostgreSQL of this file's own: the test restarts it, which the shared server must not suffer.
    dataDir = await scratchDataDir('test-reliability-');
    port = await freePort();
    postgres = await startPostgresProcess(dataDir, port);
    database = openDatabase(postgres.urlFor('reliability'), { max: 20 });
    await applyMigrations(database);
    await writeParish(database, generateParish({ customers: 50 }));
    if (eventBus === 'nats') {
      natsDir = await scratchDataDir('test-reliability-nats-');
      natsPort = await freePort();
      nats = await startNatsProcess(natsPort, natsDir);
    }
    bus = testEventBus(eventBus, nats?.url);
    hub = await startOwnHub();
  });

  afterAll(async () => {
    await hub?.stop();
    await bus?.cleanup();
    await database?.close();
    await postgres?.stop();
    await nats?.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (natsDir) await rm(natsDir, { recursive: true, force: true });
  });

  /** Retries a transaction that failed because the database went away; it is all or nothing, so a retry is safe. */
  async function withRetry(work: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        return;
      } catch (error) {
        if (attempt > 200) throw error;
        // While PostgreSQL restarts, every attempt fails at once: pace them.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Concurrent writers, each event in a transaction of its own, as subgraphs write them. */
  async function writeConcurrently(): Promise<void> {
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let n = 0; n < EVENTS / WRITERS; n++) {
          await withRetry(() =>
            database.db.transaction(async (tx) => {
              await appendToOutbox(tx, 'FLEX_REQUEST', [], { kind: 'CREATED', flexRequestId: `w${writer}-${n}` });
            }),
          );
        }
      }),
    );
  }

  async function readiness(): Promise<{ status: number; eventBus: boolean }> {
    const response = await fetch(`${hub.url}/readyz`);
    return { status: response.status, eventBus: ((await response.json()) as { eventBus: boolean }).eventBus };
  }

  /** Takes events from the subscriber into `received` until `count` have arrived in all. */
  async function collect(subscriber: TestSubscriber<HubEventData>, received: number[], count: number): Promise<void> {
    while (received.length < count) received.push(Number((await subscriber.next()).data.hubEvents.eventId));
  }

  describe('durable push', () => {
    it(`delivers 10,000 events from concurrent writers exactly once and in order, across a gateway restart${eventBus === 'nats' ? ', a NATS restart' : ''} and a PostgreSQL restart`, async () => {
      const key = (await new ApiKeysRepo(database.db).create({ name: 'reliability', organisationId: 'dso', role: 'dso' })).key;
      const received: number[] = [];
      const writing = writeConcurrently();

      const first = subscribeOverWs<HubEventData>(hub.url, key, SUBSCRIPTION, { after: '0' });
      await collect(first, received, 3_000);
      await first.dispose();

      // A gateway restart: the client resumes on the new gateway after the last event it saw.
      await hub.stop();
      hub = await startOwnHub();
      const second = subscribeOverWs<HubEventData>(hub.url, key, SUBSCRIPTION, { after: String(received.at(-1)) });
      await collect(second, received, 4_500);

      if (nats) {
        // A NATS restart under the relay and the gateway: the stream is on disk, both reconnect.
        await nats.stop();
        expect(await readiness()).toEqual({ status: 503, eventBus: false });
        nats = await startNatsProcess(natsPort, natsDir);
      }
      await collect(second, received, 6_000);
      if (nats) {
        // Each check waits up to 2 s for the connection; a few cover the client's reconnect backoff.
        let ready = await readiness();
        for (let check = 1; check < 10 && !ready.eventBus; check++) ready = await readiness();
        expect(ready.eventBus).toBe(true);
      }

      // A PostgreSQL restart under the running gateway and writers: the socket stays open.
      await postgres.stop();
      postgres = await startPostgresProcess(dataDir, port);
      await writing;

      const { rows } = await database.pool.query<{ id: string }>('SELECT id FROM hub.outbox ORDER BY id');
      const written = rows.map((row) => Number(row.id));
      expect(written.length).toBeGreaterThanOrEqual(EVENTS);
      await collect(second, received, written.length);
      await second.dispose();

      expect(received).toEqual(written);
      for (let i = 1; i < received.length; i++) expect(received[i]).toBeGreaterThan(received[i - 1]!);
    });
  });
}

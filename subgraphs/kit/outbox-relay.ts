import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { Client } from 'pg';
import type { OutboxEvent } from '../../schema/events';
import type { DatabaseHandle } from './db';
import { connectEventBus, encodeEvent, ensureEventStream, streamSubject, streamTail, type EventBusConfig } from './event-stream';
import type { Logger } from './logger';
import { latestOutboxId, OutboxTail } from './outbox-tail';
import { settledWithin } from './settle';

export interface OutboxRelayOptions {
  database: DatabaseHandle;
  nats: NatsConnection;
  stream: string;
  log: Logger;
  pollIntervalMs: number;
}

/** Arbitrary constant: the session lock whose holder is the one relay publishing. */
const RELAY_LOCK_KEY = 7_302_030;
const LEADERSHIP_RETRY_MS = 1_000;
const STOP_WAIT_MS = 5_000;
const READ_BATCH = 1_000;

/**
 * Publishes the outbox to the JetStream stream, in id order, exactly once. Every subgraph
 * process runs one; the holder of a PostgreSQL session lock publishes and the others wait to
 * take over when its session ends. Even two relays at once (the old leader's last publishes in
 * flight) cannot reorder the stream: each publish expects the previous event's id to be the
 * stream's last message, and JetStream drops a repeated id.
 */
export class OutboxRelay {
  private readonly js: JetStreamClient;
  private jsm: JetStreamManager | null = null;
  private session: Client | null = null;
  private tail: OutboxTail | null = null;
  /** The last event id known to be in the stream; null while the stream is empty. */
  private lastPublishedId: number | null = null;
  /** Where publishing began on an empty stream: the first message's predecessor. */
  private startedAfterId = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt: Promise<void> = Promise.resolve();

  constructor(private readonly options: OutboxRelayOptions) {
    this.js = options.nats.jetstream();
  }

  /** Tries for leadership now and keeps trying in the background. */
  async start(): Promise<void> {
    this.jsm = await this.options.nats.jetstreamManager();
    this.attempt = this.tryToLead();
    await this.attempt;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await settledWithin(this.attempt, STOP_WAIT_MS);
    await this.stepDown();
    await this.endSession();
  }

  get isLeader(): boolean {
    return this.tail !== null;
  }

  /**
   * One session per relay, kept while it waits: its lock is the leadership, so losing the
   * session (a database restart) ends the leadership, and the next attempt opens a new one.
   */
  private async openSession(): Promise<Client> {
    const client = new Client({ connectionString: this.options.database.connectionString });
    client.on('error', (err) => this.options.log.warn({ err }, 'relay lost its database session'));
    client.on('end', () => {
      if (this.session !== client) return;
      this.session = null;
      if (this.tail) void this.stepDown().then(() => this.retryLater());
    });
    this.session = client;
    try {
      await client.connect();
    } catch (error) {
      await this.endSession();
      throw error;
    }
    return client;
  }

  private async endSession(): Promise<void> {
    const client = this.session;
    this.session = null;
    await settledWithin(client?.end() ?? Promise.resolve(), STOP_WAIT_MS);
  }

  private async tryToLead(): Promise<void> {
    try {
      const session = this.session ?? (await this.openSession());
      const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK_KEY]);
      if (this.stopped) return;
      if (!rows[0]?.locked) {
        this.retryLater();
        return;
      }
      await this.syncWithStream();
      const tail = new OutboxTail({
        pool: this.options.database.pool,
        connectionString: this.options.database.connectionString,
        log: this.options.log,
        pollIntervalMs: this.options.pollIntervalMs,
        batchSize: READ_BATCH,
      });
      this.tail = tail;
      // A stream that holds nothing yet starts at the newest event: earlier ones are for replays, which read the outbox.
      this.startedAfterId = this.lastPublishedId ?? (await latestOutboxId(this.options.database.pool));
      await tail.start((events) => this.publish(events), this.startedAfterId);
      if (this.session !== session) {
        // The session, and the lock with it, went while taking over: its `end` saw no tail to stop.
        await this.stepDown();
        this.retryLater();
        return;
      }
      this.options.log.info({ stream: this.options.stream, afterEventId: this.startedAfterId }, 'relaying the outbox to NATS');
    } catch (err) {
      // Whatever held the lock goes with the session; the next attempt starts clean.
      this.options.log.warn({ err }, 'relay could not take over; retrying');
      await this.stepDown();
      await this.endSession();
      this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.attempt = this.tryToLead();
    }, LEADERSHIP_RETRY_MS);
    this.retryTimer.unref();
  }

  /** Stops publishing; the session, and with it the lock, is ended by the caller when it should be. */
  private async stepDown(): Promise<void> {
    const tail = this.tail;
    this.tail = null;
    await tail?.stop();
  }

  private async syncWithStream(): Promise<void> {
    await ensureEventStream(this.jsm!, this.options.stream);
    this.lastPublishedId = (await streamTail(this.jsm!, this.options.stream)).lastEventId;
  }

  /**
   * Publishes a batch without waiting between messages (one connection keeps them in order),
   * each expecting its predecessor. When one is refused, the stream is read again and the batch
   * fails, so the tail reads it again and what is already in the stream is skipped.
   */
  private async publish(events: readonly OutboxEvent[]): Promise<void> {
    if (!this.tail) throw new Error('no longer the relay leader');
    const acks: Promise<unknown>[] = [];
    for (const event of events) {
      const previousId = this.lastPublishedId;
      if (previousId !== null && event.id <= previousId) continue;
      const { data, msgID, headers } = encodeEvent(event, previousId ?? this.startedAfterId);
      acks.push(this.js.publish(streamSubject(this.options.stream, event), data, { msgID, headers, expect: previousId === null ? {} : { lastMsgID: String(previousId) } }));
      this.lastPublishedId = event.id;
    }
    const results = await Promise.allSettled(acks);
    const refused = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (refused) {
      await this.syncWithStream();
      throw refused.reason;
    }
  }
}

/** The relay candidate of one process when events travel over NATS; nothing to run otherwise. */
export async function startOutboxRelay(eventBus: EventBusConfig, database: DatabaseHandle, log: Logger): Promise<{ stop(): Promise<void> }> {
  if (eventBus.kind !== 'nats') return { stop: async () => undefined };
  const nats = await connectEventBus(eventBus.natsUrl, 'market-hub-relay');
  const relay = new OutboxRelay({ database, nats, stream: eventBus.stream, log: log.child({ component: 'outbox-relay' }), pollIntervalMs: eventBus.pollIntervalMs });
  try {
    await relay.start();
  } catch (error) {
    await nats.close();
    throw error;
  }
  return {
    async stop() {
      await relay.stop();
      await nats.close();
    },
  };
}

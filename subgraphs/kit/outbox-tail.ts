import { Client, type Pool } from 'pg';
import { OUTBOX_CHANNEL, type HubEventType, type OutboxEvent } from '../../schema/events';
import type { Logger } from './logger';
import { settledWithin } from './settle';

export interface OutboxTailOptions {
  pool: Pool;
  connectionString: string;
  log: Logger;
  /** Safety net besides NOTIFY: how often the outbox is read anyway. */
  pollIntervalMs: number;
  /** Rows read per statement while catching up. */
  batchSize: number;
}

interface OutboxRow {
  id: string;
  type: HubEventType;
  occurred_at: Date;
  audience: string[];
  payload: OutboxEvent['payload'];
}

const toEvent = (row: OutboxRow): OutboxEvent => ({ id: Number(row.id), type: row.type, occurredAt: row.occurred_at, audience: row.audience, payload: row.payload });

/** Events in (afterId, toId], in id order, at most `limit`. */
export async function readOutbox(pool: Pool, afterId: number, toId: number, limit: number): Promise<OutboxEvent[]> {
  const { rows } = await pool.query<OutboxRow>(
    'SELECT id, type, occurred_at, audience, payload FROM hub.outbox WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3',
    [afterId, toId, limit],
  );
  return rows.map(toEvent);
}

/** The newest event's id, 0 when there is none. */
export async function latestOutboxId(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ id: string | null }>('SELECT max(id) AS id FROM hub.outbox');
  return Number(rows[0]?.id ?? 0);
}

const STOP_WAIT_MS = 5_000;

/**
 * The outbox as an ordered stream: LISTEN/NOTIFY wakes the reader at once, a poll covers
 * notifications lost while the listening connection was down, and every read is "id > last",
 * which is complete because writers commit in id order (outbox.ts). The gateway's event source
 * in the embedded default, and the NATS relay's input.
 */
export class OutboxTail {
  private listener: Client | null = null;
  private head = 0;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs = 100;

  constructor(private readonly options: OutboxTailOptions) {}

  /**
   * Starts after `afterId` (default: the newest event); `deliver` gets every later event once,
   * in id order. A batch whose delivery fails is read again.
   */
  async start(deliver: (events: OutboxEvent[]) => Promise<void>, afterId?: number): Promise<number> {
    this.deliver = deliver;
    this.head = afterId ?? (await latestOutboxId(this.options.pool));
    await this.listen();
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.pollTimer.unref();
    return this.head;
  }

  /** Events in (afterId, toId], in order: the replay of a resuming subscriber. */
  range(afterId: number, toId: number, limit: number): Promise<OutboxEvent[]> {
    return readOutbox(this.options.pool, afterId, toId, limit);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    // A listener whose server vanished may never finish its goodbye: shutdown does not wait on it.
    await settledWithin(this.listener?.end() ?? Promise.resolve(), STOP_WAIT_MS);
    await settledWithin(this.reading ?? Promise.resolve(), STOP_WAIT_MS);
  }

  private deliver: (events: OutboxEvent[]) => Promise<void> = async () => undefined;

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.connectionString });
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      this.options.log.warn({ err }, 'event listener lost its connection');
    });
    client.on('end', () => {
      if (this.listener === client) this.listener = null;
      if (!this.stopped) this.reconnectLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
      this.reconnectDelayMs = 100;
      // Whatever was committed while no one listened.
      this.wake();
    } catch (err) {
      this.options.log.warn({ err }, 'event listener could not connect');
      await client.end().catch(() => undefined);
    }
  }

  private reconnectLater(): void {
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(5_000, delayMs * 2);
    setTimeout(() => {
      if (!this.stopped && !this.listener) void this.listen();
    }, delayMs).unref();
  }

  /** Single-flight catch-up: a wake-up during a read makes the read go round once more. */
  private wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.catchUp().finally(() => {
      this.reading = null;
      if (this.readAgain) {
        this.readAgain = false;
        this.wake();
      }
    });
  }

  private async catchUp(): Promise<void> {
    try {
      for (;;) {
        const events = await this.range(this.head, Number.MAX_SAFE_INTEGER, this.options.batchSize);
        if (events.length === 0) return;
        await this.deliver(events);
        this.head = events.at(-1)!.id;
        if (events.length < this.options.batchSize) return;
      }
    } catch (err) {
      // The database or the delivery's peer is away: the poll or the listener's reconnect tries again.
      this.options.log.warn({ err }, 'could not read or deliver the outbox');
    }
  }
}

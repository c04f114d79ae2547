import { DeliverPolicy, type ConsumerMessages, type NatsConnection } from 'nats';
import type { Pool } from 'pg';
import type { OutboxEvent } from '../../schema/events';
import { decodeEvent, ensureEventStream, streamTail, type StreamedEvent } from '../../subgraphs/kit/event-stream';
import type { Logger } from '../../subgraphs/kit/logger';
import { latestOutboxId, readOutbox } from '../../subgraphs/kit/outbox-tail';
import { settledWithin } from '../../subgraphs/kit/settle';
import type { EventSource } from './event-hub';

export interface NatsEventSourceOptions {
  nats: NatsConnection;
  stream: string;
  /** The outbox: replays, and the rare event the stream does not hold. */
  pool: Pool;
  log: Logger;
  /** Events handed to the hub at most at once. */
  batchSize: number;
}

const STOP_WAIT_MS = 5_000;
const MAX_RETRY_DELAY_MS = 2_000;

/**
 * Live events from the JetStream stream the outbox relay fills; every gateway replica reads the
 * whole stream with an ordered consumer of its own. Each message names its predecessor: when
 * that is not the last event delivered here (a stream that expired or was recreated, a relay
 * that started over), the events between are read from the outbox, so nothing is skipped.
 */
export class NatsEventSource implements EventSource {
  private head = 0;
  private readonly queue: StreamedEvent[] = [];
  private messages: ConsumerMessages | null = null;
  private consuming: Promise<void> = Promise.resolve();
  private draining: Promise<void> | null = null;
  private stopped = false;
  private deliver: (events: OutboxEvent[]) => Promise<void> = async () => undefined;

  constructor(private readonly options: NatsEventSourceOptions) {}

  async start(deliver: (events: OutboxEvent[]) => Promise<void>): Promise<number> {
    this.deliver = deliver;
    const { nats, stream, pool } = this.options;
    const jsm = await nats.jetstreamManager();
    await ensureEventStream(jsm, stream);
    const tail = await streamTail(jsm, stream);
    this.head = tail.lastEventId ?? (await latestOutboxId(pool));
    const consumer = await nats.jetstream().consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: tail.lastSeq + 1 });
    const messages = await consumer.consume();
    this.messages = messages;
    this.consuming = (async () => {
      for await (const message of messages) {
        try {
          this.queue.push(decodeEvent(message));
        } catch (err) {
          // Not one of the relay's: passed over, and the next message's predecessor brings back what it hid.
          this.options.log.error({ err, seq: message.seq }, 'unreadable message in the event stream');
          continue;
        }
        this.drain();
      }
    })().catch((err: unknown) => this.options.log.error({ err }, 'event stream consumer ended'));
    return this.head;
  }

  range(afterId: number, toId: number, limit: number): Promise<OutboxEvent[]> {
    return readOutbox(this.options.pool, afterId, toId, limit);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await settledWithin(this.consuming, STOP_WAIT_MS);
    await settledWithin(this.draining ?? Promise.resolve(), STOP_WAIT_MS);
  }

  /** Single-flight: one hand-out at a time keeps the order; arrivals meanwhile join the next. */
  private drain(): void {
    if (this.draining || this.stopped) return;
    this.draining = this.drainQueue().finally(() => {
      this.draining = null;
      if (this.queue.length > 0) this.drain();
    });
  }

  private async drainQueue(): Promise<void> {
    for (let delayMs = 100; this.queue.length > 0 && !this.stopped; ) {
      const taken = this.queue.slice(0, this.options.batchSize);
      try {
        const events = await this.withGapsFilled(taken);
        if (events.length > 0) await this.deliver(events);
        this.queue.splice(0, taken.length);
        if (events.length > 0) this.head = events.at(-1)!.id;
        delayMs = 100;
      } catch (err) {
        // The outbox is away while a gap needs it: the events wait, in order.
        this.options.log.warn({ err }, 'could not fill a gap in the event stream; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  /** The taken messages' events after the head, in order, with any event the stream skipped. */
  private async withGapsFilled(taken: readonly StreamedEvent[]): Promise<OutboxEvent[]> {
    const events: OutboxEvent[] = [];
    let cursor = this.head;
    for (const { event, previousId } of taken) {
      if (event.id <= cursor) continue;
      while (previousId !== cursor) {
        const missing = await this.range(cursor, event.id - 1, this.options.batchSize);
        if (missing.length === 0) break;
        events.push(...missing);
        cursor = missing.at(-1)!.id;
      }
      events.push(event);
      cursor = event.id;
    }
    return events;
  }
}

import { connect, DiscardPolicy, headers, nanos, RetentionPolicy, StorageType, type JetStreamManager, type MsgHdrs, type NatsConnection } from 'nats';
import { z } from 'zod';
import type { OutboxEvent } from '../../schema/events';
import { envDurationMs } from './env';

/**
 * How events travel from the outbox to the gateways: `postgres` (LISTEN/NOTIFY plus reads of
 * the outbox, nothing else to run) or `nats` (a relay publishes the outbox, in id order, to a
 * JetStream stream that every gateway replica consumes).
 */
export type EventBusConfig =
  | { kind: 'postgres'; pollIntervalMs: number }
  | { kind: 'nats'; pollIntervalMs: number; natsUrl: string; stream: string };

/** The environment variables of the event bus, for a component's configuration shape. */
export const eventBusEnv = {
  EVENT_BUS: z.enum(['postgres', 'nats']).default('postgres'),
  /** How often the outbox is read besides LISTEN/NOTIFY wake-ups. */
  EVENT_POLL_MS: envDurationMs(1_000),
  NATS_URL: z.string().regex(/^(nats|tls):\/\/\S+$/, 'must look like nats://host:port').default('nats://127.0.0.1:4222'),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only')
    .default('MARKET_HUB_EVENTS'),
};

export function eventBusConfig(parsed: { EVENT_BUS: 'postgres' | 'nats'; EVENT_POLL_MS: number; NATS_URL: string; NATS_STREAM: string }): EventBusConfig {
  return parsed.EVENT_BUS === 'nats'
    ? { kind: 'nats', pollIntervalMs: parsed.EVENT_POLL_MS, natsUrl: parsed.NATS_URL, stream: parsed.NATS_STREAM }
    : { kind: 'postgres', pollIntervalMs: parsed.EVENT_POLL_MS };
}

/**
 * Fails at start when the server is not there; once connected, reconnects for ever: a NATS
 * restart is an outage to ride out, not a reason to stop.
 */
export async function connectEventBus(natsUrl: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: natsUrl, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  } catch (error) {
    throw new Error(`EVENT_BUS=nats, but no NATS server answers at ${natsUrl} (NATS_URL): ${(error as Error).message}`);
  }
}

const PREVIOUS_ID_HEADER = 'Hub-Previous-Event-Id';
const MSG_ID_HEADER = 'Nats-Msg-Id';
/** The stream only carries events to live subscribers; replays read the outbox, so a day is plenty. */
const STREAM_MAX_AGE_MS = 24 * 60 * 60_000;

export const streamSubject = (stream: string, event: Pick<OutboxEvent, 'type'>) => `${stream}.${event.type}`;

/** Creates the stream, or finds it as it is: every relay and gateway may be the first to start. */
export async function ensureEventStream(jsm: JetStreamManager, stream: string): Promise<void> {
  await jsm.streams.add({
    name: stream,
    subjects: [`${stream}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(STREAM_MAX_AGE_MS),
  });
}

/** The stream's last sequence and the outbox id of its last message (null when it holds none). */
export async function streamTail(jsm: JetStreamManager, stream: string): Promise<{ lastSeq: number; lastEventId: number | null }> {
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0) return { lastSeq: state.last_seq, lastEventId: null };
  const last = await jsm.streams.getMessage(stream, { seq: state.last_seq });
  return { lastSeq: state.last_seq, lastEventId: Number(last.header.get(MSG_ID_HEADER)) };
}

/**
 * One outbox event as a stream message. The message id is the event id (JetStream drops a
 * repeat), and each message names the event before it, so a reader sees at once whether it
 * missed one (and reads the gap from the outbox).
 */
export function encodeEvent(event: OutboxEvent, previousId: number): { data: Uint8Array; msgID: string; headers: MsgHdrs } {
  const messageHeaders = headers();
  messageHeaders.set(PREVIOUS_ID_HEADER, String(previousId));
  return { data: Buffer.from(JSON.stringify(event)), msgID: String(event.id), headers: messageHeaders };
}

export interface StreamedEvent {
  event: OutboxEvent;
  previousId: number;
}

export function decodeEvent(message: { data: Uint8Array; headers?: MsgHdrs }): StreamedEvent {
  const parsed = JSON.parse(Buffer.from(message.data).toString('utf8')) as Omit<OutboxEvent, 'occurredAt'> & { occurredAt: string };
  const previousId = Number(message.headers?.get(PREVIOUS_ID_HEADER) || Number.NaN);
  if (!Number.isSafeInteger(parsed.id) || !Number.isSafeInteger(previousId)) throw new Error('not an outbox event message');
  return { event: { ...parsed, occurredAt: new Date(parsed.occurredAt) }, previousId };
}

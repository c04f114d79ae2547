import { headers } from 'nats';
import type { OutboxEvent } from '../../schema/events';
import { freePort } from '../../tools/testing/free-port';
import { parseEnv } from './env';
import { connectEventBus, decodeEvent, encodeEvent, eventBusConfig, eventBusEnv, streamSubject } from './event-stream';

const event: OutboxEvent = {
  id: 42,
  type: 'CONTRACTED_POWER_ORDER',
  occurredAt: new Date('2026-11-26T08:15:00.000Z'),
  audience: ['ret-a', 'ret-b'],
  payload: { kind: 'ISSUED', orderId: 'cpo-1' },
};

describe('event stream messages', () => {
  it('carry the event and its predecessor through a round trip, with the event id as message id', () => {
    const encoded = encodeEvent(event, 40);
    expect(encoded.msgID).toBe('42');
    expect(decodeEvent(encoded)).toEqual({ event, previousId: 40 });
  });

  it('refuse a message that names no predecessor', () => {
    expect(() => decodeEvent({ data: encodeEvent(event, 40).data, headers: headers() })).toThrow('not an outbox event message');
  });

  it('refuse a message whose body is not an event', () => {
    const { headers: withPrevious } = encodeEvent(event, 40);
    expect(() => decodeEvent({ data: Buffer.from('{"type":"X"}'), headers: withPrevious })).toThrow('not an outbox event message');
  });

  it('go to one subject per event type under the stream', () => {
    expect(streamSubject('MARKET_HUB_EVENTS', event)).toBe('MARKET_HUB_EVENTS.CONTRACTED_POWER_ORDER');
  });
});

describe('event bus configuration', () => {
  const env = { EVENT_POLL_MS: 500, NATS_URL: 'nats://bus:4222', NATS_STREAM: 'S' };

  it('keeps the NATS settings only for the NATS transport', () => {
    expect(eventBusConfig({ ...env, EVENT_BUS: 'postgres' })).toEqual({ kind: 'postgres', pollIntervalMs: 500 });
    expect(eventBusConfig({ ...env, EVENT_BUS: 'nats' })).toEqual({ kind: 'nats', pollIntervalMs: 500, natsUrl: 'nats://bus:4222', stream: 'S' });
  });

  it('fails at start naming the bad setting', () => {
    expect(() => parseEnv(eventBusEnv, { EVENT_BUS: 'kafka' })).toThrow(/EVENT_BUS/);
    expect(() => parseEnv(eventBusEnv, { NATS_URL: 'http://bus' })).toThrow(/NATS_URL/);
    expect(() => parseEnv(eventBusEnv, { NATS_STREAM: 'a.b' })).toThrow(/NATS_STREAM/);
  });
});

describe('connecting to the event bus', () => {
  it('fails at once, naming NATS_URL, when no server answers', async () => {
    const nobody = `nats://127.0.0.1:${await freePort()}`;
    await expect(connectEventBus(nobody, 'test')).rejects.toThrow(`no NATS server answers at ${nobody} (NATS_URL)`);
  });
});

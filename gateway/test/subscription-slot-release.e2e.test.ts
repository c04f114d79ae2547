import net from 'node:net';
import WebSocket from 'ws';
import { eventually } from '../../tools/testing/eventually';
import { flexRequestInput } from '../../tools/testing/flex-request-input';
import { startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
import { DEFAULT_TEST_REDIS_URL, ensureTestRedis, type TestRedisServer } from '../../tools/testing/redis-server';
import { subscribeOverWs } from '../../tools/testing/ws-subscriber';

/**
 * A subscription's slot is taken in Redis, a round trip during which its socket may close: the
 * slot must be freed all the same, or the gateway renews it for ever and the key loses a place.
 */

/**
 * A TCP proxy between the gateway and Redis. Armed, it holds back what the gateway sends from its
 * next slot acquisition (the only script with ZCARD) on, until released: the round trip lasts
 * as long as the test needs to act in it. Released within Redis's 1 s command timeout.
 */
async function startRedisProxy(redisUrl: string) {
  const target = new URL(redisUrl);
  const connections = new Set<net.Socket>();
  let armed = false;
  let held: { upstream: net.Socket; chunks: Buffer[] } | null = null;
  let onHolding: () => void = () => undefined;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      connections.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        connections.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('data', (chunk: Buffer) => {
      if (armed && !held && chunk.includes('ZCARD')) {
        held = { upstream, chunks: [] };
        onHolding();
      }
      if (held?.upstream === upstream) held.chunks.push(chunk);
      else upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    /** Resolves once the next acquisition is held. */
    holdNextAcquisition(): Promise<void> {
      armed = true;
      return new Promise((resolve) => (onHolding = resolve));
    },
    /** What the gateway sent since the hold began, the acquisition first. */
    heldText: () => Buffer.concat(held?.chunks ?? []).toString(),
    release(): void {
      armed = false;
      const holding = held;
      held = null;
      for (const chunk of holding?.chunks ?? []) holding!.upstream.write(chunk);
    },
    async close(): Promise<void> {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let redis: TestRedisServer;
let proxy: Awaited<ReturnType<typeof startRedisProxy>>;
let t: TestHub;

beforeAll(async () => {
  redis = await ensureTestRedis(process.env.REDIS_URL ?? DEFAULT_TEST_REDIS_URL);
  proxy = await startRedisProxy(redis.url);
  // One subscription per key: a slot that leaks shows as a key that can no longer subscribe.
  t = await startTestHub({ customers: 20, gateway: { maxSubscriptionsPerKey: 1, redisUrl: proxy.url } });
});

afterAll(async () => {
  await t.stop();
  await proxy.close();
  await redis.stop();
});

/** Opens a graphql-transport-ws socket for `key` and waits for the server's acknowledgement. */
async function acknowledgedSocket(key: string): Promise<WebSocket> {
  const socket = new WebSocket(`${t.hub.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: key } }));
  const ack = await new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
  expect(JSON.parse(ack)).toMatchObject({ type: 'connection_ack' });
  return socket;
}

describe('subscription slots', () => {
  it('frees the slot of a subscription whose socket closed while Redis was taking it', async () => {
    const key = await t.createKey('dso', 'dso');
    const created = await t.graphql(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      key,
      variables: { input: flexRequestInput(t.parish.secondarySubstations[0]!.id, 10) },
    });
    expect(created.body.errors).toBeUndefined();
    const query = 'subscription { hubEvents(after: "0") { eventId } }';

    const socket = await acknowledgedSocket(key);
    const holding = proxy.holdNextAcquisition();
    try {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      await holding;
      await new Promise((resolve) => {
        socket.once('close', resolve);
        socket.close();
      });
      // The gateway releases the socket's slots as it sees it close; before the fix it knew of none yet, and sent nothing.
      await eventually(() => proxy.heldText().includes('zrem'), "the gateway's release of the slot being taken", { timeoutMs: 800 });
    } finally {
      proxy.release();
    }

    // The key's only place is free: a new subscription runs (it replays the flexibility request) instead of being refused.
    const again = subscribeOverWs<{ data: { hubEvents: { eventId: string } } }>(t.hub.url, key, query);
    try {
      const answer = await Promise.race([again.next(), again.firstError]);
      expect(answer).toMatchObject({ data: { hubEvents: { eventId: expect.any(String) } } });
    } finally {
      await again.dispose();
    }
  });
});

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { eventually } from '../../tools/testing/eventually';
import { DEFAULT_TEST_REDIS_URL, ensureTestRedis, type TestRedisServer } from '../../tools/testing/redis-server';
import { createRequestLimiter } from '../rate-limit';
import { connectRedis } from '../redis';
import { createSubscriptionSlots, type SubscriptionSlots } from '../subscription-slots';

let server: TestRedisServer;
let connections: Redis[] = [];
let slotSets: SubscriptionSlots[] = [];

beforeAll(async () => {
  server = await ensureTestRedis(process.env.REDIS_URL ?? DEFAULT_TEST_REDIS_URL);
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  for (const slots of slotSets.splice(0)) await slots.close();
  // Those a test disconnected have ended; disconnecting them again would leave a timer of ioredis's running.
  for (const redis of connections.splice(0)) if (redis.status !== 'end') redis.disconnect();
});

/** One gateway's own connection, as each replica has. */
async function gatewayRedis(): Promise<Redis> {
  const redis = await connectRedis(server.url, 'limits-test');
  connections.push(redis);
  return redis;
}

function gatewaySlots(redis: Redis, options: { maxPerKey: number; leaseMs: number }): SubscriptionSlots {
  const slots = createSubscriptionSlots({ ...options, redis, instanceId: `gateway-${randomUUID()}` });
  slotSets.push(slots);
  return slots;
}

/** Each test its own API key, so that runs sharing a Redis do not meet. */
const newKeyId = () => `test-key-${randomUUID()}`;

/** Redis's clock, which the leases are scored by. */
async function redisNowMs(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
}

describe('connectRedis', () => {
  it('fails at once, naming the URL and REDIS_URL, when no server answers', async () => {
    await expect(connectRedis('redis://127.0.0.1:1', 'limits-test')).rejects.toThrow(/redis:\/\/127\.0\.0\.1:1.*REDIS_URL/);
  });
});

describe('request limits shared through Redis', () => {
  it("two gateways share a key's budget while another key is served", async () => {
    const one = createRequestLimiter({ requests: 3, windowS: 60, redis: await gatewayRedis() });
    const two = createRequestLimiter({ requests: 3, windowS: 60, redis: await gatewayRedis() });
    const keyId = newKeyId();
    await expect(one.consume(keyId)).resolves.toEqual({ allowed: true });
    await expect(two.consume(keyId)).resolves.toEqual({ allowed: true });
    await expect(one.consume(keyId)).resolves.toEqual({ allowed: true });
    const refused = await two.consume(keyId);
    if (refused.allowed) throw new Error("a fourth request of the key's three was allowed");
    // The seconds left in the window the first request opened.
    expect(refused.retryAfterS).toBeGreaterThan(50);
    expect(refused.retryAfterS).toBeLessThanOrEqual(60);
    expect((await one.consume(keyId)).allowed).toBe(false);
    await expect(two.consume(newKeyId())).resolves.toEqual({ allowed: true });
  });

  it('limits each gateway on its own while Redis is unreachable, neither failing nor letting all through', async () => {
    const redis = await gatewayRedis();
    const limiter = createRequestLimiter({ requests: 2, windowS: 60, redis });
    const keyId = newKeyId();
    await limiter.consume(keyId);
    redis.disconnect();
    await expect(limiter.consume(keyId)).resolves.toEqual({ allowed: true });
    await expect(limiter.consume(keyId)).resolves.toEqual({ allowed: true });
    expect((await limiter.consume(keyId)).allowed).toBe(false);
  });
});

describe('subscription slots shared through Redis', () => {
  it("two gateways share a key's cap while another key subscribes", async () => {
    const one = gatewaySlots(await gatewayRedis(), { maxPerKey: 2, leaseMs: 30_000 });
    const two = gatewaySlots(await gatewayRedis(), { maxPerKey: 2, leaseMs: 30_000 });
    const keyId = newKeyId();
    await expect(one.acquire(keyId, 's1')).resolves.toBe(true);
    await expect(two.acquire(keyId, 's2')).resolves.toBe(true);
    await expect(one.acquire(keyId, 's3')).resolves.toBe(false);
    await expect(two.acquire(keyId, 's4')).resolves.toBe(false);
    await expect(two.acquire(newKeyId(), 's5')).resolves.toBe(true);
    await one.release(keyId, 's1');
    await expect(two.acquire(keyId, 's4')).resolves.toBe(true);
  });

  it('takes one slot for a subscription acquired twice, and frees nothing more on a second release', async () => {
    const slots = gatewaySlots(await gatewayRedis(), { maxPerKey: 2, leaseMs: 30_000 });
    const keyId = newKeyId();
    await slots.acquire(keyId, 's1');
    await expect(slots.acquire(keyId, 's1')).resolves.toBe(true);
    await expect(slots.acquire(keyId, 's2')).resolves.toBe(true);
    await expect(slots.acquire(keyId, 's3')).resolves.toBe(false);
    await slots.release(keyId, 's1');
    await slots.release(keyId, 's1');
    await slots.release(keyId, 'unknown');
    await expect(slots.acquire(keyId, 's3')).resolves.toBe(true);
    await expect(slots.acquire(keyId, 's4')).resolves.toBe(false);
  });

  it('frees the slots of a gateway that stopped renewing them once their lease ran out', async () => {
    const leaseMs = 300;
    const crashingRedis = await gatewayRedis();
    const crashing = gatewaySlots(crashingRedis, { maxPerKey: 1, leaseMs });
    const survivor = gatewaySlots(await gatewayRedis(), { maxPerKey: 1, leaseMs });
    const keyId = newKeyId();
    await expect(crashing.acquire(keyId, 's1')).resolves.toBe(true);
    await expect(survivor.acquire(keyId, 's2')).resolves.toBe(false);
    // The gateway dies: its connection is gone, and with it every renewal.
    crashingRedis.disconnect();
    await eventually(() => survivor.acquire(keyId, 's2'), "the crashed gateway's slot freeing itself");
  });

  it('keeps the slots of a live gateway past their first lease', async () => {
    const leaseMs = 300;
    const redis = await gatewayRedis();
    const holder = gatewaySlots(redis, { maxPerKey: 1, leaseMs });
    const other = gatewaySlots(await gatewayRedis(), { maxPerKey: 1, leaseMs });
    const keyId = newKeyId();
    await holder.acquire(keyId, 's1');
    const acquiredAt = await redisNowMs(redis);
    await eventually(async () => (await redisNowMs(redis)) > acquiredAt + 2 * leaseMs, 'two leases passing');
    await expect(other.acquire(keyId, 's2')).resolves.toBe(false);
  });

  it("frees a gateway's slots when it closes", async () => {
    const one = gatewaySlots(await gatewayRedis(), { maxPerKey: 2, leaseMs: 30_000 });
    const two = gatewaySlots(await gatewayRedis(), { maxPerKey: 2, leaseMs: 30_000 });
    const keyId = newKeyId();
    await one.acquire(keyId, 's1');
    await one.acquire(keyId, 's2');
    await expect(two.acquire(keyId, 's3')).resolves.toBe(false);
    await one.close();
    await expect(two.acquire(keyId, 's3')).resolves.toBe(true);
    await expect(two.acquire(keyId, 's4')).resolves.toBe(true);
  });

  it('caps each gateway on its own while Redis is unreachable', async () => {
    const redis = await gatewayRedis();
    const slots = gatewaySlots(redis, { maxPerKey: 1, leaseMs: 30_000 });
    redis.disconnect();
    const keyId = newKeyId();
    await expect(slots.acquire(keyId, 's1')).resolves.toBe(true);
    await expect(slots.acquire(keyId, 's2')).resolves.toBe(false);
  });
});

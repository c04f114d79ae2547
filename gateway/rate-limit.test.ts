import { createRequestLimiter } from './rate-limit';
import { createSubscriptionSlots } from './subscription-slots';

describe('request limiter in memory', () => {
  // Frozen time, so that the seconds left in a window are exact.
  beforeEach(() => jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('allows a key its requests per window and refuses the next with the seconds left in the window', async () => {
    const limiter = createRequestLimiter({ requests: 3, windowS: 60, redis: null });
    for (let n = 0; n < 3; n++) await expect(limiter.consume('key-a')).resolves.toEqual({ allowed: true });
    jest.advanceTimersByTime(15_000);
    await expect(limiter.consume('key-a')).resolves.toEqual({ allowed: false, retryAfterS: 45 });
  });

  it('serves other keys while one is refused', async () => {
    const limiter = createRequestLimiter({ requests: 1, windowS: 60, redis: null });
    await limiter.consume('key-a');
    expect((await limiter.consume('key-a')).allowed).toBe(false);
    await expect(limiter.consume('key-b')).resolves.toEqual({ allowed: true });
  });

  it('asks to wait whole seconds, rounded up, so never 0', async () => {
    const limiter = createRequestLimiter({ requests: 1, windowS: 2, redis: null });
    await limiter.consume('key-a');
    jest.advanceTimersByTime(1_900);
    await expect(limiter.consume('key-a')).resolves.toEqual({ allowed: false, retryAfterS: 1 });
  });

  it('serves a key again once its window has passed', async () => {
    const limiter = createRequestLimiter({ requests: 1, windowS: 10, redis: null });
    await limiter.consume('key-a');
    expect((await limiter.consume('key-a')).allowed).toBe(false);
    jest.advanceTimersByTime(10_000);
    await expect(limiter.consume('key-a')).resolves.toEqual({ allowed: true });
  });

  it('refuses a window that is not whole seconds, which Redis would never expire', () => {
    expect(() => createRequestLimiter({ requests: 10, windowS: 0.5, redis: null })).toThrow(/windowS/);
  });
});

describe('subscription slots in memory', () => {
  const slots = (maxPerKey: number) => createSubscriptionSlots({ maxPerKey, leaseMs: 30_000, redis: null, instanceId: 'gateway-1' });

  it("refuses a key's subscription beyond its maximum while other keys still subscribe", async () => {
    const subscriptions = slots(2);
    await expect(subscriptions.acquire('key-a', 's1')).resolves.toBe(true);
    await expect(subscriptions.acquire('key-a', 's2')).resolves.toBe(true);
    await expect(subscriptions.acquire('key-a', 's3')).resolves.toBe(false);
    await expect(subscriptions.acquire('key-b', 's1')).resolves.toBe(true);
  });

  it('gives a released slot to the next subscription', async () => {
    const subscriptions = slots(1);
    await subscriptions.acquire('key-a', 's1');
    await subscriptions.release('key-a', 's1');
    await expect(subscriptions.acquire('key-a', 's2')).resolves.toBe(true);
  });

  it('frees nothing more when a slot is released twice or an unknown slot is released', async () => {
    const subscriptions = slots(2);
    await subscriptions.acquire('key-a', 's1');
    await subscriptions.acquire('key-a', 's2');
    await subscriptions.release('key-a', 's1');
    await subscriptions.release('key-a', 's1');
    await subscriptions.release('key-a', 'unknown');
    await subscriptions.release('key-unknown', 's1');
    await expect(subscriptions.acquire('key-a', 's3')).resolves.toBe(true);
    await expect(subscriptions.acquire('key-a', 's4')).resolves.toBe(false);
  });

  it('takes one slot for a subscription acquired twice', async () => {
    const subscriptions = slots(2);
    await subscriptions.acquire('key-a', 's1');
    await expect(subscriptions.acquire('key-a', 's1')).resolves.toBe(true);
    await expect(subscriptions.acquire('key-a', 's2')).resolves.toBe(true);
    await expect(subscriptions.acquire('key-a', 's3')).resolves.toBe(false);
  });

  it('frees every slot on close', async () => {
    const subscriptions = slots(1);
    await subscriptions.acquire('key-a', 's1');
    await subscriptions.close();
    await expect(subscriptions.acquire('key-a', 's2')).resolves.toBe(true);
  });
});

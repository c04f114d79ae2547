import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../subgraphs/kit/logger';

export interface RequestLimiter {
  /** One request by this key: allowed, or refused with the seconds to wait (for Retry-After). */
  consume(keyId: string): Promise<{ allowed: true } | { allowed: false; retryAfterS: number }>;
}

export interface RequestLimiterOptions {
  /** Requests a key may make per window. */
  requests: number;
  /** Fixed window, whole seconds. */
  windowS: number;
  /** Shared by the gateway's replicas when given; else the limits are this gateway's alone. */
  redis: Redis | null;
  /** Where errors other than refusals are reported. */
  log?: Logger;
}

const KEY_PREFIX = 'mh-requests';

function wholePositive(name: string, value: number): number {
  // RateLimiterRedis truncates the window to whole seconds, and a window of 0 there never expires.
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, not ${value}`);
  return value;
}

export function createRequestLimiter(options: RequestLimiterOptions): RequestLimiter {
  const points = wholePositive('requests', options.requests);
  const duration = wholePositive('windowS', options.windowS);
  const memory = new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points, duration });
  const limiter: RateLimiterAbstract = options.redis
    ? new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix: KEY_PREFIX,
        points,
        duration,
        // During an outage each replica limits on its own rather than failing or letting all through.
        insuranceLimiter: memory,
        rejectIfRedisNotReady: true,
        // A key over its budget is refused from memory until its window ends, without a Redis round trip.
        inMemoryBlockOnConsumed: points + 1,
      })
    : memory;

  return {
    async consume(keyId) {
      try {
        await limiter.consume(keyId);
        return { allowed: true };
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterS: Math.max(1, Math.ceil(outcome.msBeforeNext / 1_000)) };
        // Store errors already went to the insurance limiter, so this is a fault of the limiter
        // itself. The key was authenticated and the limit guards fairness, not access: serving
        // the request beats failing every request of every key on a limiter fault.
        options.log?.error({ err: outcome, keyId }, 'request limiter failed; request allowed');
        return { allowed: true };
      }
    },
  };
}

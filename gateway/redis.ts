import { Redis } from 'ioredis';

/** Bounds the first connection: a gateway configured for Redis that finds none must say so, not hang. */
const STARTUP_TIMEOUT_MS = 3_000;
/**
 * Bounds every command once connected: a limiter waiting on a silent Redis would hold up each
 * request, while a timed-out command lets the caller fall back (rate-limiter-flexible's insurance).
 */
const COMMAND_TIMEOUT_MS = 1_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/** The URL without its password: the error naming it ends up in logs. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * The gateway's Redis connection (REDIS_URL), for limits shared by its replicas. Rejects within
 * a few seconds when no server answers at start; once connected, it reconnects for ever, and
 * commands issued during an outage fail at once (no offline queue, as rate-limiter-flexible
 * requires) so that callers degrade instead of waiting. Outages surface as 'error' events:
 * the caller attaches its logger, as ioredis prints unhandled ones to the console.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  let connected = false;
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: STARTUP_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // Commands caught by a dropped connection fail now rather than wait for the reconnection.
    maxRetriesPerRequest: 0,
    // No retry before the first connection: the start fails instead, and leaves nothing running.
    retryStrategy: (attempt) => (connected ? Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS) : null),
  });
  let cause: Error | undefined;
  const remember = (error: Error) => (cause = error);
  redis.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      }),
    ]);
    connected = true;
  } catch (error) {
    // Still connecting at the deadline. (Disconnecting an ended client would arm a 2 s timer of ioredis's.)
    if (redis.status !== 'end') redis.disconnect();
    throw new Error(`No Redis server answers at ${redacted(url)} (REDIS_URL): ${(cause ?? (error as Error)).message}`);
  } finally {
    clearTimeout(timer);
    redis.off('error', remember);
  }
  return redis;
}

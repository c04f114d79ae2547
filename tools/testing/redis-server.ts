import { Redis } from 'ioredis';
import { startChildServer } from './child-server';
import { freePort } from './free-port';

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export interface TestRedisServer {
  url: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, connectTimeout: 1_000, commandTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connections are the expected answer here, not news for the console.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    // An ended client is left alone: disconnecting it would arm a 2 s timer that holds the process.
    if (redis.status !== 'end') redis.disconnect();
  }
}

async function startRedisProcess(port: number): Promise<TestRedisServer> {
  const url = `redis://127.0.0.1:${port}`;
  const server = await startChildServer({
    command: 'redis-server',
    args: ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
    answers: () => answers(url),
    installHint: 'Install it (Debian: apt install redis-server) or set REDIS_URL.',
  });
  return { url, stop: () => server.stop() };
}

/**
 * A Redis server for the shared limits' tests: the one at `url` when it answers PING (CI's),
 * else a `redis-server` of the run's own on a free port, keeping nothing on disk, stopped at the end.
 */
export async function ensureTestRedis(url: string): Promise<TestRedisServer> {
  if (await answers(url)) return { url, stop: async () => undefined };
  try {
    return await startRedisProcess(await freePort());
  } catch (error) {
    throw new Error(`No Redis server answers at ${url} (REDIS_URL), and none of the run's own could start: ${(error as Error).message}`);
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { startChildServer } from './child-server';
import { freePort } from './free-port';

export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';

export interface TestNatsServer {
  url: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const connection = await connect({ servers: url, timeout: 1_000, maxReconnectAttempts: 0 });
    const jetStream = await connection
      .jetstreamManager()
      .then(() => true)
      .catch(() => false);
    await connection.close();
    return jetStream;
  } catch {
    return false;
  }
}

/**
 * `nats-server` with JetStream as a child process on `port`, keeping its streams in `storeDir`:
 * stopped and started again on the same directory, it is a NATS restart.
 */
export async function startNatsProcess(port: number, storeDir: string): Promise<TestNatsServer> {
  const url = `nats://127.0.0.1:${port}`;
  const server = await startChildServer({
    command: 'nats-server',
    args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    answers: () => answers(url),
    installHint: 'Install it (Debian: apt install nats-server) or set NATS_URL.',
  });
  return { url, stop: () => server.stop() };
}

/**
 * A NATS server with JetStream for the NATS transport's tests: the one at `url` when it
 * answers (CI's), else a `nats-server` of the run's own on a free port, stopped at the end.
 */
export async function ensureTestNats(url: string): Promise<TestNatsServer> {
  if (await answers(url)) return { url, stop: async () => undefined };
  const storeDir = await mkdtemp(path.join(os.tmpdir(), 'market-hub-nats-'));
  try {
    const server = await startNatsProcess(await freePort(), storeDir);
    return {
      url: server.url,
      async stop() {
        await server.stop();
        await rm(storeDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw new Error(`No NATS server with JetStream answers at ${url}, and none of the run's own could start: ${(error as Error).message}`);
  }
}

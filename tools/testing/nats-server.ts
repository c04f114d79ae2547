import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { freePort } from './free-port';

export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';

export interface TestNatsServer {
  url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;

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
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`nats-server could not be started (${error.message}). Install it (Debian: apt install nats-server) or set NATS_URL.`)));
    child.once('exit', (code) => reject(new Error(`nats-server exited with ${code} before it was ready`)));
  });
  const ready = (async () => {
    for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline; ) {
      if (await answers(url)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`nats-server did not answer on port ${port} within ${READY_TIMEOUT_MS} ms`);
  })();
  try {
    await Promise.race([ready, failed]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  child.removeAllListeners('exit');
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
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

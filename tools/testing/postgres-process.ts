import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startEmbeddedPostgres } from '../embedded-postgres';

/**
 * A PostgreSQL server of a test's own, in a child process, so the test can stop and start it
 * (a database restart) without touching the server other test files share. Run directly, this
 * file is that child: it starts the server, prints "ready", and stops it on SIGTERM.
 */
export interface PostgresProcess {
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 15_000;

export function startPostgresProcess(dataDir: string, port: number): Promise<PostgresProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), __filename, dataDir, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group: if it does not stop in time, it goes with its PostgreSQL.
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`PostgreSQL process exited with ${code}: ${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('ready')) return;
      child.removeAllListeners('exit');
      resolve({
        urlFor: (database) => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
        stop: () =>
          new Promise<void>((done) => {
            const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), STOP_TIMEOUT_MS);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

if (require.main === module) {
  const [dataDir, port] = process.argv.slice(2);
  void (async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.resolve(dataDir!), port: Number(port) });
    await server.ensureDatabase('reliability');
    process.on('SIGTERM', () => {
      void server.stop().then(() => process.exit(0));
    });
    process.stdout.write('ready\n');
  })();
}

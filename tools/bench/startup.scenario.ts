import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { scratchDataDir } from '../local-data';
import type { Scenario } from './scenario';
import { round } from './stats';

const READY_LINE = /Market Hub is ready/;
const TIMEOUT_MS = 120_000;

/** Runs `npm start` until it prints that it is ready, then stops it with SIGTERM; returns ms to ready. */
async function timeToReady(env: NodeJS.ProcessEnv): Promise<number> {
  const startedMs = performance.now();
  const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start was not ready within ${TIMEOUT_MS} ms:\n${output}`)), TIMEOUT_MS);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (READY_LINE.test(output)) {
          clearTimeout(timer);
          resolve(performance.now() - startedMs);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The whole group: npm, its shell and the hub's node process.
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }
}

/** `npm start` to ready: on an empty data directory (cold: initdb, migrate, seed) and again on it (warm). */
export const startupScenario: Scenario = {
  name: 'startup',
  description: 'npm start to ready on an empty (cold) and an existing (warm) data directory',
  async run() {
    const dataDir = await scratchDataDir('bench-startup-');
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', EMBEDDED_PG_PORT: '54359', LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    try {
      const coldStartMs = await timeToReady(env);
      const warmStartMs = await timeToReady(env);
      return {
        metrics: { coldStartMs: round(coldStartMs, 0), warmStartMs: round(warmStartMs, 0) },
        table: [
          { start: 'cold (empty data directory)', ms: round(coldStartMs, 0) },
          { start: 'warm (existing data directory)', ms: round(warmStartMs, 0) },
        ],
      };
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};

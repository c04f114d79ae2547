import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { envPort, parseEnv } from '../subgraphs/kit/env';

/** Where the embedded default keeps its state: PostgreSQL data, the identity secret, demo keys. */
export const DEFAULT_DATA_DIR = path.resolve(__dirname, '../.data');
export const DEFAULT_EMBEDDED_PG_PORT = 54329;
export const EMBEDDED_DATABASE = 'markethub';

/** The embedded server's URL (on EMBEDDED_PG_PORT, as `npm start` uses it), which tools use when DATABASE_URL is unset. */
export function embeddedDatabaseUrl(port = parseEnv({ EMBEDDED_PG_PORT: envPort(DEFAULT_EMBEDDED_PG_PORT) }).EMBEDDED_PG_PORT): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

/**
 * A tool's database failure as a user can act on it: drizzle wraps PostgreSQL's message in
 * `cause`, and a refused connection to the embedded server needs a hint.
 */
export function describeDatabaseError(error: unknown, databaseUrl: string): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : error;
  if ((cause as NodeJS.ErrnoException).code === 'ECONNREFUSED' && databaseUrl === embeddedDatabaseUrl()) {
    return `cannot reach the embedded database (${cause.message}): start it with \`npm start\`, or set DATABASE_URL / --database-url`;
  }
  return cause === error ? error.message : `${cause.message} (${error.message.split('\n')[0]})`;
}

/** The gateway/subgraph shared secret of a local install: made once, kept private to this user. */
export function localIdentitySecret(dataDir: string): string {
  const file = path.join(dataDir, 'identity-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * A fresh directory under the data directory (made first: a new clone has none), for a scratch
 * PostgreSQL or NATS server. mkdtemp makes it private; as root, PostgreSQL runs as another user,
 * which must get through it.
 */
export async function scratchDataDir(prefix: string): Promise<string> {
  await mkdir(DEFAULT_DATA_DIR, { recursive: true });
  const dir = await mkdtemp(path.join(DEFAULT_DATA_DIR, prefix));
  await chmod(dir, 0o755);
  return dir;
}

import 'reflect-metadata';
import { z } from 'zod';
import { openDatabase, type DatabaseHandle } from '../subgraphs/kit/db';
import { envStatementTimeoutMs, parseSubgraphSettings } from '../subgraphs/kit/config';
import { startJobs } from '../subgraphs/kit/jobs';
import { envLogLevel, envPort, parseEnv } from '../subgraphs/kit/env';
import { createLogger, type Logger } from '../subgraphs/kit/logger';
import { applyMigrations } from '../subgraphs/kit/migrate';
import { runUntilSignalled } from '../subgraphs/kit/process';
import { ensureDemoKeys } from './demo-keys';
import { demoFleetJob } from './demo-fleet/fleet';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';
import { startHub } from './hub';
import { DEFAULT_DATA_DIR, DEFAULT_EMBEDDED_PG_PORT, EMBEDDED_DATABASE, localIdentitySecret } from './local-data';
import { isDatabaseEmpty, seedDemoParish, seedHistory } from './seed/main';
import { generateParish, type Parish } from './seed/parish';
import { holdsParish } from './seed/write';

/**
 * Migrates, seeds the parish into an empty database, and returns the demo parish when the
 * database holds it (its history can then be topped up), or null for any other data.
 */
async function prepareDatabase(database: DatabaseHandle, customers: number, log: Logger): Promise<Parish | null> {
  await applyMigrations(database);
  if (await isDatabaseEmpty(database)) {
    log.info({ customers }, 'seeding the demo parish');
    return seedDemoParish(database, { customers });
  }
  const parish = generateParish({ customers });
  return (await holdsParish(database, parish)) ? parish : null;
}

/**
 * A week of 15-minute history is ten million rows: it loads after the hub is ready, newest day
 * first, so the hub answers at once and the latest data is there within seconds. Days already
 * loaded are skipped, so a demo restarted later catches up to the last midnight.
 */
function loadHistoryInBackground(database: DatabaseHandle, parish: Parish, days: number, signal: AbortSignal, log: Logger): Promise<void> {
  const startedMs = performance.now();
  return seedHistory(database, parish, { days, signal }, (done, total) => log.info({ done, total }, 'demo history: day loaded')).then(
    (loaded) => {
      // Logged with 0 days too: the line says the history is complete, which a warm start can be waited on for.
      if (!signal.aborted) log.info({ days: loaded, seconds: Math.round((performance.now() - startedMs) / 1000) }, 'demo history loaded');
    },
    (err: unknown) => log.error({ err }, 'demo history could not be loaded'),
  );
}

/** `npm start`: everything in one process, on an embedded PostgreSQL unless DATABASE_URL is set. */
async function main(): Promise<void> {
  const startedMs = performance.now();
  const env = parseEnv({
    DATABASE_URL: z.string().min(1).optional(),
    PORT: envPort(4000),
    HOST: z.string().default('127.0.0.1'),
    DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
    EMBEDDED_PG_PORT: envPort(DEFAULT_EMBEDDED_PG_PORT),
    HUB_IDENTITY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SEED_CUSTOMERS: z.coerce.number().int().min(1).default(14_000),
    SEED_DAYS: z.coerce.number().int().min(0).default(7),
    STATEMENT_TIMEOUT_MS: envStatementTimeoutMs,
    LOG_LEVEL: envLogLevel,
  });
  const log = createLogger('market-hub', env.LOG_LEVEL);

  let postgres: RunningPostgres | null = null;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    log.info({ dataDir: env.DATA_DIR, port: env.EMBEDDED_PG_PORT }, 'starting embedded PostgreSQL');
    postgres = await startEmbeddedPostgres({ dataDir: `${env.DATA_DIR}/pg`, port: env.EMBEDDED_PG_PORT, onLog: (message) => log.debug({ postgres: message }) });
    await postgres.ensureDatabase(EMBEDDED_DATABASE);
    databaseUrl = postgres.urlFor(EMBEDDED_DATABASE);
  }

  // Requests' statements are cut off at the timeout; migrations, the seed and the history load
  // (whole days in one COPY) run on a pool of their own without it.
  const database = openDatabase(databaseUrl, { max: 20, statementTimeoutMs: env.STATEMENT_TIMEOUT_MS });
  const maintenance = openDatabase(databaseUrl, { max: 4 });
  let parish: Parish | null;
  try {
    parish = await prepareDatabase(maintenance, env.SEED_CUSTOMERS, log);
  } catch (error) {
    await maintenance.close();
    await database.close();
    await postgres?.stop();
    throw error;
  }

  const demoKeys = await ensureDemoKeys(maintenance.db, env.DATA_DIR);
  const hub = await startHub({
    database,
    identitySecret: env.HUB_IDENTITY_SECRET ?? localIdentitySecret(env.DATA_DIR),
    log,
    port: env.PORT,
    host: env.HOST,
  });

  const lines = [
    '',
    `Market Hub is ready in ${Math.round(performance.now() - startedMs)} ms`,
    `  Playground and API: ${hub.url}/graphql`,
    `  Database:           ${postgres ? `embedded PostgreSQL (${env.DATA_DIR}/pg)` : 'DATABASE_URL'}`,
    `  Events:             ${hub.eventBus.kind === 'nats' ? `NATS JetStream (${hub.eventBus.natsUrl}, stream ${hub.eventBus.stream})` : 'PostgreSQL outbox (LISTEN/NOTIFY)'}`,
    '  Demo API keys (send as "Authorization: Bearer <key>"):',
    ...demoKeys.map((demo) => `    ${demo.role.padEnd(11)} ${demo.organisationId.padEnd(16)} ${demo.key}`),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stopHistory = new AbortController();
  const history = parish ? loadHistoryInBackground(maintenance, parish, env.SEED_DAYS, stopHistory.signal, log) : Promise.resolve();
  // The demo parish's HEMS report once a minute, as their retailers' platforms would send it.
  const fleet = parish ? startJobs([demoFleetJob(parish)], database, parseSubgraphSettings(), log) : null;

  runUntilSignalled(log, async () => {
    stopHistory.abort();
    await fleet?.stop();
    await hub.stop();
    await history;
    await maintenance.close();
    await database.close();
    await postgres?.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});

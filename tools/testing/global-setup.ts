import { openDatabase } from '../../subgraphs/kit/db';
import { applyMigrations } from '../../subgraphs/kit/migrate';
import { startEmbeddedPostgres, type RunningPostgres } from '../embedded-postgres';
import { DEFAULT_DATA_DIR } from '../local-data';
import { DEFAULT_TEST_NATS_URL, ensureTestNats, type TestNatsServer } from './nats-server';
import { dropAbandonedTestDatabases, onTestAdmin, TEST_ADMIN_URL_ENV, TEST_TEMPLATE_ENV, testDatabaseName, testDatabaseUrl } from './test-database';

const EMBEDDED_TEST_PORT = 54339;

declare global {
  var __marketHubTestPostgres: RunningPostgres | undefined;
  var __marketHubTestNats: TestNatsServer | undefined;
}

/**
 * One PostgreSQL for the whole run: DATABASE_URL's server when set, else an embedded one.
 * Migrations are applied once to a template; each test file clones it into its own database.
 * Databases that killed runs left on the server are dropped first.
 * One NATS server for the NATS transport's tests: NATS_URL's (default 127.0.0.1:4222) when it
 * answers, else one of the run's own.
 */
export default async function globalSetup(): Promise<void> {
  const nats = await ensureTestNats(process.env.NATS_URL ?? DEFAULT_TEST_NATS_URL);
  globalThis.__marketHubTestNats = nats;
  process.env.NATS_URL = nats.url;

  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    const parsed = new URL(process.env.DATABASE_URL);
    parsed.pathname = '/postgres';
    adminUrl = parsed.toString();
  } else {
    const postgres = await startEmbeddedPostgres({ dataDir: `${DEFAULT_DATA_DIR}/pg-test`, port: EMBEDDED_TEST_PORT });
    globalThis.__marketHubTestPostgres = postgres;
    adminUrl = postgres.urlFor('postgres');
  }
  process.env[TEST_ADMIN_URL_ENV] = adminUrl;
  await dropAbandonedTestDatabases();
  const templateName = testDatabaseName('template');
  process.env[TEST_TEMPLATE_ENV] = templateName;

  await onTestAdmin((client) => client.query(`CREATE DATABASE ${templateName}`));
  const template = openDatabase(testDatabaseUrl(templateName), { max: 2 });
  try {
    await applyMigrations(template);
  } finally {
    await template.close();
  }
}

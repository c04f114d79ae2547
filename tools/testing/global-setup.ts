import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase } from '../../subgraphs/kit/db';
import { applyMigrations } from '../../subgraphs/kit/migrate';
import { startEmbeddedPostgres, type RunningPostgres } from '../embedded-postgres';
import { DEFAULT_DATA_DIR } from '../local-data';
import { DEFAULT_TEST_NATS_URL, ensureTestNats, type TestNatsServer } from './nats-server';
import { TEST_ADMIN_URL_ENV, TEST_TEMPLATE_ENV } from './test-database';

const EMBEDDED_TEST_PORT = 54339;

declare global {
  var __marketHubTestPostgres: RunningPostgres | undefined;
  var __marketHubTestNats: TestNatsServer | undefined;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * One PostgreSQL for the whole run: DATABASE_URL's server when set, else an embedded one.
 * Migrations are applied once to a template; each test file clones it into its own database.
 * One NATS server for the NATS transport's tests: NATS_URL's (default 127.0.0.1:4222) when it
 * answers, else one of the run's own.
 */
export default async function globalSetup(): Promise<void> {
  const nats = await ensureTestNats(process.env.NATS_URL ?? DEFAULT_TEST_NATS_URL);
  globalThis.__marketHubTestNats = nats;
  process.env.NATS_URL = nats.url;

  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = withDatabase(process.env.DATABASE_URL, 'postgres');
  } else {
    const postgres = await startEmbeddedPostgres({ dataDir: `${DEFAULT_DATA_DIR}/pg-test`, port: EMBEDDED_TEST_PORT });
    globalThis.__marketHubTestPostgres = postgres;
    adminUrl = postgres.urlFor('postgres');
  }
  process.env[TEST_ADMIN_URL_ENV] = adminUrl;
  const templateName = `market_hub_test_template_${randomBytes(4).toString('hex')}`;
  process.env[TEST_TEMPLATE_ENV] = templateName;

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${templateName}`);
  } finally {
    await admin.end();
  }
  const template = openDatabase(withDatabase(adminUrl, templateName), { max: 2 });
  try {
    await applyMigrations(template);
  } finally {
    await template.close();
  }
}

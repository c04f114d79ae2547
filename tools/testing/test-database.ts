import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type DatabaseHandle, type DatabaseOptions } from '../../subgraphs/kit/db';

export const TEST_ADMIN_URL_ENV = 'MARKET_HUB_TEST_ADMIN_URL';
/** The run's migrated template, named per run: two runs on one server must not drop each other's. */
export const TEST_TEMPLATE_ENV = 'MARKET_HUB_TEST_TEMPLATE';

export interface TestDatabase {
  url: string;
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const url = process.env[TEST_ADMIN_URL_ENV];
  if (!url) throw new Error(`${TEST_ADMIN_URL_ENV} is not set: run the tests through jest (globalSetup)`);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of this test file's own, cloned from the run's template. */
export async function createTestDatabase(options: Pick<DatabaseOptions, 'onQuery'> = {}): Promise<TestDatabase> {
  const name = `market_hub_test_${randomBytes(6).toString('hex')}`;
  const template = process.env[TEST_TEMPLATE_ENV];
  if (!template) throw new Error(`${TEST_TEMPLATE_ENV} is not set: run the tests through jest (globalSetup)`);
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = new URL(process.env[TEST_ADMIN_URL_ENV]!);
  url.pathname = `/${name}`;
  const handle = openDatabase(url.toString(), { max: 10, ...options });
  return {
    url: url.toString(),
    handle,
    async drop() {
      await handle.close();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

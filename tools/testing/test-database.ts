import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type DatabaseHandle, type DatabaseOptions } from '../../subgraphs/kit/db';

export const TEST_ADMIN_URL_ENV = 'MARKET_HUB_TEST_ADMIN_URL';
/** The run's migrated template, named per run: two runs on one server must not drop each other's. */
export const TEST_TEMPLATE_ENV = 'MARKET_HUB_TEST_TEMPLATE';

/**
 * Every database the tests make is named `market_hub_test_[kind_]<unix seconds>_<hex>`: unique,
 * and telling when it was made, which PostgreSQL does not record, so that one a killed run left
 * behind can be recognised by its age.
 */
const TEST_DATABASE_NAME = /^market_hub_test_(?:[a-z]+_)?(\d{10})_[0-9a-f]+$/;

export function testDatabaseName(kind?: 'template' | 'empty'): string {
  return `market_hub_test_${kind ? `${kind}_` : ''}${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

/** `work` on a connection to the test server's maintenance database, closed afterwards. */
export async function onTestAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
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

export function testDatabaseUrl(name: string): string {
  const url = new URL(process.env[TEST_ADMIN_URL_ENV]!);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabaseOptions extends Pick<DatabaseOptions, 'onQuery' | 'max'> {
  /**
   * null: a database with nothing in it, not even the migrations, as an operator gives freshly
   * deployed parts (which migrate it themselves). Default: a clone of the run's migrated template.
   */
  template?: null;
}

/** A fresh database of this test file's own: migrated (a clone of the run's template) unless `template: null`. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const { template: fromTemplate, max = 10, onQuery } = options;
  let template: string | undefined;
  if (fromTemplate !== null) {
    template = process.env[TEST_TEMPLATE_ENV];
    if (!template) throw new Error(`${TEST_TEMPLATE_ENV} is not set: run the tests through jest (globalSetup)`);
  }
  const name = testDatabaseName(template ? undefined : 'empty');
  await onTestAdmin((client) => client.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`));
  const url = testDatabaseUrl(name);
  const handle = openDatabase(url, { max, onQuery });
  return {
    url,
    handle,
    async drop() {
      await handle.close();
      await onTestAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Drops the test databases and templates that runs killed before their teardown left behind:
 * those made more than `olderThanMs` ago that nobody is connected to. A run still going has
 * either connections or young databases (no test file lasts an hour), so it loses nothing.
 * Returns the names dropped.
 */
export async function dropAbandonedTestDatabases(olderThanMs = 3_600_000): Promise<string[]> {
  return onTestAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
       WHERE d.datname LIKE 'market\\_hub\\_test\\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)`,
    );
    const cutoffS = (Date.now() - olderThanMs) / 1000;
    const abandoned = rows.map((row) => row.datname).filter((name) => Number(TEST_DATABASE_NAME.exec(name)?.[1] ?? Infinity) < cutoffS);
    const dropped: string[] = [];
    for (const name of abandoned) {
      // Without FORCE: should anyone have connected since, the database is theirs to keep.
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name}`);
        dropped.push(name);
      } catch {
        // In use after all (or dropped by another run's setup at the same moment): left alone.
      }
    }
    return dropped;
  });
}

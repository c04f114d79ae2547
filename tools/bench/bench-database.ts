import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type DatabaseHandle } from '../../subgraphs/kit/db';
import { applyMigrations } from '../../subgraphs/kit/migrate';
import { startEmbeddedPostgres, type RunningPostgres } from '../embedded-postgres';
import { DEFAULT_DATA_DIR } from '../local-data';

export interface BenchDatabase {
  handle: DatabaseHandle;
  close(): Promise<void>;
}

const EMBEDDED_BENCH_PORT = 54349;

/** A scratch, migrated database on DATABASE_URL's server, else on an embedded one; dropped at close. */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  let postgres: RunningPostgres | null = null;
  let adminUrl: URL;
  if (process.env.DATABASE_URL) {
    adminUrl = new URL(process.env.DATABASE_URL);
  } else {
    postgres = await startEmbeddedPostgres({ dataDir: `${DEFAULT_DATA_DIR}/pg-bench`, port: EMBEDDED_BENCH_PORT });
    adminUrl = new URL(postgres.urlFor('postgres'));
  }
  adminUrl.pathname = '/postgres';
  const name = `market_hub_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = openDatabase(url.toString(), { max: 20 });
  await applyMigrations(handle);
  return {
    handle,
    async close() {
      await handle.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await postgres?.stop();
    },
  };
}

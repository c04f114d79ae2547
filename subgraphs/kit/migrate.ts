import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { openDatabase, type DatabaseHandle } from './db';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/** Arbitrary constant: serialises migrations when several replicas start at once. */
const MIGRATION_LOCK_KEY = 7_302_026;

/**
 * Applies pending migrations; safe to call from every process at every start. They run on the
 * connection that holds the lock, so a pool of one connection is enough.
 */
export async function applyMigrations(handle: DatabaseHandle): Promise<void> {
  const client = await handle.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/**
 * Applies pending migrations on a connection of its own, without the requests' statement
 * timeout: what every separately run part does at start.
 */
export async function migrateDatabase(connectionString: string): Promise<void> {
  const maintenance = openDatabase(connectionString, { max: 1 });
  try {
    await applyMigrations(maintenance);
  } finally {
    await maintenance.close();
  }
}

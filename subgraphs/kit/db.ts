import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { Pool, type PoolConfig } from 'pg';
import * as tables from '../../schema/tables';

export type Database = NodePgDatabase<typeof tables>;

export interface DatabaseHandle {
  pool: Pool;
  db: Database;
  close(): Promise<void>;
}

export function openDatabase(connectionString: string, options: Omit<PoolConfig, 'connectionString'> = {}): DatabaseHandle {
  const pool = new Pool({ connectionString, max: 10, ...options });
  // An idle client losing its server (a PostgreSQL restart) must not crash the process.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema: tables });
  return { pool, db, close: () => pool.end() };
}

import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { Pool, type PoolConfig } from 'pg';
import * as tables from '../../schema/tables';

export type Database = NodePgDatabase<typeof tables>;

export interface DatabaseHandle {
  pool: Pool;
  db: Database;
  close(): Promise<void>;
}

export interface DatabaseOptions extends Omit<PoolConfig, 'connectionString'> {
  /** Called with every statement drizzle sends: tests count statements per request with it. */
  onQuery?: (query: string) => void;
}

export function openDatabase(connectionString: string, { onQuery, ...options }: DatabaseOptions = {}): DatabaseHandle {
  const pool = new Pool({ connectionString, max: 10, ...options });
  // An idle client losing its server (a PostgreSQL restart) must not crash the process.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema: tables, logger: onQuery ? { logQuery: (query) => onQuery(query) } : false });
  return { pool, db, close: () => pool.end() };
}

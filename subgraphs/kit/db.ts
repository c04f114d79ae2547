import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { Pool, type PoolConfig } from 'pg';
import * as tables from '../../schema/tables';
import { settledWithin } from './settle';

const POOL_END_WAIT_MS = 10_000;

export type Database = NodePgDatabase<typeof tables>;
/** A transaction of a Database: what `db.transaction(async (tx) => …)` hands over. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  /** For connections outside the pool (LISTEN). */
  connectionString: string;
  pool: Pool;
  db: Database;
  close(): Promise<void>;
}

export interface DatabaseOptions extends Omit<PoolConfig, 'connectionString' | 'statement_timeout'> {
  /** Called with every statement drizzle sends and its parameters: tests count statements per request with it. */
  onQuery?: (query: string, params: unknown[]) => void;
  /** Cancels any statement running longer (0: no limit, for bulk loads and migrations). */
  statementTimeoutMs?: number;
}

export function openDatabase(connectionString: string, { onQuery, statementTimeoutMs = 0, ...options }: DatabaseOptions = {}): DatabaseHandle {
  // A bounded wait for a connection: while the server is away, callers fail and retry instead of
  // queueing for ever behind clients that will never come back.
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 10_000, statement_timeout: statementTimeoutMs, ...options });
  // A client losing its server (a PostgreSQL restart) must not crash the process: idle ones are
  // reported on the pool, checked-out ones on themselves; their next query fails and they are dropped.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzle(pool, { schema: tables, logger: onQuery ? { logQuery: (query, params) => onQuery(query, params) } : false });
  // end() waits for every checked-out client; one stuck on a dead connection must not stop shutdown.
  return { connectionString, pool, db, close: () => settledWithin(pool.end(), POOL_END_WAIT_MS) };
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getTableColumns } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import * as tables from '../../schema/tables';
import type { Database, DatabaseHandle } from '../../subgraphs/kit/db';
import type { Parish } from './parish';

/** Rows per chunk handed to a COPY stream: the unit of progress, and small enough to keep memory flat. */
const COPY_CHUNK_ROWS = 2_000;

async function holdsAnyParish(db: Database): Promise<boolean> {
  const rows = await db.select({ id: tables.meteringPoints.id }).from(tables.meteringPoints).limit(1);
  return rows.length > 0;
}

/** Whether the database holds exactly this generated parish (same size, same first CPE codes). */
export async function holdsParish(handle: DatabaseHandle, parish: Parish): Promise<boolean> {
  const sample = parish.meteringPoints.slice(0, 3).map((point) => point.id);
  const { rows } = await handle.pool.query<{ total: string; found: string }>(
    'SELECT count(*) AS total, count(*) FILTER (WHERE id = ANY($1::text[])) AS found FROM metering.metering_points',
    [sample],
  );
  return Number(rows[0]!.total) === parish.meteringPoints.length && Number(rows[0]!.found) === sample.length;
}

/** True when no metering point exists yet, i.e. no parish has been seeded. */
export async function isDatabaseEmpty(handle: DatabaseHandle): Promise<boolean> {
  return !(await holdsAnyParish(handle.db));
}

/** COPY's text format: tab-separated, `\N` for null, backslash escapes. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return String(value).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

interface Copy {
  table: PgTable;
  rows: readonly object[];
}

/**
 * COPY rather than INSERT: it is several times faster for tens of thousands of rows. Columns and
 * their driver encodings come from the drizzle table, so the seed follows schema changes.
 */
async function copyRows(client: PoolClient, { table, rows }: Copy, onChunk: (rows: number) => void): Promise<void> {
  if (rows.length === 0) return;
  const { schema, name } = getTableConfig(table);
  const columns = Object.entries(getTableColumns(table));
  const target = `${schema === undefined ? '' : `"${schema}".`}"${name}"`;
  const columnList = columns.map(([, column]) => `"${column.name}"`).join(', ');
  const sink = client.query(copyFrom(`COPY ${target} (${columnList}) FROM STDIN`));

  function* chunks(): Generator<string> {
    for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
      const chunk = rows.slice(start, start + COPY_CHUNK_ROWS);
      let text = '';
      for (const row of chunk) {
        const record = row as Record<string, unknown>;
        text += columns
          .map(([key, column]) => {
            const value = record[key];
            return copyField(value === null || value === undefined ? value : column.mapToDriverValue(value));
          })
          .join('\t');
        text += '\n';
      }
      yield text;
      onChunk(chunk.length);
    }
  }

  await pipeline(Readable.from(chunks()), sink);
}

/**
 * Writes a whole parish in one transaction: either all of it lands or none of it does. Throws
 * when the database already holds a parish rather than duplicating or mixing two.
 */
export async function writeParish(handle: DatabaseHandle, parish: Parish, progress?: (done: number, total: number) => void): Promise<void> {
  // In foreign-key order. Organisations are written separately (see below).
  const copies: Copy[] = [
    { table: tables.primarySubstations, rows: parish.primarySubstations },
    { table: tables.secondarySubstations, rows: parish.secondarySubstations },
    { table: tables.feeders, rows: parish.feeders },
    // The substations' LV bus keys are checked at commit, once the buses are in.
    { table: tables.lineCodes, rows: parish.lineCodes },
    { table: tables.buses, rows: parish.buses },
    { table: tables.lineSegments, rows: parish.lineSegments },
    { table: tables.meteringPoints, rows: parish.meteringPoints },
    { table: tables.supplyContracts, rows: parish.supplyContracts },
    { table: tables.connections, rows: parish.connections },
    { table: tables.evChargingStations, rows: parish.evChargingStations },
    { table: tables.tariffSchemes, rows: parish.tariffSchemes },
    { table: tables.tariffSchemePrices, rows: parish.tariffSchemePrices },
    { table: tables.tariffAssignments, rows: parish.tariffAssignments },
    { table: tables.pilotEnrolments, rows: parish.pilotEnrolments },
    { table: tables.hemsSystems, rows: parish.hemsSystems },
    { table: tables.devices, rows: parish.hemsDevices },
    { table: tables.flexibleLoads, rows: parish.flexibleLoads },
    { table: tables.consents, rows: parish.hemsSharing },
    { table: tables.flexRequests, rows: parish.flexRequests },
    { table: tables.flexRequestIsps, rows: parish.flexRequestIsps },
    { table: tables.flexRequestRecipients, rows: parish.flexRequestRecipients },
  ];
  const total = parish.organisations.length + copies.reduce((sum, c) => sum + c.rows.length, 0);
  let done = 0;
  const advance = (rows: number): void => {
    done += rows;
    progress?.(done, total);
  };

  const client = await handle.pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      // Self-conflicting lock: a second seeder waits here, then sees the first one's parish.
      await client.query('LOCK TABLE metering.metering_points IN SHARE ROW EXCLUSIVE MODE');
      const tx = drizzle(client, { schema: tables });
      if (await holdsAnyParish(tx)) {
        throw new Error('The database already holds a parish (metering.metering_points is not empty); seed an empty database instead.');
      }
      progress?.(0, total);
      // Other tools (API keys, start-up) may have created the DSO or other organisations already.
      await tx.insert(tables.organisations).values(parish.organisations).onConflictDoNothing();
      advance(parish.organisations.length);
      for (const copy of copies) await copyRows(client, copy, advance);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    }
  } finally {
    // A connection that could not roll back is in an unknown state: discard it rather than pool it.
    client.release(broken);
  }
}

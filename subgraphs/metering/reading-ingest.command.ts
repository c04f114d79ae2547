import { createHash } from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import { BadUserInputError, ConflictError } from '../../schema/errors';
import { recordMutation, type Actor } from '../kit/audit';
import type { DatabaseHandle } from '../kit/db';
import type { PointKeys } from './point-keys.sql';
import { createStaging, dropStaging, ensurePartitions, mergeStaging, STAGING_TABLE } from './reading-ingest.repo';
import { batchRejections, MAX_BATCH_READINGS, qualityCode, type ReadingRow } from './reading.rules';

export interface IngestResult {
  idempotencyKey: string;
  received: number;
  inserted: number;
  revised: number;
  unchanged: number;
  replayed: boolean;
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

function digestOf(rows: readonly ReadingRow[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.meteringPointId}|${row.intervalStartMs}|${row.importWh}|${row.exportWh}|${row.quality}\n`);
  return hash.digest('hex');
}

/**
 * `ingestReadings`: validates the whole batch first (nothing is written when any row is bad),
 * then writes it atomically under its idempotency key.
 */
export class ReadingIngestCommand {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly keysOf: PointKeys,
  ) {}

  async run(actor: Actor, idempotencyKey: string, rows: ReadingRow[], nowMs = Date.now()): Promise<IngestResult> {
    const { identity } = actor;
    if (!idempotencyKey || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new BadUserInputError(`idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, { field: 'idempotencyKey' });
    }
    if (rows.length === 0 || rows.length > MAX_BATCH_READINGS) {
      throw new BadUserInputError(`a batch holds 1 to ${MAX_BATCH_READINGS} readings`, { field: 'readings' });
    }
    const digest = digestOf(rows);
    const earlier = await this.stored(idempotencyKey, digest);
    if (earlier) return earlier;

    const keys = await this.keysOf([...new Set(rows.map((row) => row.meteringPointId))]);
    const rejected = batchRejections(rows, nowMs, (id) => keys.has(id));
    if (rejected.length > 0) {
      throw new BadUserInputError(`${rejected.length} of ${rows.length} readings are invalid; nothing was written`, { rejected });
    }

    const client = await this.database.pool.connect();
    try {
      await ensurePartitions(client, rows.map((row) => row.intervalStartMs));
      await client.query('BEGIN');
      const claimed = await client.query(
        `INSERT INTO metering.ingest_batches (idempotency_key, organisation_id, payload_digest, result)
         VALUES ($1, $2, $3, '{}') ON CONFLICT (idempotency_key) DO NOTHING`,
        [idempotencyKey, identity.organisationId, digest],
      );
      if (claimed.rowCount === 0) {
        // The same key committed meanwhile: answer as a replay (or a conflict).
        await client.query('ROLLBACK');
        return (await this.stored(idempotencyKey, digest))!;
      }
      await createStaging(client);
      await client.query(
        `INSERT INTO ${STAGING_TABLE} (line_no, metering_point_id, metering_point_key, interval_start, import_wh, export_wh, quality)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::timestamptz[], $5::int[], $6::int[], $7::smallint[])`,
        [
          rows.map((_, index) => index),
          rows.map((row) => row.meteringPointId),
          rows.map((row) => keys.get(row.meteringPointId)),
          rows.map((row) => new Date(row.intervalStartMs)),
          rows.map((row) => row.importWh),
          rows.map((row) => row.exportWh),
          rows.map((row) => qualityCode(row.quality)),
        ],
      );
      const counts = await mergeStaging(client);
      const result: IngestResult = { idempotencyKey, received: rows.length, ...counts, replayed: false };
      await client.query('UPDATE metering.ingest_batches SET result = $2 WHERE idempotency_key = $1', [idempotencyKey, result]);
      await recordMutation(drizzle(client), actor, 'ingestReadings', idempotencyKey, `${result.received} readings: ${result.inserted} inserted, ${result.revised} revised, ${result.unchanged} unchanged`);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await dropStaging(client).catch(() => undefined);
      client.release();
    }
  }

  private async stored(idempotencyKey: string, digest: string): Promise<IngestResult | null> {
    const { rows } = await this.database.pool.query<{ payload_digest: string; result: IngestResult }>(
      'SELECT payload_digest, result FROM metering.ingest_batches WHERE idempotency_key = $1',
      [idempotencyKey],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.payload_digest !== digest) throw new ConflictError('This idempotency key was used for a different batch');
    return { ...row.result, replayed: true };
  }
}

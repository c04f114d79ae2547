import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { ApiKeysRepo } from '../../gateway/api-keys.repo';
import type { DatabaseHandle } from '../../subgraphs/kit/db';
import { createLogger } from '../../subgraphs/kit/logger';
import { INTERVAL_MS, qualityCode, READING_QUALITIES } from '../../subgraphs/metering/reading.rules';
import { startHub } from '../hub';
import { BENCH_GATEWAY } from './bench-hub';
import { ingestReadingsFile, INGEST_STEPS, type IngestStep } from '../ingest/ingest-file';
import { generateParish } from '../seed/parish';
import { writeParish } from '../seed/write';
import { postGraphQL } from '../testing/hub-fixture';
import { openBenchDatabase } from './bench-database';
import type { Scenario } from './scenario';
import { round, timeOnce } from './stats';

const BULK_ROWS = 1_000_000;
const MUTATION_BATCHES = 20;
const MUTATION_BATCH_ROWS = 10_000;
// Past days in a month of their own, so the bulk load and the mutations each start on empty intervals.
const BULK_DAY_MS = Date.parse('2026-03-02T00:00:00Z');
const MUTATION_DAY_MS = Date.parse('2026-03-16T00:00:00Z');
const FLOOR_TABLE = 'public.readings_copy_floor';

const INGEST = `mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`;

/** Arbitrary but valid and varied: a few hundred Wh, some export, a share of estimates. */
function reading(point: number, quarter: number) {
  return {
    importWh: 20 + ((point * 7 + quarter * 13) % 400),
    exportWh: point % 10 === 0 ? (quarter * 3) % 50 : 0,
    quality: READING_QUALITIES[point % 20 === 0 ? 1 : 0]!,
  };
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * The bulk file (CPE codes, as a DSO exports it) and the floor's file (the same rows with keys
 * already resolved), point by point as a head-end system exports meters, written in chunks.
 */
async function writeBulkFiles(ids: readonly string[], keys: ReadonlyMap<string, number>, bulkFile: string, keyedFile: string): Promise<void> {
  const bulk = createWriteStream(bulkFile);
  const keyed = createWriteStream(keyedFile);
  await write(bulk, 'metering_point_id,interval_start,import_wh,export_wh,quality\n');
  await write(keyed, 'metering_point_key,interval_start,import_wh,export_wh,quality\n');
  const quarters = Math.ceil(BULK_ROWS / ids.length);
  const starts = Array.from({ length: quarters }, (_, q) => new Date(BULK_DAY_MS + q * INTERVAL_MS).toISOString());
  let rows = 0;
  for (let p = 0; p < ids.length && rows < BULK_ROWS; p++) {
    let bulkText = '';
    let keyedText = '';
    for (let q = 0; q < quarters && rows < BULK_ROWS; q++, rows++) {
      const { importWh, exportWh, quality } = reading(p, q);
      bulkText += `${ids[p]},${starts[q]},${importWh},${exportWh},${quality}\n`;
      keyedText += `${keys.get(ids[p]!)},${starts[q]},${importWh},${exportWh},${qualityCode(quality)}\n`;
    }
    await write(bulk, bulkText);
    await write(keyed, keyedText);
  }
  bulk.end();
  keyed.end();
  await Promise.all([once(bulk, 'finish'), once(keyed, 'finish')]);
}

/**
 * So that each timed load starts with no dirty pages left by the previous one. Needs superuser
 * or pg_checkpoint; without it the loads still run, with that noise.
 */
async function checkpoint(handle: DatabaseHandle): Promise<void> {
  await handle.pool.query('CHECKPOINT').catch(() => undefined);
}

/** The floor: the same rows, keys resolved, with one COPY into an empty table shaped like the readings. */
async function rawCopy(handle: DatabaseHandle, keyedFile: string): Promise<void> {
  const client = await handle.pool.connect();
  try {
    await pipeline(
      createReadStream(keyedFile, { highWaterMark: 1 << 20 }),
      client.query(copyFrom(`COPY ${FLOOR_TABLE} (metering_point_key, interval_start, import_wh, export_wh, quality) FROM STDIN WITH (FORMAT csv, HEADER true)`)),
    );
  } finally {
    client.release();
  }
}

/**
 * One million readings of the 14,000-point parish loaded from a CSV file by the bulk path of
 * `npm run ingest`, against the floor of one COPY of the same rows into an empty table with the
 * readings' partitioning and primary key; and the `ingestReadings` mutation through the gateway
 * in batches of 10,000, for scale.
 */
export const ingestScenario: Scenario = {
  name: 'ingest',
  description: 'bulk CSV ingest of 1,000,000 readings vs one raw COPY of the same rows; the mutation in batches of 10,000',
  async run() {
    const bench = await openBenchDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-ingest-'));
    try {
      const { handle } = bench;
      await writeParish(handle, generateParish({ customers: 14_000 }));
      const { rows: points } = await handle.pool.query<{ id: string; key: number }>('SELECT id, key FROM metering.metering_points ORDER BY key');
      const ids = points.map((point) => point.id);
      const bulkFile = path.join(dir, 'readings.csv');
      const keyedFile = path.join(dir, 'readings-keyed.csv');
      await writeBulkFiles(ids, new Map(points.map((point) => [point.id, point.key])), bulkFile, keyedFile);

      const monthStart = new Date(Date.UTC(2026, 2, 1));
      const monthEnd = new Date(Date.UTC(2026, 3, 1));
      await handle.pool.query(`CREATE TABLE ${FLOOR_TABLE} (LIKE metering.readings INCLUDING ALL) PARTITION BY RANGE (interval_start)`);
      await handle.pool.query(`CREATE TABLE ${FLOOR_TABLE}_2026_03 PARTITION OF ${FLOOR_TABLE} FOR VALUES FROM ('${monthStart.toISOString()}') TO ('${monthEnd.toISOString()}')`);
      await checkpoint(handle);
      const rawMs = await timeOnce(() => rawCopy(handle, keyedFile));

      await checkpoint(handle);
      const stepMs = new Map<IngestStep, number>();
      let rowsRead = 0;
      const bulkMs = await timeOnce(async () => {
        const summary = await ingestReadingsFile(handle, bulkFile, { onStep: (step, ms) => stepMs.set(step, ms) });
        if (summary.inserted !== BULK_ROWS) throw new Error(`bulk ingest inserted ${summary.inserted} of ${BULK_ROWS} rows`);
        rowsRead = summary.rowsRead;
      });

      const identitySecret = randomBytes(32).toString('base64url');
      const hub = await startHub({ database: handle, identitySecret, log: createLogger('bench', 'silent'), port: 0, gateway: BENCH_GATEWAY });
      let mutationMs: number;
      try {
        const { key } = await new ApiKeysRepo(handle.db).create({ name: 'bench', organisationId: 'dso', role: 'dso' });
        // Request bodies are built beforehand: what is timed is the hub, not this loop.
        const batches = Array.from({ length: MUTATION_BATCHES }, (_, b) => ({
          idempotencyKey: `bench-${b}`,
          readings: ids.slice(0, MUTATION_BATCH_ROWS).map((meteringPointId, p) => ({
            meteringPointId,
            intervalStart: new Date(MUTATION_DAY_MS + b * INTERVAL_MS).toISOString(),
            ...reading(p, b),
          })),
        }));
        await checkpoint(handle);
        mutationMs = await timeOnce(async () => {
          for (const input of batches) {
            const { body } = await postGraphQL(`${hub.url}/graphql`, INGEST, { authorization: `Bearer ${key}` }, { input });
            if (body.errors) throw new Error(body.errors[0]!.message);
          }
        });
      } finally {
        await hub.stop();
      }

      const bulkRowsPerS = rowsRead / (bulkMs / 1000);
      const rawCopyRowsPerS = BULK_ROWS / (rawMs / 1000);
      const mutationRows = MUTATION_BATCHES * MUTATION_BATCH_ROWS;
      const mutationRowsPerS = mutationRows / (mutationMs / 1000);
      return {
        metrics: {
          bulkRowsPerS: round(bulkRowsPerS, 0),
          rawCopyRowsPerS: round(rawCopyRowsPerS, 0),
          copyRatio: round(bulkRowsPerS / rawCopyRowsPerS),
          mutationRowsPerS: round(mutationRowsPerS, 0),
        },
        table: [
          { path: 'raw COPY (floor)', rows: BULK_ROWS, seconds: round(rawMs / 1000), rowsPerS: round(rawCopyRowsPerS, 0) },
          { path: 'bulk ingest', rows: rowsRead, seconds: round(bulkMs / 1000), rowsPerS: round(bulkRowsPerS, 0) },
          ...INGEST_STEPS.map((step) => ({ path: `  bulk: ${step}`, rows: rowsRead, seconds: round((stepMs.get(step) ?? 0) / 1000), rowsPerS: '' })),
          { path: `mutation (${MUTATION_BATCHES} × ${MUTATION_BATCH_ROWS})`, rows: mutationRows, seconds: round(mutationMs / 1000), rowsPerS: round(mutationRowsPerS, 0) },
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
      await bench.close();
    }
  },
};

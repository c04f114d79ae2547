import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DatabaseHandle } from '../../subgraphs/kit/db';
import { addRollupDeltas, BinaryReadings, loadPointDirectory, READINGS_COPY, RollupDeltas } from '../../subgraphs/metering/reading-bulk';
import {
  createStaging,
  dropStaging,
  ensurePartitions,
  ensurePartitionsForStaging,
  lockReadings,
  mergeStaging,
  resolveStagedKeys,
  STAGING_TABLE,
  type MergeCounts,
} from '../../subgraphs/metering/reading-ingest.repo';
import { qualityCode, REJECT_REASONS } from '../../subgraphs/metering/reading.rules';
import { numberedLines, readFileLines, splitLines, type LineBatch } from './lines';
import { IngestInputError, parseHeader, parseReadingLine, STAGING_COPY_COLUMNS, stagingCopyLine, type CsvLayout } from './reading-csv';
import { RejectFile } from './reject-file';

export interface IngestFileOptions {
  /** The instant readings must have ended by (default: now): fixed by tests and replays. */
  nowMs?: number;
  /** Bytes of the file read so far, called once per chunk of the first pass. */
  onProgress?: (bytesRead: number) => void;
  /** Called as each step ends with its duration: where the time goes, for the benchmark. */
  onStep?: (step: IngestStep, ms: number) => void;
}

/** The fast path's two steps, then the staging path's, which only run when the fast path gives way. */
export const INGEST_STEPS = ['copyToReadings', 'addRollups', 'copyToStaging', 'resolveKeys', 'rejectInSql', 'partitions', 'merge'] as const;
export type IngestStep = (typeof INGEST_STEPS)[number];

export interface IngestFileSummary extends MergeCounts {
  /** Data lines: the header and blank lines are not rows. */
  rowsRead: number;
  /** Rows merged: inserted + revised + unchanged. */
  valid: number;
  rejected: number;
  seconds: number;
  rowsPerS: number;
  /** `<file>.rejects.csv`, or null when nothing was rejected (and no such file is left). */
  rejectFile: string | null;
}

export const rejectFilePath = (file: string): string => `${file}.rejects.csv`;

/** Rows that only the database can judge, moved out of staging before the merge. */
const REJECTS_TABLE = 'pg_temp.ingest_rejects';

/** Throws an IngestInputError naming the problem when `file` is missing, unreadable or not a file. */
export async function assertReadableFile(file: string): Promise<void> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new IngestInputError(error.code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${error.message}`);
  });
  if (!info.isFile()) throw new IngestInputError(`not a file: ${file}`);
}

/** The data lines after the header, the first batch's remainder included. */
async function* dataBatches(first: LineBatch, rest: AsyncIterator<LineBatch>): AsyncGenerator<LineBatch> {
  yield { ...first, firstLineNo: first.firstLineNo + 1, lines: first.lines.slice(1) };
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/**
 * First pass: every line is checked on its own; a bad one goes to the reject file, a good one
 * into the COPY to staging, a chunk at a time with the COPY's backpressure (at most two chunks
 * parsed ahead of the server). Returns rows read.
 */
async function copyIntoStaging(
  client: PoolClient,
  batches: AsyncIterable<LineBatch>,
  layout: CsvLayout,
  nowMs: number,
  rejects: RejectFile,
  onProgress?: (bytesRead: number) => void,
): Promise<number> {
  let rowsRead = 0;
  async function* copyText(): AsyncGenerator<string> {
    for await (const batch of batches) {
      let text = '';
      for (let i = 0; i < batch.lines.length; i++) {
        const line = batch.lines[i]!;
        if (line.trim() === '') continue;
        rowsRead++;
        const parsed = parseReadingLine(line, layout, nowMs);
        if (parsed.row) text += stagingCopyLine(batch.firstLineNo + i, parsed.row);
        else await rejects.add(batch.firstLineNo + i, parsed.problem, line);
      }
      onProgress?.(batch.bytesRead);
      if (text.length > 0) yield text;
    }
  }
  await pipeline(Readable.from(copyText(), { highWaterMark: 2 }), client.query(copyFrom(`COPY ${STAGING_TABLE} ${STAGING_COPY_COLUMNS} FROM STDIN`)));
  return rowsRead;
}

/**
 * Moves the rows only the database can judge out of staging: an unknown metering point (no
 * key), or the point and interval of an earlier line. They are appended to the reject file
 * with their original text, found by reading the file again alongside the rejects in line
 * order, so neither side is held in memory.
 */
async function rejectStagedRows(client: PoolClient, file: string, rejects: RejectFile): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${REJECTS_TABLE}`);
  // first_line_no is the line a duplicate repeats; null for an unknown point.
  await client.query(`CREATE TEMP TABLE ingest_rejects (line_no bigint NOT NULL, first_line_no bigint)`);
  // Keys stand in for CPE codes in the duplicate check: they are one-to-one, and integers sort faster.
  const { rowCount } = await client.query(`
    WITH flagged AS (
      SELECT line_no, NULL::bigint AS first_line_no FROM ${STAGING_TABLE} WHERE metering_point_key IS NULL
      UNION ALL
      SELECT line_no, first_line_no FROM (
        SELECT line_no, row_number() OVER w AS nth, first_value(line_no) OVER w AS first_line_no
        FROM ${STAGING_TABLE} WHERE metering_point_key IS NOT NULL
        WINDOW w AS (PARTITION BY metering_point_key, interval_start ORDER BY line_no)
      ) numbered WHERE nth > 1
    ), removed AS (
      DELETE FROM ${STAGING_TABLE} b USING flagged f WHERE b.line_no = f.line_no RETURNING f.line_no, f.first_line_no
    )
    INSERT INTO ${REJECTS_TABLE} SELECT line_no, first_line_no FROM removed`);
  if ((rowCount ?? 0) > 0) {
    const staged = client.query(copyTo(`COPY (SELECT line_no, first_line_no FROM ${REJECTS_TABLE} ORDER BY line_no) TO STDOUT`));
    const fileLines = numberedLines(readFileLines(file));
    try {
      for await (const batch of splitLines(staged as AsyncIterable<Buffer>)) {
        for (const record of batch.lines) {
          const [lineNo, firstLineNo] = record.split('\t').map((field) => (field === '\\N' ? null : Number(field)));
          let current = await fileLines.next();
          while (!current.done && current.value.lineNo < lineNo!) current = await fileLines.next();
          if (current.done) throw new Error(`${file} changed during the load: line ${lineNo} is gone`);
          const reason = firstLineNo === null ? REJECT_REASONS.unknownPoint : `${REJECT_REASONS.duplicate} (same point and interval as line ${firstLineNo})`;
          await rejects.add(lineNo!, reason, current.value.line);
        }
      }
    } finally {
      await fileLines.return(undefined);
    }
  }
  await client.query(`DROP TABLE ${REJECTS_TABLE}`);
}

/**
 * Parsing and feeding the socket share Node's one thread: handing the server rows in slices
 * (about 64 KB), with a turn of the event loop after each, lets the socket drain while the next
 * slice is parsed.
 */
const SLICE_ROWS = 1500;
const SLICES_AHEAD = 8;

/**
 * What the fast path cannot load and the staging path can: a reading already there or repeated
 * (unique violation), a month without a partition (reported as a check violation; the table's
 * own checks cannot fail on rows that passed parseReadingLine).
 */
const UNIQUE_VIOLATION = '23505';
const NO_PARTITION = '23514';

/**
 * The months of the first batch's readings get their partitions before the load's transaction:
 * creating one locks the parent table, which must not be held for the length of the load. A
 * later line in another month fails the COPY and sends the file down the staging path.
 */
async function ensurePartitionsForBatch(client: PoolClient, batch: LineBatch, layout: CsvLayout, nowMs: number): Promise<void> {
  const starts: number[] = [];
  for (const line of batch.lines) {
    const { row } = parseReadingLine(line, layout, nowMs);
    if (row) starts.push(row.intervalStartMs);
  }
  await ensurePartitions(client, starts);
}

/**
 * The common bulk case, readings the database does not hold yet, in one transaction under the
 * ingest lock: CPE codes resolved from one read of the metering points (an unknown one is
 * rejected on the spot), rows COPYed straight into metering.readings, and the rollups moved by
 * totals summed while streaming, which are right exactly when every row was new. The primary
 * key checks that: a reading already there or a line repeating an earlier one fails the COPY,
 * the transaction rolls back, and null says to take the staging path, which can revise and
 * report duplicates. Memory holds a chunk of the file, the points and the rollup cells.
 */
async function loadNewReadings(
  client: PoolClient,
  input: { first: LineBatch; rest: AsyncIterator<LineBatch>; layout: CsvLayout },
  rejects: RejectFile,
  options: IngestFileOptions & { nowMs: number },
  stepDone: (step: IngestStep) => void,
): Promise<{ rowsRead: number; counts: MergeCounts } | null> {
  const { layout } = input;
  const { nowMs } = options;
  await ensurePartitionsForBatch(client, { ...input.first, lines: input.first.lines.slice(1) }, layout, nowMs);
  await client.query('BEGIN');
  try {
    await lockReadings(client);
    // As in mergeStaging: compiling the rollup statement would cost more than running it.
    await client.query('SET LOCAL jit = off');
    const directory = await loadPointDirectory(client);
    const deltas = new RollupDeltas(directory);
    let rowsRead = 0;
    let inserted = 0;
    async function* copyRows(): AsyncGenerator<Buffer> {
      const rows = new BinaryReadings(SLICE_ROWS);
      for await (const batch of dataBatches(input.first, input.rest)) {
        for (let i = 0; i < batch.lines.length; i++) {
          const line = batch.lines[i]!;
          if (line.trim() === '') continue;
          rowsRead++;
          const { row, problem } = parseReadingLine(line, layout, nowMs);
          const point = row && directory.points.get(row.meteringPointId);
          if (row && point) {
            rows.add(point.key, row.intervalStartMs, row.importWh, row.exportWh, qualityCode(row.quality));
            deltas.add(point, row.intervalStartMs, row.importWh, row.exportWh);
            inserted++;
          } else {
            await rejects.add(batch.firstLineNo + i, problem ?? REJECT_REASONS.unknownPoint, line);
          }
          if (rows.isFull) {
            yield rows.take();
            await setImmediate();
          }
        }
        options.onProgress?.(batch.bytesRead);
      }
      yield rows.finish();
    }
    await pipeline(Readable.from(copyRows(), { highWaterMark: SLICES_AHEAD }), client.query(copyFrom(READINGS_COPY)));
    stepDone('copyToReadings');
    await addRollupDeltas(client, deltas);
    await client.query('COMMIT');
    stepDone('addRollups');
    return { rowsRead, counts: { inserted, revised: 0, unchanged: 0 } };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Anything else is the caller's to report; it destroys the connection, which ends the transaction.
    if (code !== UNIQUE_VIOLATION && code !== NO_PARTITION) throw error;
    await client.query('ROLLBACK');
    return null;
  }
}

/** Any file: staging, key resolution and rejects in SQL, then the merge, which revises and skips as needed. */
async function loadThroughStaging(
  client: PoolClient,
  file: string,
  input: { first: LineBatch; rest: AsyncIterator<LineBatch>; layout: CsvLayout },
  rejects: RejectFile,
  options: IngestFileOptions & { nowMs: number },
  stepDone: (step: IngestStep) => void,
): Promise<{ rowsRead: number; counts: MergeCounts }> {
  await createStaging(client);
  const rowsRead = await copyIntoStaging(client, dataBatches(input.first, input.rest), input.layout, options.nowMs, rejects, options.onProgress);
  stepDone('copyToStaging');
  await resolveStagedKeys(client);
  stepDone('resolveKeys');
  await rejectStagedRows(client, file, rejects);
  // A temp table is never analysed automatically: the merge's plan needs to know its size and keys.
  await client.query(`ANALYZE ${STAGING_TABLE}`);
  stepDone('rejectInSql');
  await ensurePartitionsForStaging(client);
  stepDone('partitions');
  await client.query('BEGIN');
  const counts = await mergeStaging(client);
  await client.query('COMMIT');
  stepDone('merge');
  await dropStaging(client);
  return { rowsRead, counts };
}

/** The file's header and first batch, and the batches after it. */
async function openCsv(file: string, batches: AsyncGenerator<LineBatch>): Promise<{ first: LineBatch; rest: AsyncIterator<LineBatch>; layout: CsvLayout }> {
  const first = await batches.next();
  if (first.done) throw new IngestInputError(`${file} is empty: expected a header line`);
  return { first: first.value, rest: batches, layout: parseHeader(first.value.lines[0]!) };
}

/**
 * Bulk-loads a reading CSV on one connection, streaming: memory holds a chunk of the file and
 * the metering points, never the file. A file of new readings takes the fast path
 * (loadNewReadings); one that touches readings already there, or repeats a line, is read again
 * through the mutation's write path (staging, key resolution, one merge statement that moves
 * the rollups too). Bad lines are skipped and listed in `<file>.rejects.csv`; the good ones
 * land in one transaction, so a failed load writes nothing and loading the same file again
 * changes nothing.
 */
export async function ingestReadingsFile(handle: DatabaseHandle, file: string, options: IngestFileOptions = {}): Promise<IngestFileSummary> {
  const startedMs = performance.now();
  await assertReadableFile(file);
  const settings = { ...options, nowMs: options.nowMs ?? Date.now() };
  let stepStartedMs = performance.now();
  const stepDone = (step: IngestStep) => {
    const endedMs = performance.now();
    options.onStep?.(step, endedMs - stepStartedMs);
    stepStartedMs = endedMs;
  };
  const opened: AsyncGenerator<LineBatch>[] = [];
  const read = () => {
    const batches = readFileLines(file);
    opened.push(batches);
    return openCsv(file, batches);
  };
  let rejects: RejectFile | null = null;
  try {
    const input = await read();
    rejects = await RejectFile.replacing(rejectFilePath(file));
    const client = await handle.pool.connect();
    let result: { rowsRead: number; counts: MergeCounts };
    try {
      const fast = await loadNewReadings(client, input, rejects, settings, stepDone);
      if (fast) {
        result = fast;
      } else {
        // The fast path's rejects belong to a load that did not happen; the staging path finds them again.
        await rejects.discard();
        rejects = await RejectFile.replacing(rejectFilePath(file));
        result = await loadThroughStaging(client, file, await read(), rejects, settings, stepDone);
      }
    } catch (error) {
      // Destroying the connection ends its transaction and temp tables with it, whatever state it was left in.
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    client.release();
    const rejectFile = await rejects.close();
    const seconds = (performance.now() - startedMs) / 1000;
    const { rowsRead, counts } = result;
    const valid = counts.inserted + counts.revised + counts.unchanged;
    return { rowsRead, valid, rejected: rejects.count, ...counts, seconds, rowsPerS: rowsRead / seconds, rejectFile };
  } catch (error) {
    await rejects?.discard();
    throw error;
  } finally {
    for (const batches of opened) await batches.return(undefined);
  }
}

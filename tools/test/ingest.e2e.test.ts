import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { INTERVAL_MS, REJECT_REASONS } from '../../subgraphs/metering/reading.rules';
import { ingestReadingsFile, rejectFilePath } from '../ingest/ingest-file';
import { generateParish, type Parish } from '../seed/parish';
import { writeParish } from '../seed/write';
import { runNpm } from '../testing/run-command';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';

let db: TestDatabase;
let parish: Parish;
let dir: string;
let points: string[];

// Fixed past days and a fixed "now", so nothing depends on today's date. Each test loads its own day.
const NOW_MS = Date.parse('2026-11-01T00:00:00Z');
const CLEAN_DAY = Date.parse('2026-10-05T00:00:00Z');
const BAD_DAY = Date.parse('2026-10-06T00:00:00Z');
const CLI_DAY = Date.parse('2026-10-07T00:00:00Z');
const FAST_DAY = Date.parse('2026-10-08T00:00:00Z');
const NEW_MONTH_DAY = Date.parse('2026-10-09T00:00:00Z');
const HEADER = 'metering_point_id,interval_start,import_wh,export_wh,quality';
const at = (dayMs: number, quarter: number) => new Date(dayMs + quarter * INTERVAL_MS).toISOString();

interface CsvReading {
  id: string;
  start: string;
  importWh: number;
  exportWh: number;
  quality: string;
}

const line = (r: CsvReading) => `${r.id},${r.start},${r.importWh},${r.exportWh},${r.quality}`;

/** A day of readings for the first `count` points, values depending on point and quarter. */
function dayOf(dayMs: number, count: number): CsvReading[] {
  return points.slice(0, count).flatMap((id, p) =>
    Array.from({ length: 96 }, (_, q) => ({ id, start: at(dayMs, q), importWh: 50 + p * 3 + q, exportWh: q % 7 === 0 ? p : 0, quality: q % 10 === 0 ? 'ESTIMATED' : 'MEASURED' })),
  );
}

async function writeCsv(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${[HEADER, ...lines].join('\n')}\n`);
  return file;
}

const sums = (readings: CsvReading[]) => ({
  count: readings.length,
  importWh: readings.reduce((total, r) => total + r.importWh, 0),
  exportWh: readings.reduce((total, r) => total + r.exportWh, 0),
});

async function readingTotals(dayMs: number) {
  const { rows } = await db.handle.pool.query(
    `SELECT count(*)::int AS count, coalesce(sum(import_wh), 0)::int AS "importWh", coalesce(sum(export_wh), 0)::int AS "exportWh",
       coalesce(sum(revision), 0)::int AS revisions
     FROM metering.readings WHERE interval_start >= $1 AND interval_start < $2`,
    [new Date(dayMs), new Date(dayMs + 96 * INTERVAL_MS)],
  );
  return rows[0] as { count: number; importWh: number; exportWh: number; revisions: number };
}

/** Per scope kind (0 network … 4 retailer): each kind counts every reading once. */
async function rollupTotals(dayMs: number) {
  const { rows } = await db.handle.pool.query(
    `SELECT scope_kind AS kind, sum(reading_count)::int AS count, sum(import_wh)::int AS "importWh", sum(export_wh)::int AS "exportWh"
     FROM metering.demand_rollups WHERE interval_start >= $1 AND interval_start < $2 GROUP BY 1 ORDER BY 1`,
    [new Date(dayMs), new Date(dayMs + 96 * INTERVAL_MS)],
  );
  return rows as { kind: number; count: number; importWh: number; exportWh: number }[];
}

async function snapshot(dayMs: number) {
  const range = [new Date(dayMs), new Date(dayMs + 96 * INTERVAL_MS)];
  const readings = await db.handle.pool.query('SELECT * FROM metering.readings WHERE interval_start >= $1 AND interval_start < $2 ORDER BY 1, 2', range);
  const rollups = await db.handle.pool.query('SELECT * FROM metering.demand_rollups WHERE interval_start >= $1 AND interval_start < $2 ORDER BY 1, 2, 3', range);
  return { readings: readings.rows, rollups: rollups.rows };
}

/** The reject file as records; its reason and original-line fields may be quoted. */
async function rejectRecords(file: string) {
  const [header, ...lines] = (await readFile(file, 'utf8')).trimEnd().split('\n');
  expect(header).toBe('line,reason,original line');
  const unquote = (field: string) => (field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field);
  return lines
    .map((text) => {
      const [, lineNo, reason, original] = /^(\d+),("(?:[^"]|"")*"|[^,]*),(.*)$/.exec(text)!;
      return { line: Number(lineNo), reason: unquote(reason!), original: unquote(original!) };
    })
    .sort((a, b) => a.line - b.line);
}

beforeAll(async () => {
  db = await createTestDatabase();
  parish = generateParish({ customers: 200 });
  await writeParish(db.handle, parish);
  points = parish.meteringPoints.map((point) => point.id);
  dir = await mkdtemp(path.join(tmpdir(), 'ingest-e2e-'));
});

afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('ingestReadingsFile', () => {
  const clean = () => dayOf(CLEAN_DAY, 50);

  it('loads every row of a clean file, and the readings and every rollup scope add up to the file', async () => {
    const file = await writeCsv('clean.csv', clean().map(line));
    const summary = await ingestReadingsFile(db.handle, file, { nowMs: NOW_MS });

    const expected = sums(clean());
    expect(summary).toMatchObject({ rowsRead: 4800, valid: 4800, rejected: 0, inserted: 4800, revised: 0, unchanged: 0, rejectFile: null });
    expect(existsSync(rejectFilePath(file))).toBe(false);
    expect(await readingTotals(CLEAN_DAY)).toEqual({ ...expected, revisions: 0 });
    expect(await rollupTotals(CLEAN_DAY)).toEqual([0, 1, 2, 3, 4].map((kind) => ({ kind, ...expected })));
  });

  it('changes nothing when the same file is loaded again', async () => {
    const file = path.join(dir, 'clean.csv');
    const before = await snapshot(CLEAN_DAY);
    const summary = await ingestReadingsFile(db.handle, file, { nowMs: NOW_MS });
    expect(summary).toMatchObject({ rowsRead: 4800, valid: 4800, inserted: 0, revised: 0, unchanged: 4800 });
    expect(await snapshot(CLEAN_DAY)).toEqual(before);
  });

  it('makes a changed row a new revision, moves the rollups by the change and leaves the rest alone', async () => {
    const corrected = clean().map((r, i) => (i % 480 === 7 ? { ...r, importWh: r.importWh + 1000, quality: 'SUBSTITUTED' } : r));
    const file = await writeCsv('corrected.csv', corrected.map(line));
    const summary = await ingestReadingsFile(db.handle, file, { nowMs: NOW_MS });

    expect(summary).toMatchObject({ valid: 4800, inserted: 0, revised: 10, unchanged: 4790 });
    const expected = sums(corrected);
    expect(await readingTotals(CLEAN_DAY)).toEqual({ ...expected, revisions: 10 });
    expect(await rollupTotals(CLEAN_DAY)).toEqual([0, 1, 2, 3, 4].map((kind) => ({ kind, ...expected })));
    const { rows } = await db.handle.pool.query(
      `SELECT r.import_wh, r.quality, r.revision FROM metering.readings r JOIN metering.metering_points mp ON mp.key = r.metering_point_key
       WHERE mp.id = $1 AND r.interval_start = $2`,
      [corrected[7]!.id, corrected[7]!.start],
    );
    expect(rows).toEqual([{ import_wh: corrected[7]!.importWh, quality: 2, revision: 1 }]);
  });

  it('loads the good lines of a file with bad ones and lists each bad line with its number and reason', async () => {
    const [p, q] = [points[0]!, points[1]!];
    const future = new Date(Math.ceil(NOW_MS / INTERVAL_MS) * INTERVAL_MS + INTERVAL_MS).toISOString();
    const lines = [
      `${p},${at(BAD_DAY, 0)},100,0,MEASURED`, // line 2
      `PT0002999999999999ZZ,${at(BAD_DAY, 1)},10,0,MEASURED`,
      `${p},${new Date(BAD_DAY + 7 * 60_000).toISOString()},10,0,MEASURED`,
      `${p},${future},10,0,MEASURED`,
      `${p},${at(BAD_DAY, 2)},-5,0,MEASURED`,
      `${p},${at(BAD_DAY, 3)},12.5,0,MEASURED`,
      `${q},${at(BAD_DAY, 0)},200,5,ESTIMATED`, // line 8
      `${p},${at(BAD_DAY, 0)},111,0,MEASURED`,
      'this is not a reading, "at all"',
      `${p},${at(BAD_DAY, 4)},10,0`,
      '',
      `${q},2026-10-06T01:15:00+01:00,300,0,`, // line 13: the 00:15Z quarter, quality defaulted
    ];
    const file = await writeCsv('bad.csv', lines);
    const summary = await ingestReadingsFile(db.handle, file, { nowMs: NOW_MS });

    expect(summary).toMatchObject({ rowsRead: 11, valid: 3, rejected: 8, inserted: 3, revised: 0, unchanged: 0, rejectFile: rejectFilePath(file) });
    expect(await rejectRecords(rejectFilePath(file))).toEqual([
      { line: 3, reason: REJECT_REASONS.unknownPoint, original: lines[1] },
      { line: 4, reason: REJECT_REASONS.misaligned, original: lines[2] },
      { line: 5, reason: REJECT_REASONS.future, original: lines[3] },
      { line: 6, reason: REJECT_REASONS.badEnergy, original: lines[4] },
      { line: 7, reason: REJECT_REASONS.badEnergy, original: lines[5] },
      { line: 9, reason: `${REJECT_REASONS.duplicate} (same point and interval as line 2)`, original: lines[7] },
      { line: 10, reason: 'expected 5 comma-separated fields, found 2', original: lines[8] },
      { line: 11, reason: 'expected 5 comma-separated fields, found 4', original: lines[9] },
    ]);
    const { rows } = await db.handle.pool.query(
      `SELECT mp.id, r.interval_start, r.import_wh, r.quality FROM metering.readings r JOIN metering.metering_points mp ON mp.key = r.metering_point_key
       WHERE r.interval_start >= $1 AND r.interval_start < $2 ORDER BY 1, 2`,
      [new Date(BAD_DAY), new Date(BAD_DAY + 96 * INTERVAL_MS)],
    );
    expect(rows).toEqual(
      [
        { id: p, interval_start: new Date(at(BAD_DAY, 0)), import_wh: 100, quality: 0 },
        { id: q, interval_start: new Date(at(BAD_DAY, 0)), import_wh: 200, quality: 1 },
        { id: q, interval_start: new Date(at(BAD_DAY, 1)), import_wh: 300, quality: 0 },
      ].sort((a, b) => a.id.localeCompare(b.id) || a.interval_start.getTime() - b.interval_start.getTime()),
    );
  });

  it('removes the reject file of an earlier run when the new run rejects nothing', async () => {
    const file = await writeCsv('fixed.csv', [`${points[2]!},${at(BAD_DAY, 5)},10,0,MEASURED`]);
    await writeFile(rejectFilePath(file), 'line,reason,original line\n2,stale,stale\n');
    const summary = await ingestReadingsFile(db.handle, file, { nowMs: NOW_MS });
    expect(summary).toMatchObject({ rowsRead: 1, inserted: 1, rejected: 0, rejectFile: null });
    expect(existsSync(rejectFilePath(file))).toBe(false);
  });

  it('takes the fast path for new readings, and its rollups equal a direct SUM, across a retailer switch and a point without a contract', async () => {
    // Points no other test loads, so the contract changes below move no other test's totals.
    const [switching, uncontracted, ...rest] = points.slice(100, 160);
    const switchAt = new Date(FAST_DAY + 40 * INTERVAL_MS);
    const current = parish.supplyContracts.find((contract) => contract.meteringPointId === switching && contract.validTo === null)!;
    const otherRetailer = parish.supplyContracts.find((contract) => contract.retailerId !== current.retailerId)!.retailerId;
    await db.handle.pool.query('UPDATE metering.supply_contracts SET valid_to = $2 WHERE metering_point_id = $1 AND valid_to IS NULL', [switching, switchAt]);
    await db.handle.pool.query('INSERT INTO metering.supply_contracts (metering_point_id, retailer_id, valid_from) VALUES ($1, $2, $3)', [switching, otherRetailer, switchAt]);
    await db.handle.pool.query('DELETE FROM metering.supply_contracts WHERE metering_point_id = $1', [uncontracted]);
    const readings = [switching!, uncontracted!, ...rest].flatMap((id, p) =>
      Array.from({ length: 96 }, (_, q) => ({ id, start: at(FAST_DAY, q), importWh: 7 + p * 11 + q, exportWh: q % 5 === 0 ? p : 0, quality: 'MEASURED' })),
    );
    // Rejected on the fast path itself: an unknown point, and a line the parser refuses.
    const unknown = `PT0002999999999999ZZ,${at(FAST_DAY, 3)},10,0,MEASURED`;
    const misaligned = `${rest[0]},${new Date(FAST_DAY + 5 * 60_000).toISOString()},10,0,MEASURED`;
    const file = await writeCsv('fast.csv', [...readings.slice(0, 100).map(line), unknown, ...readings.slice(100).map(line), misaligned]);
    const steps: string[] = [];
    const summary = await ingestReadingsFile(db.handle, file, { nowMs: NOW_MS, onStep: (step) => steps.push(step) });

    expect(summary).toMatchObject({ rowsRead: readings.length + 2, inserted: readings.length, rejected: 2, rejectFile: rejectFilePath(file) });
    expect(steps).toEqual(['copyToReadings', 'addRollups']);
    expect(await rejectRecords(rejectFilePath(file))).toEqual([
      { line: 102, reason: REJECT_REASONS.unknownPoint, original: unknown },
      { line: readings.length + 3, reason: REJECT_REASONS.misaligned, original: misaligned },
    ]);
    const range = [new Date(FAST_DAY), new Date(FAST_DAY + 96 * INTERVAL_MS)];
    // The merge's placement: every contract in force, the network for a point however placed.
    const direct = await db.handle.pool.query(
      `WITH r AS (
        SELECT r.interval_start, r.import_wh, r.export_wh, c.feeder_id, c.secondary_substation_id, c.primary_substation_id, sc.retailer_id
        FROM metering.readings r
        JOIN metering.metering_points mp ON mp.key = r.metering_point_key
        LEFT JOIN grid.metering_point_connections_v c ON c.metering_point_id = mp.id
        LEFT JOIN metering.supply_contracts sc ON sc.metering_point_id = mp.id
          AND r.interval_start >= sc.valid_from AND (sc.valid_to IS NULL OR r.interval_start < sc.valid_to)
        WHERE r.interval_start >= $1 AND r.interval_start < $2)
      SELECT * FROM (
        SELECT 0 AS kind, '' AS id, interval_start, sum(import_wh)::bigint AS import_wh, sum(export_wh)::bigint AS export_wh, count(*)::int AS n FROM r GROUP BY 3
        UNION ALL SELECT 1, primary_substation_id, interval_start, sum(import_wh), sum(export_wh), count(*)::int FROM r WHERE primary_substation_id IS NOT NULL GROUP BY 2, 3
        UNION ALL SELECT 2, secondary_substation_id, interval_start, sum(import_wh), sum(export_wh), count(*)::int FROM r WHERE secondary_substation_id IS NOT NULL GROUP BY 2, 3
        UNION ALL SELECT 3, feeder_id, interval_start, sum(import_wh), sum(export_wh), count(*)::int FROM r WHERE feeder_id IS NOT NULL GROUP BY 2, 3
        UNION ALL SELECT 4, retailer_id, interval_start, sum(import_wh), sum(export_wh), count(*)::int FROM r WHERE retailer_id IS NOT NULL GROUP BY 2, 3
      ) sums ORDER BY 1, 2, 3`,
      range,
    );
    const rolled = await db.handle.pool.query(
      `SELECT scope_kind AS kind, scope_id AS id, interval_start, import_wh, export_wh, reading_count AS n
       FROM metering.demand_rollups WHERE interval_start >= $1 AND interval_start < $2 ORDER BY 1, 2, 3`,
      range,
    );
    expect(rolled.rows.length).toBeGreaterThan(96 * 5);
    expect(rolled.rows).toEqual(direct.rows);
    const retailers = new Set(rolled.rows.filter((row) => row.kind === 4).map((row) => row.id));
    expect(retailers).toContain(otherRetailer);
  });

  it('falls back to the staging path when a line beyond the first chunk falls in a month without a partition', async () => {
    // More than the first chunk's megabyte of lines, the last one in a month nothing has created yet.
    const readings = points.flatMap((id, p) => Array.from({ length: 96 }, (_, q) => ({ id, start: at(NEW_MONTH_DAY, q), importWh: p + q, exportWh: 0, quality: 'MEASURED' })));
    const november = { id: points[0]!, start: '2026-11-01T00:45:00Z', importWh: 1, exportWh: 0, quality: 'MEASURED' };
    const file = await writeCsv('new-month.csv', [...readings, november].map(line));
    const steps: string[] = [];
    const summary = await ingestReadingsFile(db.handle, file, { nowMs: Date.parse('2026-12-01T00:00:00Z'), onStep: (step) => steps.push(step) });

    expect(summary).toMatchObject({ inserted: readings.length + 1, rejected: 0 });
    expect(steps).toContain('merge');
    expect(steps).not.toContain('addRollups');
    const { rows } = await db.handle.pool.query(`SELECT count(*)::int AS n FROM metering.readings WHERE interval_start >= '2026-11-01T00:00:00Z' AND interval_start < '2026-12-01T00:00:00Z'`);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('refuses a file whose header lacks a required column, writing nothing', async () => {
    const file = path.join(dir, 'no-import.csv');
    await writeFile(file, `metering_point_id,interval_start,export_wh\n${points[0]},${at(BAD_DAY, 9)},0\n`);
    const before = await readingTotals(BAD_DAY);
    await expect(ingestReadingsFile(db.handle, file, { nowMs: NOW_MS })).rejects.toThrow(/unusable header .*missing import_wh/);
    expect(await readingTotals(BAD_DAY)).toEqual(before);
  });
});

describe('npm run ingest', () => {
  const env = () => ({ ...process.env, DATABASE_URL: db.url });

  it('loads a file and prints a one-line summary on stdout', async () => {
    const readings = dayOf(CLI_DAY, 3).slice(0, 20);
    const file = await writeCsv('cli.csv', readings.map(line));
    const { code, stdout, stderr } = await runNpm(['run', '--silent', 'ingest', '--', file, '--now', new Date(NOW_MS).toISOString()], env());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^20 rows read, 20 valid, 0 rejected; 20 inserted, 0 revised, 0 unchanged; [\d.]+ s, \d+ rows\/s; no reject file\n$/);
    expect((await readingTotals(CLI_DAY)).count).toBe(20);
  });

  it('exits non-zero and says so when the file does not exist', async () => {
    const missing = path.join(dir, 'missing.csv');
    const { code, stdout, stderr } = await runNpm(['run', '--silent', 'ingest', '--', missing], env());
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain(`no such file: ${missing}`);
  });
});

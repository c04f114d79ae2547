import { statSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { openDatabase } from '../../subgraphs/kit/db';
import { applyMigrations } from '../../subgraphs/kit/migrate';
import { describeDatabaseError, embeddedDatabaseUrl } from '../local-data';
import { assertReadableFile, ingestReadingsFile, type IngestFileSummary, type IngestStep } from './ingest-file';
import { parseInstantMs, IngestInputError } from './reading-csv';

function parseNow(value: string): number {
  const ms = parseInstantMs(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO 8601 instant with an offset, e.g. 2026-11-01T00:00:00Z');
  return ms;
}

/** What runs after each step: the bar is full once the file is read, and the SQL steps take longer. */
const NEXT_STEP: Record<IngestStep, string> = {
  copyToReadings: 'adding to the demand rollups',
  addRollups: 'done',
  copyToStaging: 'resolving metering points',
  resolveKeys: 'rejecting unknown points and duplicates',
  rejectInSql: 'creating partitions',
  partitions: 'merging',
  merge: 'done',
};

function formatSummary(summary: IngestFileSummary): string {
  const rejects = summary.rejectFile ? `rejected lines in ${summary.rejectFile}` : 'no reject file';
  return (
    `${summary.rowsRead} rows read, ${summary.valid} valid, ${summary.rejected} rejected; ` +
    `${summary.inserted} inserted, ${summary.revised} revised, ${summary.unchanged} unchanged; ` +
    `${summary.seconds.toFixed(2)} s, ${Math.round(summary.rowsPerS)} rows/s; ${rejects}`
  );
}

/** Refused input speaks for itself; anything else is the database's, described for the user. */
function describe(error: unknown, databaseUrl: string): string {
  return error instanceof IngestInputError ? error.message : describeDatabaseError(error, databaseUrl);
}

async function main(): Promise<void> {
  const program = new Command('ingest')
    .description(
      [
        'Bulk-load 15-minute readings from a CSV file with the header',
        '  metering_point_id,interval_start,import_wh,export_wh[,quality]',
        'interval_start: ISO 8601 with an offset or Z, e.g. 2026-10-05T00:15:00Z.',
        'quality: MEASURED (the default), ESTIMATED or SUBSTITUTED.',
        '',
        'Good lines are merged: a changed reading becomes a new revision, an',
        'identical one is left alone, so loading a file twice changes nothing.',
        'Bad lines are listed (line, reason, original line) in <file>.rejects.csv.',
        'Prints one summary line on stdout.',
      ].join('\n'),
    )
    .argument('<file>', 'the CSV file')
    .option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL, else the embedded database of `npm start`)')
    .option('--now <instant>', 'readings must have ended by this instant (default: now)', parseNow)
    .showHelpAfterError()
    .parse();
  const [file] = program.args as [string];
  const options = program.opts<{ databaseUrl?: string; now?: number }>();
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? embeddedDatabaseUrl();

  try {
    // Before connecting: a wrong path is the commonest mistake, and needs no database to report.
    await assertReadableFile(file);
  } catch (error) {
    return fail(describe(error, databaseUrl));
  }
  const bar = process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'ingest [{bar}] {percentage}% {value}/{total} bytes {step}', hideCursor: true }) : null;
  const handle = openDatabase(databaseUrl, { max: 2 });
  try {
    await applyMigrations(handle);
    bar?.start(statSync(file).size, 0, { step: 'reading' });
    const summary = await ingestReadingsFile(handle, file, {
      nowMs: options.now,
      onProgress: (bytes) => bar?.update(bytes),
      onStep: (step) => bar?.update({ step: NEXT_STEP[step] }),
    });
    bar?.stop();
    process.stdout.write(`${formatSummary(summary)}\n`);
  } catch (error) {
    bar?.stop();
    fail(error instanceof IngestInputError ? describe(error, databaseUrl) : `${describe(error, databaseUrl)}; nothing was written`);
  } finally {
    await handle.close();
  }
}

function fail(message: string): void {
  process.stderr.write(`ingest: ${message}\n`);
  process.exitCode = 1;
}

void main();

import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { FeederFileError, readIeeeFeeder } from '../subgraphs/grid/ieee-feeder.csv';
import type { LvNetwork } from '../subgraphs/grid/lv-network';
import { openDatabase } from '../subgraphs/kit/db';
import { applyMigrations } from '../subgraphs/kit/migrate';
import { importFeeder, ImportRefusedError } from './grid-import/feeder-import';
import { describeDatabaseError, embeddedDatabaseUrl } from './local-data';

/** Where the IEEE files give no position: the demo parish (Alvalade, Lisbon). */
const DEFAULT_LATITUDE = 38.75;
const DEFAULT_LONGITUDE = -9.14;
const DEFAULT_RETAILER = 'unassigned';

function degrees(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected degrees from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

function fail(message: string): void {
  process.stderr.write(`grid:import: ${message}\n`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const program = new Command('grid:import')
    .description(
      [
        'Import a feeder given in the IEEE European LV Test Feeder CSV format',
        '(Source.csv, Transformer.csv, LineCodes.csv, Lines.csv, Loads.csv,',
        'LoadShapes.csv, Buscoords.csv and the load profiles) as one secondary',
        'substation with one feeder: its transformer and MV source, buses, line',
        'segments, line codes (ampacities from the cable sizes their names give),',
        "and one metering point per load, connected at the load's bus and phase.",
        "Ids are the files' names under the substation's: <id>-<name>.",
        '',
        'One transaction: a defect in the files is reported with its file, line',
        'and field, and nothing is written. Re-importing an existing secondary',
        'substation id is refused (nothing is replaced: import under another id).',
        'Line codes already held with the same impedances are shared.',
        'Prints one summary line on stdout.',
      ].join('\n'),
    )
    .argument('<folder>', 'the folder of CSV files')
    .option('--secondary-substation-id <id>', "the new secondary substation's id (default: the folder's name)")
    .option('--name <name>', "its name (default: '<folder name> (IEEE European LV feeder)')")
    .option('--primary-substation-id <id>', 'the primary substation it hangs under, created if missing (default: SE-<secondary id>)')
    .option('--latitude <deg>', 'its position, which the files do not give (the demo parish by default)', degrees(-90, 90), DEFAULT_LATITUDE)
    .option('--longitude <deg>', 'its position', degrees(-180, 180), DEFAULT_LONGITUDE)
    .option('--retailer-id <id>', 'the supplier of every point, which the files do not name (the default is no organisation: only the DSO sees them)', DEFAULT_RETAILER)
    .option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL, else the embedded database of `npm start`)')
    .showHelpAfterError()
    .parse();
  const [folder] = program.args as [string];
  const options = program.opts<{ secondarySubstationId?: string; name?: string; primarySubstationId?: string; latitude: number; longitude: number; retailerId: string; databaseUrl?: string }>();
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? embeddedDatabaseUrl();

  let network: LvNetwork;
  try {
    // Before connecting: a defect in the files needs no database to report.
    network = readIeeeFeeder(folder);
  } catch (error) {
    if (error instanceof FeederFileError) return fail(`${error.message}; nothing was written`);
    throw error;
  }
  const folderName = path.basename(path.resolve(folder));
  const secondarySubstationId = options.secondarySubstationId ?? folderName;
  const handle = openDatabase(databaseUrl, { max: 2 });
  try {
    await applyMigrations(handle);
    const summary = await importFeeder(handle.db, network, {
      secondarySubstationId,
      name: options.name ?? `${folderName} (IEEE European LV feeder)`,
      primarySubstationId: options.primarySubstationId ?? `SE-${secondarySubstationId}`,
      latitude: options.latitude,
      longitude: options.longitude,
      retailerId: options.retailerId,
      now: new Date(),
    });
    process.stdout.write(
      `Imported secondary substation ${summary.secondarySubstationId} with feeder ${summary.feederId}: ${summary.buses} buses, ` +
        `${summary.lineSegments} line segments, ${summary.lineCodes} line codes (${summary.newLineCodes} new), ${summary.meteringPoints} metering points\n`,
    );
  } catch (error) {
    fail(`${error instanceof ImportRefusedError ? error.message : describeDatabaseError(error, databaseUrl)}; nothing was written`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));

import { Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { DAY_MS } from '../../subgraphs/kit/calendar';
import { openDatabase, type DatabaseHandle } from '../../subgraphs/kit/db';
import { applyMigrations } from '../../subgraphs/kit/migrate';
import { embeddedDatabaseUrl } from '../local-data';
import { DEFAULT_SEED, generateParish, type Parish } from './parish';
import { prepareFlexMarket, settleFlexMarket } from './flex-market';
import { lastMidnightMs, missingHistoryDays, writeHistory } from './history';
import { writeParish } from './write';

// The start-up path asks this before seeding; one import for both.
export { isDatabaseEmpty } from './write';

export interface SeedOptions {
  customers: number;
  /** Days of 15-minute history (readings, DTC measurements, rollups) up to the last midnight. */
  days: number;
  seed: number;
}

export interface SeedSummary {
  meteringPoints: number;
  secondarySubstations: number;
  feeders: number;
  retailers: number;
  evStations: number;
  pvProsumers: number;
  hems: number;
}

export const DEFAULT_CUSTOMERS = 14_000;
export const DEFAULT_DAYS = 7;

export function summarise(parish: Parish): SeedSummary {
  return {
    meteringPoints: parish.meteringPoints.length,
    secondarySubstations: parish.secondarySubstations.length,
    feeders: parish.feeders.length,
    retailers: parish.organisations.filter((o) => o.kind === 'retailer').length,
    evStations: parish.evChargingStations.length,
    pvProsumers: parish.meteringPoints.filter((p) => p.pvCapacityKwp > 0).length,
    hems: parish.hemsSystems.length,
  };
}

/**
 * Generates the demo parish and writes it into a migrated, empty database (throws if a parish
 * is already there); returns it so its history can follow (see seedHistory).
 */
export async function seedDemoParish(
  handle: DatabaseHandle,
  options: Partial<SeedOptions> = {},
  progress?: (done: number, total: number) => void,
): Promise<Parish> {
  const { customers = DEFAULT_CUSTOMERS, seed = DEFAULT_SEED } = options;
  const parish = generateParish({ customers, seed });
  await writeParish(handle, parish, progress);
  return parish;
}

/**
 * The parish's history up to the last midnight: of the last `days` days, those that hold no
 * readings yet, newest first; so a demo restarted a day later catches up instead of going stale.
 * With it, the settled flex order of one of its working days (flex-market.ts): written before the
 * readings, which show its effect, and settled from them once they are in.
 */
export async function seedHistory(
  handle: DatabaseHandle,
  parish: Parish,
  options: Partial<SeedOptions> & { signal?: AbortSignal } = {},
  onDay?: (done: number, total: number) => void,
): Promise<number> {
  const days = options.days ?? DEFAULT_DAYS;
  const seed = options.seed ?? DEFAULT_SEED;
  const endMs = lastMidnightMs();
  const dayStartsMs = await missingHistoryDays(handle, days, endMs);
  const flexOrder = await prepareFlexMarket(handle, parish, seed, dayStartsMs, endMs / DAY_MS - days);
  await writeHistory(handle, parish, { dayStartsMs, seed, signal: options.signal, heldOff: flexOrder?.heldOff }, onDay);
  if (flexOrder && !options.signal?.aborted) await settleFlexMarket(handle, flexOrder);
  return dayStartsMs.length;
}

function integerOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    // Number('') is 0 and Number('1e3') is 1000: insist on plain digits.
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got '${value}'`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got ${value}`);
    return n;
  };
}

export interface SeedCommand {
  options: SeedOptions;
  databaseUrl: string;
}

/** Parses the command line; commander prints the error (or --help) and exits on bad input. */
export function parseSeedCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SeedCommand {
  // Annotated so that TypeScript sees program.error() never returns.
  const program: Command = new Command('seed')
    .description('Seed an empty Market Hub database with a synthetic Lisbon parish (the UPGRID Portuguese demo).')
    .option('--customers <n>', 'metering points to create', integerOption(1), DEFAULT_CUSTOMERS)
    .option('--days <n>', 'days of readings to generate', integerOption(0), DEFAULT_DAYS)
    // mulberry32 keeps 32 bits of state.
    .option('--seed <n>', 'seed of the deterministic generator', integerOption(0, 0xffff_ffff), DEFAULT_SEED)
    .option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL, else the embedded server of npm start)')
    .parse(argv, { from: 'user' });
  const parsed = program.opts<{ customers: number; days: number; seed: number; databaseUrl?: string }>();
  const databaseUrl = parsed.databaseUrl ?? env.DATABASE_URL ?? embeddedDatabaseUrl();
  return { options: { customers: parsed.customers, days: parsed.days, seed: parsed.seed }, databaseUrl };
}

async function main(): Promise<void> {
  const { options, databaseUrl } = parseSeedCommand(process.argv.slice(2));
  const handle = openDatabase(databaseUrl);
  const bar = process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'seeding [{bar}] {percentage}% {value}/{total} rows' }) : null;
  try {
    await applyMigrations(handle);
    const started = performance.now();
    const parish = await seedDemoParish(handle, options, (done, total) => {
      if (!bar) return;
      if (done === 0) bar.start(total, 0);
      else bar.update(done);
    });
    bar?.stop();
    const days = process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'history [{bar}] {value}/{total} days' }) : null;
    days?.start(options.days, 0);
    await seedHistory(handle, parish, options, (done) => days?.update(done));
    days?.stop();
    const summary = summarise(parish);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.log(
      `Seeded ${summary.meteringPoints} metering points, ${summary.secondarySubstations} secondary substations, ` +
        `${summary.feeders} feeders, ${summary.retailers} retailers, ${summary.evStations} EV stations, ` +
        `${summary.pvProsumers} PV prosumers, ${summary.hems} HEMS and ${options.days} days of 15-minute history ` +
        `(${summary.meteringPoints * options.days * 96} readings) in ${seconds} s.`,
    );
  } finally {
    bar?.stop();
    await handle.close();
  }
}

/** drizzle wraps driver errors as 'Failed query: …', leaving PostgreSQL's own message in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (!(error.cause instanceof Error)) return error.message;
  return `${error.cause.message} (${error.message.split('\n')[0]})`;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`seed: ${describe(error)}`);
    process.exitCode = 1;
  });
}

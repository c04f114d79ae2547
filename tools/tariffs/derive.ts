import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { compilePeriods } from '../../subgraphs/tariffs/erse-periods.rules';
import { assertSharedDataDir, PROJECT_ROOT, resolveSharedDataDir } from '../profiles/shared-data';
import { readErseChart } from './erse-chart';

/** Where the compiled chart is committed: a user's machine has no shared data. */
const ERSE_TABLE_FILE = path.join(PROJECT_ROOT, 'subgraphs/tariffs/erse-periods.table.json');

const program = new Command('tariffs:derive')
  .description(`Compiles ERSE's time-of-use chart (shared data) into ${path.relative(PROJECT_ROOT, ERSE_TABLE_FILE)}, after checking that every day is a partition into quarter-hours`)
  .option('--shared-data-dir <dir>', 'reference data folder (default: $SHARED_DATA_DIR, else ../shared/data beside the project)')
  .option('--out <file>', 'where to write the table', ERSE_TABLE_FILE)
  .parse();
const options = program.opts<{ sharedDataDir?: string; out: string }>();
const dir = resolveSharedDataDir(options.sharedDataDir);
assertSharedDataDir(dir);
const table = readErseChart(dir);
compilePeriods(table);
writeFileSync(options.out, `${JSON.stringify(table, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), options.out)} from ${table.source}`);

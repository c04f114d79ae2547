import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { profileCoefficientsSchema } from './coefficients';
import { deriveCoefficients, formatCoefficients } from './derivation';
import { readEredesProfiles } from './eredes-csv';
import { EREDES_PROFILES_FILE, PROJECT_ROOT, SHARED_DATA_DIR_ENV, assertSharedDataDir, resolveSharedDataDir } from './shared-data';

const DEFAULT_OUT = path.join(PROJECT_ROOT, 'tools/seed/profile-coefficients.json');

function main(): void {
  const program = new Command('derive')
    .description(
      `Derive the compact profile table the seed's load curves are built from (tools/seed/profile-coefficients.json)\n` +
        `from the official 2023 E-REDES standard LV profiles (<shared-data-dir>/${EREDES_PROFILES_FILE}).`,
    )
    .option('--shared-data-dir <dir>', `reference data folder (default: $${SHARED_DATA_DIR_ENV}, else ../shared/data beside the project)`)
    .option('--out <file>', 'where to write the JSON', DEFAULT_OUT)
    .option('--derived-on <date>', 'derivation date recorded in the JSON (YYYY-MM-DD)', new Date().toISOString().slice(0, 10))
    .parse();
  const options = program.opts<{ sharedDataDir?: string; out: string; derivedOn: string }>();
  const sharedDataDir = resolveSharedDataDir(options.sharedDataDir);
  assertSharedDataDir(sharedDataDir);

  const coefficients = deriveCoefficients(readEredesProfiles(sharedDataDir), { file: EREDES_PROFILES_FILE, derivedOn: options.derivedOn });
  // What the seed will load must pass the seed's own schema.
  profileCoefficientsSchema.parse(coefficients);
  const json = `${formatCoefficients(coefficients)}\n`;
  writeFileSync(options.out, json);
  console.log(`Wrote ${path.relative(process.cwd(), options.out) || options.out} (${(Buffer.byteLength(json) / 1024).toFixed(1)} KiB)`);
}

if (require.main === module) {
  try {
    main();
  } catch (error: unknown) {
    console.error(`derive: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

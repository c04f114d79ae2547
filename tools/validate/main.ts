import { Command } from 'commander';
import { MissingSharedDataError, SHARED_DATA_DIR_ENV, assertSharedDataDir, resolveSharedDataDir } from '../profiles/shared-data';
import type { Check, CheckOutcome } from './check';
import { householdCheck } from './household.check';
import { householdIngestCheck } from './household-ingest.check';
import { ieeeImportCheck } from './ieee-import.check';
import { ieeePowerFlowCheck } from './ieee-power-flow.check';
import { erseTouPeriodsCheck } from './erse-tou-periods.check';
import { profileCoefficientsCheck } from './profile-coefficients.check';
import { seededCurvesCheck } from './seeded-curves.check';

/** Every check, in the order they run; add a new <name>.check.ts here. */
export const CHECKS: readonly Check[] = [profileCoefficientsCheck, seededCurvesCheck, householdCheck, householdIngestCheck, ieeeImportCheck, ieeePowerFlowCheck, erseTouPeriodsCheck];

async function runCheck(check: Check, sharedDataDir: string): Promise<CheckOutcome> {
  try {
    return await check.run({ sharedDataDir });
  } catch (error: unknown) {
    return { pass: false, figure: `error: ${error instanceof Error ? error.message : String(error)}`, details: [] };
  }
}

async function main(): Promise<number> {
  const width = Math.max(...CHECKS.map((check) => check.name.length));
  const program = new Command('validate')
    .description(
      "Checks of the project's derived data and generators against the shared reference data sets: one PASS/FAIL " +
        'line per check with the measured figures; exits non-zero if any fails.',
    )
    .addHelpText('after', `\nChecks:\n${CHECKS.map((check) => `  ${check.name.padEnd(width)}  ${check.description}`).join('\n')}`)
    .argument('[checks...]', 'names of the checks to run (default: all)')
    .option('--shared-data-dir <dir>', `reference data folder (default: $${SHARED_DATA_DIR_ENV}, else ../shared/data beside the project)`)
    .option('--verbose', 'also print the figures per item (class, month …)')
    .parse();
  const options = program.opts<{ sharedDataDir?: string; verbose?: boolean }>();
  const unknown = program.args.filter((name) => !CHECKS.some((check) => check.name === name));
  if (unknown.length > 0) program.error(`error: unknown check(s): ${unknown.join(', ')}`);
  const selected = program.args.length > 0 ? CHECKS.filter((check) => program.args.includes(check.name)) : CHECKS;

  const sharedDataDir = resolveSharedDataDir(options.sharedDataDir);
  assertSharedDataDir(sharedDataDir);

  let failed = 0;
  for (const check of selected) {
    const started = performance.now();
    const outcome = await runCheck(check, sharedDataDir);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (!outcome.pass) failed++;
    console.log(`${outcome.pass ? 'PASS' : 'FAIL'}  ${check.name.padEnd(width)}  ${outcome.figure}  [${seconds} s]`);
    if (options.verbose) for (const line of outcome.details) console.log(`      ${line}`);
  }
  console.log(`${selected.length - failed} of ${selected.length} checks passed`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // A missing data folder is a setup problem with its own advice, not a bug: no stack.
      const message = error instanceof MissingSharedDataError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`validate: ${message}`);
      process.exitCode = 2;
    },
  );
}

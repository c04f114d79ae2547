import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The reference data sets (../shared/data beside the project) exist on development and CI
 * machines only; tools that read them resolve the folder here so that they agree on where it is.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const SHARED_DATA_DIR_ENV = 'SHARED_DATA_DIR';
export const DEFAULT_SHARED_DATA_DIR = path.resolve(PROJECT_ROOT, '../shared/data');

/** The official 2023 E-REDES standard LV profiles, relative to the shared data folder. */
export const EREDES_PROFILES_FILE = 'load-profiles/eredes-btn-profiles-2023.csv';
/** One household's 15-minute meter export, January 2022, relative to the shared data folder. */
export const HOUSEHOLD_SERIES_FILE = 'load-profiles/household-pt-2022-01-15min.csv';

/** An explicit folder (option, then $SHARED_DATA_DIR) is taken relative to the working directory, as a shell user expects. */
export function resolveSharedDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? env[SHARED_DATA_DIR_ENV];
  return chosen ? path.resolve(chosen) : DEFAULT_SHARED_DATA_DIR;
}

export class MissingSharedDataError extends Error {}

/** Throws a MissingSharedDataError that says how to point the tool at the data. */
export function assertSharedDataDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MissingSharedDataError(
      `reference data folder not found: ${dir}\n` +
        `These tools read the shared reference data sets (see their README.md). Set ${SHARED_DATA_DIR_ENV} or pass ` +
        `--shared-data-dir <dir>; by default they are looked for in ../shared/data beside the project.`,
    );
  }
}

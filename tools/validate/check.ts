/** What every check receives: resolved once by the runner. */
export interface ValidateConfig {
  /** The shared reference data folder, known to exist. */
  sharedDataDir: string;
}

export interface CheckOutcome {
  pass: boolean;
  /** The measured figures against their thresholds, on one line. */
  figure: string;
  /** Per-item figures, printed with --verbose. */
  details: string[];
}

/** A validation check: a module tools/validate/<name>.check.ts exports one, and main.ts lists it. */
export interface Check {
  name: string;
  description: string;
  run(config: ValidateConfig): CheckOutcome | Promise<CheckOutcome>;
}

export interface ScenarioResult {
  /** Flat numbers, named as documented in tools/bench/README.md. */
  metrics: Record<string, number>;
  /** Rows for the human-readable table. */
  table: Record<string, string | number>[];
}

export interface ScenarioOptions {
  /** Size of the parish the scenarios that need one run on (the demo's is 14,000). */
  customers: number;
}

export interface Scenario {
  name: string;
  description: string;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}

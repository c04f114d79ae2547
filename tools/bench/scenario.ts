export interface ScenarioResult {
  /** Flat numbers, named as documented in tools/bench/README.md. */
  metrics: Record<string, number>;
  /** Rows for the human-readable table. */
  table: Record<string, string | number>[];
}

export interface Scenario {
  name: string;
  description: string;
  run(): Promise<ScenarioResult>;
}

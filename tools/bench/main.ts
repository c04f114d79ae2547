import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { accessScenario } from './access.scenario';
import { demandScenario } from './demand.scenario';
import { flexScenario } from './flex.scenario';
import { hemsTelemetryScenario } from './hems-telemetry.scenario';
import { ingestScenario } from './ingest.scenario';
import { powerflowScenario } from './powerflow.scenario';
import { pushScenario } from './push.scenario';
import { queryScenario } from './query.scenario';
import type { Scenario } from './scenario';
import { startupScenario } from './startup.scenario';
import { tariffsScenario } from './tariffs.scenario';

const SCENARIOS: Scenario[] = [startupScenario, queryScenario, demandScenario, ingestScenario, pushScenario, accessScenario, powerflowScenario, hemsTelemetryScenario, tariffsScenario, flexScenario];

function parseCustomers(value: string): number {
  const customers = Number(value);
  if (!Number.isInteger(customers) || customers < 100) throw new InvalidArgumentError('expected a whole number of at least 100');
  return customers;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .description(`Market Hub benchmarks; metrics are documented in tools/bench/README.md\n\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(14)} ${s.description}`).join('\n')}`)
    .argument('<scenario>', SCENARIOS.map((s) => s.name).join(' | '))
    .option('--json', 'print one JSON object { scenario, metrics } on stdout')
    .option('--customers <n>', 'size of the parish for query, demand, push, access, hems-telemetry, tariffs and flex (a smaller one for a quick run)', parseCustomers, 14_000)
    .parse();
  const scenario = SCENARIOS.find((candidate) => candidate.name === program.args[0]);
  if (!scenario) return program.error(`Unknown scenario "${program.args[0]}"`);
  const options = program.opts<{ json?: boolean; customers: number }>();
  const result = await scenario.run({ customers: options.customers });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ scenario: scenario.name, metrics: result.metrics })}\n`);
  } else {
    console.log(`${scenario.name}: ${scenario.description}`);
    console.table(result.table);
    console.table(result.metrics);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exit(1);
  },
);

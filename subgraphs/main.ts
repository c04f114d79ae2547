import 'reflect-metadata';
import { Command } from 'commander';
import { DEFAULT_SUBGRAPH_PORTS, isSubgraphName, SUBGRAPH_NAMES } from '../schema/subgraphs';
import { SUBGRAPHS } from '.';
import { parseSubgraphConfig } from './kit/config';
import { createLogger } from './kit/logger';
import { exitOnStartFailure, runUntilSignalled } from './kit/process';
import { startSubgraph } from './kit/start';

/** `npm run start:subgraph -- <name>`: one subgraph as its own process (one replica). */
async function main(): Promise<void> {
  const program = new Command()
    .name('start:subgraph')
    .description('Run one Market Hub subgraph')
    .argument('<name>', `one of ${SUBGRAPH_NAMES.join(', ')}`)
    .parse();
  const name = program.args[0]!;
  if (!isSubgraphName(name)) return program.error(`Unknown subgraph "${name}": expected one of ${SUBGRAPH_NAMES.join(', ')}`);
  const config = parseSubgraphConfig({ SUBGRAPH_PORT: String(DEFAULT_SUBGRAPH_PORTS[name]), ...process.env });
  const running = await startSubgraph(SUBGRAPHS[name], config);
  runUntilSignalled(createLogger(`subgraph-${name}`, config.logLevel), running.stop);
}

main().catch(exitOnStartFailure);

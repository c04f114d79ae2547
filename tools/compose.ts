import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { Command } from 'commander';
import { parse } from 'graphql';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES } from '../schema/subgraphs';
import { SUBGRAPHS } from '../subgraphs';
import { buildFederatedSchema } from '../subgraphs/kit/subgraph';

export const SUPERGRAPH_PATH = path.resolve(__dirname, '../schema/supergraph.graphql');

/** Composes the supergraph from the subgraphs' code, in process; no subgraph needs to run. */
export async function composeSupergraph(): Promise<string> {
  const services = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => ({
      name,
      url: `http://127.0.0.1:${DEFAULT_SUBGRAPH_PORTS[name]}/graphql`,
      typeDefs: parse(printSubgraphSchema(await buildFederatedSchema(SUBGRAPHS[name]))),
    })),
  );
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('compose')
    .description('Compose the five subgraphs into schema/supergraph.graphql')
    .option('--check', 'exit non-zero when the checked-in supergraph is stale, writing nothing')
    .parse();
  const supergraph = await composeSupergraph();
  if (program.opts<{ check?: boolean }>().check) {
    const current = await readFile(SUPERGRAPH_PATH, 'utf8').catch(() => '');
    if (current !== supergraph) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit it.');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date.');
    return;
  }
  await writeFile(SUPERGRAPH_PATH, supergraph);
  console.log(`Wrote ${path.relative(process.cwd(), SUPERGRAPH_PATH)}.`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

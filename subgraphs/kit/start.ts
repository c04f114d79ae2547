import type { SubgraphConfig } from './config';
import { openDatabase } from './db';
import { createLogger } from './logger';
import { migrateDatabase } from './migrate';
import { startOutboxRelay } from './outbox-relay';
import { serveSubgraph, type RunningSubgraph } from './serve';
import type { SubgraphDefinition } from './subgraph';

/** Runs one subgraph as its own process: its own pool, its own port. */
export async function startSubgraph<L>(definition: SubgraphDefinition<L>, config: SubgraphConfig): Promise<RunningSubgraph> {
  const log = createLogger(`subgraph-${definition.name}`, config.logLevel);
  // Safe from every replica at once (advisory lock).
  await migrateDatabase(config.databaseUrl);
  const database = openDatabase(config.databaseUrl, { max: config.dbPoolSize, statementTimeoutMs: config.statementTimeoutMs });
  const running = await serveSubgraph(definition, {
    identitySecret: config.identitySecret,
    host: config.host,
    port: config.port,
    database,
    log,
    shutdownGraceMs: config.shutdownGraceMs,
    settings: config.settings,
  });
  const relay = await startOutboxRelay(config.eventBus, database, log);
  return {
    ...running,
    async stop() {
      await running.stop();
      await relay.stop();
      await database.close();
    },
  };
}

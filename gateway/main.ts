import { openDatabase } from '../subgraphs/kit/db';
import { migrateDatabase } from '../subgraphs/kit/migrate';
import { createLogger } from '../subgraphs/kit/logger';
import { exitOnStartFailure, runUntilSignalled } from '../subgraphs/kit/process';
import { parseGatewayConfig } from './config';
import { startGateway } from './gateway';

/** `npm run start:gateway`: the gateway alone, subgraph URLs from configuration. */
async function main(): Promise<void> {
  const config = parseGatewayConfig();
  const log = createLogger('gateway', config.logLevel);
  // Safe from every replica at once (advisory lock).
  await migrateDatabase(config.databaseUrl);
  const database = openDatabase(config.databaseUrl, { statementTimeoutMs: config.statementTimeoutMs });
  const gateway = await startGateway(config, database, log);
  runUntilSignalled(log, async () => {
    await gateway.stop();
    await database.close();
  });
}

main().catch(exitOnStartFailure);

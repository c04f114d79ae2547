import 'reflect-metadata';
import { startGateway, type GatewayServerOptions, type RunningGateway } from '../gateway/gateway';
import { SUBGRAPH_NAMES, SUBGRAPHS, type SubgraphName } from '../subgraphs';
import type { DatabaseHandle } from '../subgraphs/kit/db';
import type { Logger } from '../subgraphs/kit/logger';
import { serveSubgraph } from '../subgraphs/kit/serve';

export interface HubOptions {
  database: DatabaseHandle;
  identitySecret: string;
  log: Logger;
  /** Gateway port; 0 picks a free one. */
  port: number;
  host?: string;
  keyCacheTtlMs?: number;
  shutdownGraceMs?: number;
  maxBufferedBytes?: number;
}

export interface RunningHub {
  url: string;
  subgraphUrls: Record<SubgraphName, string>;
  stop(): Promise<void>;
}

/**
 * The five subgraphs and the gateway in one process, sharing one pool: the embedded default,
 * the integration tests and the benchmarks. Subgraphs listen on free loopback ports.
 */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const shutdownGraceMs = options.shutdownGraceMs ?? 5_000;
  const subgraphs = await Promise.all(
    SUBGRAPH_NAMES.map((name) =>
      serveSubgraph(SUBGRAPHS[name], {
        identitySecret: options.identitySecret,
        host: '127.0.0.1',
        port: 0,
        database: options.database,
        log: options.log,
        shutdownGraceMs,
      }),
    ),
  );
  const subgraphUrls = Object.fromEntries(subgraphs.map((subgraph) => [subgraph.name, subgraph.url])) as Record<SubgraphName, string>;
  const config: GatewayServerOptions = {
    identitySecret: options.identitySecret,
    identityTtlMs: 30_000,
    host: options.host ?? '127.0.0.1',
    port: options.port,
    subgraphUrls,
    keyCacheTtlMs: options.keyCacheTtlMs ?? 1_000,
    shutdownGraceMs,
    eventPollMs: 1_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
    keyRecheckMs: 500,
    maxQueryDepth: 12,
    maxQueryAliases: 150,
  };
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, options.database, options.log.child({ component: 'gateway' }));
  } catch (error) {
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
    throw error;
  }
  return {
    url: gateway.url,
    subgraphUrls,
    async stop() {
      await gateway.stop();
      await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
    },
  };
}

import 'reflect-metadata';
import { parseGatewayConfig } from '../gateway/config';
import { parseSubgraphSettings, type SubgraphSettings } from '../subgraphs/kit/config';
import { startGateway, type GatewayServerOptions, type RunningGateway } from '../gateway/gateway';
import { SUBGRAPH_NAMES, type SubgraphName } from '../schema/subgraphs';
import { SUBGRAPHS } from '../subgraphs';
import type { DatabaseHandle } from '../subgraphs/kit/db';
import type { EventBusConfig } from '../subgraphs/kit/event-stream';
import type { Logger } from '../subgraphs/kit/logger';
import { startOutboxRelay } from '../subgraphs/kit/outbox-relay';
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
  /** Default: from the environment (EVENT_BUS, NATS_URL, ...), as the gateway reads it. */
  eventBus?: EventBusConfig;
  /** The gateway's settings over those of the environment (limits, rate limits, ...). */
  gateway?: Partial<GatewayServerOptions>;
  /** The subgraphs' settings over those of the environment (MIN_AGGREGATE_POINTS, ...). */
  settings?: Partial<SubgraphSettings>;
}

export interface RunningHub {
  url: string;
  subgraphUrls: Record<SubgraphName, string>;
  eventBus: EventBusConfig;
  stop(): Promise<void>;
}

/**
 * The five subgraphs and the gateway in one process, sharing one pool: the embedded default,
 * the integration tests and the benchmarks. Subgraphs listen on free loopback ports.
 */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  // The gateway's own settings and defaults (EVENT_BUS, SHUTDOWN_GRACE_MS, MAX_QUERY_DEPTH, ...),
  // with what this process decides itself on top. Of the subgraphs' settings only their shared
  // rules: ports, pools and the like of separately run subgraphs are not this process's.
  const env = { ...process.env, DATABASE_URL: options.database.connectionString, HUB_IDENTITY_SECRET: options.identitySecret };
  const defaults = parseGatewayConfig(env);
  const settings = { ...parseSubgraphSettings(), ...options.settings };
  const shutdownGraceMs = options.shutdownGraceMs ?? defaults.shutdownGraceMs;
  const subgraphs = await Promise.all(
    SUBGRAPH_NAMES.map((name) =>
      serveSubgraph(SUBGRAPHS[name], {
        identitySecret: options.identitySecret,
        host: '127.0.0.1',
        port: 0,
        database: options.database,
        log: options.log,
        shutdownGraceMs,
        settings,
      }),
    ),
  );
  const subgraphUrls = Object.fromEntries(subgraphs.map((subgraph) => [subgraph.name, subgraph.url])) as Record<SubgraphName, string>;
  const config: GatewayServerOptions = {
    ...defaults,
    host: options.host ?? '127.0.0.1',
    port: options.port,
    subgraphUrls,
    shutdownGraceMs,
    keyCacheTtlMs: options.keyCacheTtlMs ?? defaults.keyCacheTtlMs,
    maxBufferedBytes: options.maxBufferedBytes ?? defaults.maxBufferedBytes,
    eventBus: options.eventBus ?? defaults.eventBus,
    ...options.gateway,
  };
  const stopSubgraphs = () => Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  let relay: { stop(): Promise<void> };
  let gateway: RunningGateway;
  try {
    relay = await startOutboxRelay(config.eventBus, options.database, options.log);
  } catch (error) {
    await stopSubgraphs();
    throw error;
  }
  try {
    gateway = await startGateway(config, options.database, options.log.child({ component: 'gateway' }));
  } catch (error) {
    await relay.stop();
    await stopSubgraphs();
    throw error;
  }
  return {
    url: gateway.url,
    subgraphUrls,
    eventBus: config.eventBus,
    async stop() {
      await gateway.stop();
      await relay.stop();
      await stopSubgraphs();
    },
  };
}

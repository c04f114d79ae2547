import { z } from 'zod';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs';
import { envDurationMs, envLogLevel, envPort, envSecret, envUrl, parseEnv } from '../subgraphs/kit/env';
import { eventBusConfig, eventBusEnv, type EventBusConfig } from '../subgraphs/kit/event-stream';

export interface GatewayConfig {
  databaseUrl: string;
  identitySecret: string;
  /** How long a signed identity header stays valid: only for the hop gateway -> subgraph. */
  identityTtlMs: number;
  host: string;
  port: number;
  subgraphUrls: Record<SubgraphName, string>;
  /** How long a verified API key is trusted before it is looked up again. */
  keyCacheTtlMs: number;
  logLevel: string;
  shutdownGraceMs: number;
  supergraphPath?: string;
  /** How events reach this gateway: from the outbox directly, or from the NATS stream. */
  eventBus: EventBusConfig;
  /** WebSocket: bytes queued for one socket before its consumer counts as too slow. */
  maxBufferedBytes: number;
  /** WebSocket: how often open sockets' keys are checked for revocation. */
  keyRecheckMs: number;
  /** Deepest selection an operation may have; introspection is exempt. */
  maxQueryDepth: number;
  /** Most aliases an operation may use. */
  maxQueryAliases: number;
}

const subgraphUrlVariable = (name: SubgraphName) => `SUBGRAPH_${name.toUpperCase()}_URL`;

export function parseGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const urlShape = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [subgraphUrlVariable(name), envUrl.default(`http://127.0.0.1:${DEFAULT_SUBGRAPH_PORTS[name]}/graphql`)]),
  );
  const parsed = parseEnv(
    {
      DATABASE_URL: z.string().min(1),
      HUB_IDENTITY_SECRET: envSecret,
      IDENTITY_TTL_MS: envDurationMs(30_000),
      HOST: z.string().default('0.0.0.0'),
      PORT: envPort(4000),
      KEY_CACHE_TTL_MS: envDurationMs(1_000),
      LOG_LEVEL: envLogLevel,
      SHUTDOWN_GRACE_MS: envDurationMs(10_000),
      SUPERGRAPH_PATH: z.string().optional(),
      ...eventBusEnv,
      WS_MAX_BUFFERED_BYTES: z.coerce.number().int().positive().default(4 * 1024 * 1024),
      KEY_RECHECK_MS: envDurationMs(500),
      MAX_QUERY_DEPTH: z.coerce.number().int().min(3).max(100).default(12),
      MAX_QUERY_ALIASES: z.coerce.number().int().min(100).max(10_000).default(150),
      ...urlShape,
    },
    env,
  );
  const values = parsed as Record<string, unknown>;
  return {
    databaseUrl: parsed.DATABASE_URL,
    identitySecret: parsed.HUB_IDENTITY_SECRET,
    identityTtlMs: parsed.IDENTITY_TTL_MS,
    host: parsed.HOST,
    port: parsed.PORT,
    subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, values[subgraphUrlVariable(name)] as string])) as Record<SubgraphName, string>,
    keyCacheTtlMs: parsed.KEY_CACHE_TTL_MS,
    logLevel: parsed.LOG_LEVEL,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    supergraphPath: parsed.SUPERGRAPH_PATH,
    eventBus: eventBusConfig(parsed),
    maxBufferedBytes: parsed.WS_MAX_BUFFERED_BYTES,
    keyRecheckMs: parsed.KEY_RECHECK_MS,
    maxQueryDepth: parsed.MAX_QUERY_DEPTH,
    maxQueryAliases: parsed.MAX_QUERY_ALIASES,
  };
}

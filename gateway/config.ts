import { z } from 'zod';
import { MAX_IDENTITY_TTL_MS } from '../schema/identity';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES, type SubgraphName } from '../schema/subgraphs';
import { envStatementTimeoutMs } from '../subgraphs/kit/config';
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
  /** What one operation may be: refused before any planning when it is more (gateway/limits.ts). */
  limits: QueryLimits;
  /** Largest HTTP body and WebSocket message, bytes. */
  maxRequestBytes: number;
  /** Requests (HTTP, and operations over WebSocket) one key may make per window. */
  rateLimit: { requests: number; windowS: number };
  /** Subscriptions one key may hold open at once, over all gateway replicas sharing Redis. */
  maxSubscriptionsPerKey: number;
  /** Shared rate limits and subscription counts across replicas; null: this gateway's own. */
  redisUrl: string | null;
  /** The longest an event hub's query for one group of subscribers may take before the group's subscriptions fail. */
  eventQueryTimeoutMs: number;
  /** Cancels any statement of the gateway's own database work (keys, events) that runs longer. */
  statementTimeoutMs: number;
}

export interface QueryLimits {
  /** Deepest selection; introspection is exempt. */
  maxDepth: number;
  maxAliases: number;
  /** Lexical tokens of the document: a huge document is refused while it is parsed. */
  maxTokens: number;
  /** graphql-armor's estimate of the selection (objects 2, scalars 1, times page sizes, growing with depth). */
  maxCost: number;
  maxDirectives: number;
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
      IDENTITY_TTL_MS: envDurationMs(30_000).refine((ms) => ms <= MAX_IDENTITY_TTL_MS, `must be at most ${MAX_IDENTITY_TTL_MS} ms: the header only has to cross one hop`),
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
      MAX_QUERY_TOKENS: z.coerce.number().int().min(1_000).max(1_000_000).default(5_000),
      MAX_QUERY_COST: z.coerce.number().int().min(1_000).max(100_000_000).default(100_000),
      MAX_QUERY_DIRECTIVES: z.coerce.number().int().min(10).max(10_000).default(50),
      MAX_REQUEST_BYTES: z.coerce.number().int().min(65_536).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
      RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).max(1_000_000).default(600),
      RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
      MAX_SUBSCRIPTIONS_PER_KEY: z.coerce.number().int().min(1).max(1_000_000).default(50),
      REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'must look like redis://host:port').optional(),
      EVENT_QUERY_TIMEOUT_MS: envDurationMs(5_000),
      STATEMENT_TIMEOUT_MS: envStatementTimeoutMs,
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
    limits: {
      maxDepth: parsed.MAX_QUERY_DEPTH,
      maxAliases: parsed.MAX_QUERY_ALIASES,
      maxTokens: parsed.MAX_QUERY_TOKENS,
      maxCost: parsed.MAX_QUERY_COST,
      maxDirectives: parsed.MAX_QUERY_DIRECTIVES,
    },
    maxRequestBytes: parsed.MAX_REQUEST_BYTES,
    rateLimit: { requests: parsed.RATE_LIMIT_REQUESTS, windowS: parsed.RATE_LIMIT_WINDOW_S },
    maxSubscriptionsPerKey: parsed.MAX_SUBSCRIPTIONS_PER_KEY,
    redisUrl: parsed.REDIS_URL ?? null,
    eventQueryTimeoutMs: parsed.EVENT_QUERY_TIMEOUT_MS,
    statementTimeoutMs: parsed.STATEMENT_TIMEOUT_MS,
  };
}

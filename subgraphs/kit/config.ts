import { z } from 'zod';
import { envDurationMs, envLogLevel, envPort, envSecret, parseEnv } from './env';
import { eventBusConfig, eventBusEnv, type EventBusConfig } from './event-stream';

/** Settings of one subgraph process, read once at start. */
export interface SubgraphConfig {
  databaseUrl: string;
  /** Shared with the gateway: verifies the signed identity header. */
  identitySecret: string;
  host: string;
  port: number;
  logLevel: string;
  dbPoolSize: number;
  shutdownGraceMs: number;
  /** With NATS, every subgraph process runs a relay candidate that publishes the outbox. */
  eventBus: EventBusConfig;
}

export function parseSubgraphConfig(env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const parsed = parseEnv(
    {
      DATABASE_URL: z.string().min(1),
      HUB_IDENTITY_SECRET: envSecret,
      SUBGRAPH_HOST: z.string().default('127.0.0.1'),
      SUBGRAPH_PORT: envPort(0),
      LOG_LEVEL: envLogLevel,
      DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
      SHUTDOWN_GRACE_MS: envDurationMs(10_000),
      ...eventBusEnv,
    },
    env,
  );
  return {
    databaseUrl: parsed.DATABASE_URL,
    identitySecret: parsed.HUB_IDENTITY_SECRET,
    host: parsed.SUBGRAPH_HOST,
    port: parsed.SUBGRAPH_PORT,
    logLevel: parsed.LOG_LEVEL,
    dbPoolSize: parsed.DB_POOL_SIZE,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    eventBus: eventBusConfig(parsed),
  };
}

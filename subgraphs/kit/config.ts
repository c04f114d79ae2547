import { z } from 'zod';
import { envDurationMs, envLogLevel, envPort, envSecret, parseEnv } from './env';
import { eventBusConfig, eventBusEnv, type EventBusConfig } from './event-stream';

/** The hub's rules every subgraph applies the same way, read once from the environment. */
export interface SubgraphSettings {
  /** The fewest metering points a total for a party that may not see individuals may cover (never below 5). */
  minAggregatePoints: number;
  /** The most work one operation may ask of a subgraph, in cost units (kit/cost.ts). */
  maxOperationCost: number;
  /** A HEMS that has not reported for this long is offline (the HEMS subgraph's presence sweep). */
  hemsOfflineAfterS: number;
  /** A critical-peak event of day D must be announced by this local hour (0-23) of D - 1. */
  criticalPeakNoticeHour: number;
}

const subgraphSettingsEnv = {
  MIN_AGGREGATE_POINTS: z.coerce.number().int().min(5, 'must be at least 5: fewer points could single out a household').max(10_000).default(10),
  MAX_OPERATION_COST: z.coerce.number().int().min(1_000).max(1_000_000_000).default(1_000_000),
  // At most a day: telemetry older than that is refused, so a longer silence could never be told apart.
  HEMS_OFFLINE_AFTER_S: z.coerce.number().int().min(1).max(86_400).default(300),
  // An hour of the day before: later than 23:00 would leave customers no evening to prepare.
  CRITICAL_PEAK_NOTICE_HOUR: z.coerce.number().int().min(0).max(23).default(18),
};

function subgraphSettings(parsed: { MIN_AGGREGATE_POINTS: number; MAX_OPERATION_COST: number; HEMS_OFFLINE_AFTER_S: number; CRITICAL_PEAK_NOTICE_HOUR: number }): SubgraphSettings {
  return {
    minAggregatePoints: parsed.MIN_AGGREGATE_POINTS,
    maxOperationCost: parsed.MAX_OPERATION_COST,
    hemsOfflineAfterS: parsed.HEMS_OFFLINE_AFTER_S,
    criticalPeakNoticeHour: parsed.CRITICAL_PEAK_NOTICE_HOUR,
  };
}

/**
 * The subgraphs' shared rules alone, for a process that serves subgraphs in process (npm start,
 * the tests, the benches): it reads none of a separately run subgraph's own settings.
 */
export function parseSubgraphSettings(env: NodeJS.ProcessEnv = process.env): SubgraphSettings {
  return subgraphSettings(parseEnv(subgraphSettingsEnv, env));
}

/** Every statement a request runs is cancelled after this long: no request holds the database. */
export const envStatementTimeoutMs = envDurationMs(5_000);

/** Settings of one subgraph process, read once at start. */
export interface SubgraphConfig {
  databaseUrl: string;
  /** Shared with the gateway: verifies the signed identity header. */
  identitySecret: string;
  host: string;
  port: number;
  logLevel: string;
  dbPoolSize: number;
  statementTimeoutMs: number;
  shutdownGraceMs: number;
  settings: SubgraphSettings;
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
      STATEMENT_TIMEOUT_MS: envStatementTimeoutMs,
      SHUTDOWN_GRACE_MS: envDurationMs(10_000),
      ...subgraphSettingsEnv,
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
    statementTimeoutMs: parsed.STATEMENT_TIMEOUT_MS,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    settings: subgraphSettings(parsed),
    eventBus: eventBusConfig(parsed),
  };
}

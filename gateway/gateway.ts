import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { print, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { NUL_TEXT_MESSAGE } from '../schema/errors';
import { REQUEST_ID_HEADER } from '../schema/identity';
import type { DatabaseHandle } from '../subgraphs/kit/db';
import { connectEventBus, type EventBusConfig } from '../subgraphs/kit/event-stream';
import { listen } from '../subgraphs/kit/http';
import { OutboxTail } from '../subgraphs/kit/outbox-tail';
import type { Logger } from '../subgraphs/kit/logger';
import { createErrorMasker } from '../subgraphs/kit/mask-errors';
import { settledWithin } from '../subgraphs/kit/settle';
import { ApiKeysRepo } from './api-keys.repo';
import { Authenticator, extractApiKey } from './authenticator';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { EventHub, type EventSource } from './events/event-hub';
import { NatsEventSource } from './events/nats-event-source';
import { answersWithin, checkReadiness } from './health';
import { containsNul, limitRules, parseLimited, parseOptions } from './limits';
import { createRequestLimiter } from './rate-limit';
import { connectRedis } from './redis';
import { createSubscriptionSlots } from './subscription-slots';
import { playgroundRouter } from './playground/playground';
import { requestIdFrom } from './request-id';
import { SignedSubgraphSource } from './subgraph-source';
import { attachWebSocketServer } from './websocket';

export const DEFAULT_SUPERGRAPH_PATH = path.resolve(__dirname, '../schema/supergraph.graphql');

export interface RunningGateway {
  url: string;
  stop(): Promise<void>;
}

function requestLogging(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const startedMs = performance.now();
      return {
        async willSendResponse({ operationName, errors }) {
          contextValue.log.info(
            { operationName, durationMs: Math.round(performance.now() - startedMs), errorCount: errors?.length ?? 0 },
            'graphql request',
          );
        },
      };
    },
  };
}

const EVENT_READ_BATCH = 1_000;

interface OpenEventSource {
  source: EventSource;
  /** For /readyz: whether the transport beyond the database answers (with postgres there is none). */
  answers(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Where live events come from: the outbox itself, or the NATS stream the outbox relay fills. */
async function openEventSource(eventBus: EventBusConfig, database: DatabaseHandle, log: Logger): Promise<OpenEventSource> {
  if (eventBus.kind === 'postgres') {
    const source = new OutboxTail({ pool: database.pool, connectionString: database.connectionString, log, pollIntervalMs: eventBus.pollIntervalMs, batchSize: EVENT_READ_BATCH });
    return { source, answers: async () => true, close: async () => undefined };
  }
  const nats = await connectEventBus(eventBus.natsUrl, 'market-hub-gateway');
  const source = new NatsEventSource({ nats, stream: eventBus.stream, pool: database.pool, log, batchSize: EVENT_READ_BATCH });
  return {
    source,
    // A flush is a PING answered by the server; while reconnecting it waits, which the timeout turns into "no".
    answers: (timeoutMs) => answersWithin(nats.flush(), timeoutMs),
    close: () => nats.close(),
  };
}

/** What the server needs once the process has its database and logger. */
export type GatewayServerOptions = Omit<GatewayConfig, 'databaseUrl' | 'logLevel'>;

/** How long a subscription slot outlives a gateway that stopped renewing it (a crash). */
const SUBSCRIPTION_LEASE_MS = 30_000;

/** A GraphQL-over-HTTP error answer written by the gateway itself, before any operation runs. */
function refuse(res: express.Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** The only door: authenticates API keys, limits each key, plans queries across the subgraphs, masks errors. */
export async function startGateway(config: GatewayServerOptions, database: DatabaseHandle, log: Logger): Promise<RunningGateway> {
  const authenticator = new Authenticator(new ApiKeysRepo(database.db), { cacheTtlMs: config.keyCacheTtlMs }, log);
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, 'market-hub-gateway') : null;
  redis?.on('error', (err: unknown) => log.warn({ err }, 'Redis is unreachable; limits fall back to this gateway alone'));
  const limiter = createRequestLimiter({ ...config.rateLimit, redis, log });
  const slots = createSubscriptionSlots({ maxPerKey: config.maxSubscriptionsPerKey, leaseMs: SUBSCRIPTION_LEASE_MS, redis, instanceId: randomUUID(), log });
  const closeRedis = async () => {
    await slots.close();
    if (redis && redis.status !== 'end') await settledWithin(redis.quit(), 1_000);
  };

  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphPath ?? DEFAULT_SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name }) => {
      const url = config.subgraphUrls[name as keyof typeof config.subgraphUrls];
      if (!url) throw new Error(`No URL configured for subgraph ${name}`);
      return new SignedSubgraphSource(name, url, config.identitySecret, config.identityTtlMs);
    },
  });

  // Registered before start so the first load is not missed; WebSocket validation needs it.
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((update) => {
    apiSchema = update.apiSchema;
  });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const validationRules = limitRules(config.limits);
  /** Whether a document passes every limit a client's operation passes: the event hub sizes its batches with it. */
  const fits = (document: DocumentNode): boolean => {
    if (!apiSchema) return false;
    try {
      return validate(apiSchema, parseLimited(print(document), config.limits), [...specifiedRules, ...validationRules]).length === 0;
    } catch {
      return false;
    }
  };
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules,
    parseOptions: parseOptions(config.limits),
    formatError: createErrorMasker(log),
    includeStacktraceInErrorResponses: false,
    // The process owns shutdown (runUntilSignalled): drain in order, database last.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      ApolloServerPluginLandingPageDisabled(),
      requestLogging(),
    ],
  });
  try {
    await apollo.start();
  } catch (error) {
    await closeRedis();
    throw error;
  }

  const eventBus = await openEventSource(config.eventBus, database, log.child({ component: 'events' }));
  const events = new EventHub(eventBus.source, apollo, log.child({ component: 'events' }), { fits, queryTimeoutMs: config.eventQueryTimeoutMs });
  try {
    await events.start();
  } catch (error) {
    await eventBus.close();
    await closeRedis();
    throw error;
  }
  const sockets = attachWebSocketServer({
    httpServer,
    apollo,
    schema: () => apiSchema,
    validationRules,
    limits: config.limits,
    fits,
    authenticator,
    limiter,
    slots,
    events,
    log,
    maxPayloadBytes: config.maxRequestBytes,
    maxBufferedBytes: config.maxBufferedBytes,
    keyRecheckMs: config.keyRecheckMs,
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await checkReadiness(database.pool, config.subgraphUrls, eventBus.answers);
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.use(playgroundRouter());
  app.use(
    '/graphql',
    // Who asks, and whether it may ask now, is settled from the headers, before a body is read.
    async (req, res, next) => {
      const requestId = requestIdFrom(req.header(REQUEST_ID_HEADER));
      const identity = await authenticator.identify(extractApiKey(req.headers));
      if (!identity) return refuse(res, 401, 'UNAUTHENTICATED', 'A valid API key is required');
      const allowed = await limiter.consume(identity.keyId);
      if (!allowed.allowed) {
        res.setHeader('Retry-After', String(allowed.retryAfterS));
        return refuse(res, 429, 'RATE_LIMITED', `Too many requests for this API key; retry after ${allowed.retryAfterS} s`);
      }
      res.locals.context = { identity, requestId, log: log.child({ requestId, keyId: identity.keyId }) } satisfies GatewayContext;
      next();
    },
    express.json({ limit: config.maxRequestBytes }),
    (req, res, next) => (containsNul(req.body) || containsNul(req.query) ? refuse(res, 400, 'BAD_USER_INPUT', NUL_TEXT_MESSAGE) : next()),
    expressMiddleware(apollo, {
      context: async ({ res }) => res.locals.context as GatewayContext,
    }),
  );
  // A body over the limit, or one that is not JSON: the client's error, said in GraphQL's terms.
  app.use((err: { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (err.type === 'entity.too.large') return refuse(res, 413, 'BAD_USER_INPUT', `The request body is larger than ${config.maxRequestBytes} bytes`);
    if (err.type === 'entity.parse.failed') return refuse(res, 400, 'BAD_USER_INPUT', 'The request body is not valid JSON');
    // Another body the parser refused (an unsupported encoding or charset, an aborted upload): still the client's.
    if (typeof err.type === 'string' && typeof err.status === 'number' && err.status >= 400 && err.status < 500) return refuse(res, err.status, 'BAD_USER_INPUT', 'The request body could not be read');
    // Anything else failed on the gateway's side (the key lookup with the database away, Redis...).
    // Express's own handler would answer HTML with the stack (and its SQL) outside production.
    log.error({ err }, 'request failed before reaching GraphQL');
    if (res.headersSent) return next(err);
    refuse(res, 503, 'UNAVAILABLE', 'The service is temporarily unavailable; retry later');
  });

  const url = await listen(httpServer, config.host, config.port);
  log.info({ url: `${url}/graphql` }, 'gateway listening');
  return {
    url,
    async stop() {
      await sockets.close();
      await events.stop();
      await eventBus.close();
      await apollo.stop();
      await closeRedis();
    },
  };
}

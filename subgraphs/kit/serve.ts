import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { UnauthenticatedError } from '../../schema/errors';
import { IDENTITY_HEADER, verifyIdentity } from '../../schema/identity';
import type { SubgraphSettings } from './config';
import type { SubgraphContext } from './context';
import { costLimitPlugin } from './cost';
import { presentAccessLoader } from './point-access.loader';
import type { DatabaseHandle } from './db';
import { listen } from './http';
import { startJobs } from './jobs';
import type { Logger } from './logger';
import { createErrorMasker } from './mask-errors';
import { buildFederatedSchema, type SubgraphDefinition } from './subgraph';

export interface ServeSubgraphOptions {
  identitySecret: string;
  host: string;
  port: number;
  database: DatabaseHandle;
  log: Logger;
  shutdownGraceMs: number;
  settings: SubgraphSettings;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves one subgraph at `/graphql`. Every request, `_entities` included, must carry the
 * gateway's signed identity: the gateway is the only door.
 */
export async function serveSubgraph<L>(definition: SubgraphDefinition<L>, options: ServeSubgraphOptions): Promise<RunningSubgraph> {
  const log = options.log.child({ subgraph: definition.name });
  const schema = await buildFederatedSchema(definition);
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<SubgraphContext<L>>({
    schema,
    formatError: createErrorMasker(log),
    includeStacktraceInErrorResponses: false,
    // The process owns shutdown (runUntilSignalled): drain in order, database last.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.shutdownGraceMs }),
      ApolloServerPluginLandingPageDisabled(),
      // Traces are for Apollo's hosted studio, which a DSO network does not reach.
      ApolloServerPluginInlineTraceDisabled(),
      costLimitPlugin(definition.costs ?? {}, options.settings.maxOperationCost),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', subgraph: definition.name });
  });
  app.use(
    '/graphql',
    express.json({ limit: '8mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const verified = verifyIdentity(options.identitySecret, req.header(IDENTITY_HEADER), definition.name);
        if (!verified) throw new UnauthenticatedError('Requests must come through the Market Hub gateway');
        const { identity, requestId } = verified;
        return {
          identity,
          requestId,
          db: options.database.db,
          log: log.child({ requestId }),
          loaders: definition.createLoaders({ database: options.database, identity, requestId, settings: options.settings }),
          pointAccess: definition.meteringPointScope ? presentAccessLoader(options.database.db, identity, definition.meteringPointScope) : undefined,
        };
      },
    }),
  );

  const url = await listen(httpServer, options.host, options.port);
  log.info({ url: `${url}/graphql` }, 'subgraph listening');
  const jobs = startJobs(definition.jobs ?? [], options.database, options.settings, log);
  return {
    name: definition.name,
    url: `${url}/graphql`,
    async stop() {
      await jobs.stop();
      // The drain plugin stops the listener and waits for requests in flight.
      await apollo.stop();
    },
  };
}

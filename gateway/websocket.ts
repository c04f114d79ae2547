import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Identity } from '../schema/identity';
import type { Logger } from '../subgraphs/kit/logger';
import type { Authenticator } from './authenticator';
import { extractApiKey } from './authenticator';
import { HubCloseCode } from './close-codes';
import type { GatewayContext } from './context';

type SocketState = { identity?: Identity };
type SocketContext = Context<Record<string, unknown>, Extra & Partial<SocketState>>;

export interface WebSocketOptions {
  httpServer: http.Server;
  apollo: ApolloServer<GatewayContext>;
  schema: () => GraphQLSchema | undefined;
  authenticator: Authenticator;
  log: Logger;
}

export interface RunningWebSockets {
  close(): Promise<void>;
}

/**
 * graphql-ws on the gateway's port and path. Operations run through the same Apollo pipeline
 * as HTTP, so authentication, limits and error masking are the same on both transports.
 */
export function attachWebSocketServer(options: WebSocketOptions): RunningWebSockets {
  const { apollo, authenticator, log } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql' });

  const cleanup = useServer<Record<string, unknown>, SocketState>(
    {
      onConnect: async (ctx: SocketContext) => {
        const identity = await authenticator.identify(extractApiKey(ctx.connectionParams ?? {}));
        if (!identity) {
          ctx.extra.socket.close(HubCloseCode.Unauthenticated, 'A valid API key is required');
          return false;
        }
        ctx.extra.identity = identity;
        return true;
      },
      onSubscribe: (ctx: SocketContext, _id, payload) => {
        const schema = options.schema();
        if (!schema) return [new GraphQLError('The gateway is still starting', { extensions: { code: 'UNAVAILABLE' } })];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const requestId = randomUUID();
        const identity = ctx.extra.identity!;
        const contextValue: GatewayContext = { identity, requestId, log: log.child({ requestId, keyId: identity.keyId }) };
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      },
      execute: async (args: ExecutionArgs): Promise<ExecutionResult> => {
        const response = await apollo.executeOperation(
          { query: args.document, variables: args.variableValues ?? undefined, operationName: args.operationName ?? undefined },
          { contextValue: args.contextValue as GatewayContext },
        );
        if (response.body.kind !== 'single') throw new Error('Incremental delivery is not supported over WebSocket');
        // Apollo has already formatted (and masked) the errors; they are plain objects now.
        return response.body.singleResult as ExecutionResult;
      },
      // Send the formatted result as is: graphql-ws would otherwise call toJSON on each error.
      onNext: (_ctx, _id, _payload, _args, result) => result,
    },
    wsServer,
  );

  return {
    async close() {
      for (const client of wsServer.clients) client.close(HubCloseCode.GoingAway, 'Server shutting down');
      await cleanup.dispose();
    },
  };
}

import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import {
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  specifiedRules,
  type ValidationRule,
} from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Identity } from '../schema/identity';
import type { Logger } from '../subgraphs/kit/logger';
import type { Authenticator } from './authenticator';
import { extractApiKey } from './authenticator';
import { HubCloseCode } from './close-codes';
import type { GatewayContext } from './context';
import type { EventHub } from './events/event-hub';
import { planSubscription, type SubscriptionPlan } from './events/subscription-plan';

type SocketState = { identity?: Identity };
type SocketContext = Context<Record<string, unknown>, Extra & Partial<SocketState>>;

export interface WebSocketOptions {
  httpServer: http.Server;
  apollo: ApolloServer<GatewayContext>;
  schema: () => GraphQLSchema | undefined;
  /** The same limits as HTTP, besides GraphQL's own rules. */
  validationRules: readonly ValidationRule[];
  authenticator: Authenticator;
  events: EventHub;
  log: Logger;
  /** Past this many bytes queued for a socket, its consumer is too slow and is disconnected. */
  maxBufferedBytes: number;
  /** How often open sockets' keys are checked for revocation. */
  keyRecheckMs: number;
}

export interface RunningWebSockets {
  close(): Promise<void>;
}

const CLOSE_HANDSHAKE_MS = 1_000;

interface SubscriptionContext extends GatewayContext {
  plan: SubscriptionPlan;
  socket: WebSocket;
  subscriptionId: string;
}

/**
 * An async generator that yields nothing and ends when graphql-ws returns it (client completes,
 * socket closes): the event hub writes the frames itself, so they can be serialised once.
 */
function heldOpen(onEnd: () => void): AsyncGenerator<never> {
  let release: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (release = resolve));
  const end = () => {
    onEnd();
    release();
  };
  return {
    async next() {
      await ended;
      return { done: true, value: undefined };
    },
    async return() {
      end();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * graphql-ws on the gateway's port and path. Queries and mutations run through the same Apollo
 * pipeline as HTTP (authentication, limits, masking); subscriptions are served by the event hub.
 */
export function attachWebSocketServer(options: WebSocketOptions): RunningWebSockets {
  const { apollo, authenticator, events, log } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  const keyOfSocket = new Map<WebSocket, string>();

  const cleanup = useServer<Record<string, unknown>, SocketState>(
    {
      onConnect: async (ctx: SocketContext) => {
        const identity = await authenticator.identify(extractApiKey(ctx.connectionParams ?? {}));
        if (!identity) {
          ctx.extra.socket.close(HubCloseCode.Unauthenticated, 'A valid API key is required');
          return false;
        }
        ctx.extra.identity = identity;
        keyOfSocket.set(ctx.extra.socket, identity.keyId);
        ctx.extra.socket.once('close', () => keyOfSocket.delete(ctx.extra.socket));
        return true;
      },
      onSubscribe: (ctx: SocketContext, subscriptionId, payload) => {
        const schema = options.schema();
        if (!schema) return [new GraphQLError('The gateway is still starting', { extensions: { code: 'UNAVAILABLE' } })];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
        }
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length > 0) return errors;
        const requestId = randomUUID();
        const identity = ctx.extra.identity!;
        const contextValue: GatewayContext = { identity, requestId, log: log.child({ requestId, keyId: identity.keyId }) };
        const operation = getOperationAST(document, payload.operationName);
        const variables = payload.variables ?? {};
        if (operation?.operation === 'subscription') {
          const plan = planSubscription(document, operation, variables);
          if (Array.isArray(plan)) return plan;
          const subscription: SubscriptionContext = { ...contextValue, plan, socket: ctx.extra.socket, subscriptionId };
          return { schema, document, variableValues: variables, operationName: payload.operationName, contextValue: subscription };
        }
        return { schema, document, variableValues: variables, operationName: payload.operationName, contextValue };
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
      subscribe: async (args: ExecutionArgs) => {
        const { plan, socket, subscriptionId, identity } = args.contextValue as SubscriptionContext;
        const unsubscribe = events.subscribe({
          subscriptionId,
          identity,
          plan,
          sink: {
            send: (frame) => {
              if (socket.readyState !== WebSocket.OPEN) return false;
              if (socket.bufferedAmount > options.maxBufferedBytes) {
                socket.close(HubCloseCode.SlowConsumer, 'Slow consumer: reconnect and resubscribe with after');
                return false;
              }
              socket.send(frame);
              return true;
            },
          },
        });
        return heldOpen(unsubscribe);
      },
      // Send the formatted result as is: graphql-ws would otherwise call toJSON on each error.
      onNext: (_ctx, _id, _payload, _args, result) => result,
    },
    wsServer,
  );

  // A revoked or expired key loses its open sockets within a recheck period.
  const recheck = setInterval(async () => {
    const keyIds = [...new Set(keyOfSocket.values())];
    if (keyIds.length === 0) return;
    try {
      const active = await authenticator.activeKeyIds(keyIds);
      for (const [socket, keyId] of keyOfSocket) {
        if (!active.has(keyId)) socket.close(HubCloseCode.KeyRevoked, 'The API key was revoked or has expired');
      }
    } catch (err) {
      log.warn({ err }, 'could not recheck the keys of open sockets');
    }
  }, options.keyRecheckMs);
  recheck.unref();

  return {
    async close() {
      clearInterval(recheck);
      for (const client of wsServer.clients) client.close(HubCloseCode.GoingAway, 'Server shutting down');
      // A peer that does not answer the close handshake must not hold the shutdown up.
      const stragglers = setTimeout(() => {
        for (const client of wsServer.clients) client.terminate();
      }, CLOSE_HANDSHAKE_MS);
      await cleanup.dispose();
      clearTimeout(stragglers);
    },
  };
}

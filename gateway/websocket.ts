import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import {
  getOperationAST,
  GraphQLError,
  print,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  specifiedRules,
  type ValidationRule,
} from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { NUL_TEXT_MESSAGE } from '../schema/errors';
import type { Identity } from '../schema/identity';
import type { Logger } from '../subgraphs/kit/logger';
import { withoutSuggestions } from '../subgraphs/kit/mask-errors';
import type { Authenticator } from './authenticator';
import { extractApiKey } from './authenticator';
import { HubCloseCode } from './close-codes';
import type { QueryLimits } from './config';
import type { GatewayContext } from './context';
import type { EventHub } from './events/event-hub';
import { EVENT_ID_VARIABLE, planSubscription, type SubscriptionPlan } from './events/subscription-plan';
import { containsNul, parseLimited } from './limits';
import type { RequestLimiter } from './rate-limit';
import type { SubscriptionSlots } from './subscription-slots';

type SocketState = { identity?: Identity };
type SocketContext = Context<Record<string, unknown>, Extra & Partial<SocketState>>;

export interface WebSocketOptions {
  httpServer: http.Server;
  apollo: ApolloServer<GatewayContext>;
  schema: () => GraphQLSchema | undefined;
  /** The same limits as HTTP, besides GraphQL's own rules. */
  validationRules: readonly ValidationRule[];
  limits: QueryLimits;
  /** Whether a document passes every limit (the event hub's batch sizing uses the same test). */
  fits(document: DocumentNode): boolean;
  authenticator: Authenticator;
  /** The key's request budget: every operation over the socket takes one, like an HTTP request. */
  limiter: RequestLimiter;
  /** The key's subscriptions, capped over all replicas. */
  slots: SubscriptionSlots;
  events: EventHub;
  log: Logger;
  /** The largest message a client may send: the HTTP body limit. */
  maxPayloadBytes: number;
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
  /** The key's subscription slot this subscription holds. */
  slotId: string;
}

/** A refusal in GraphQL's terms, its message free of schema suggestions, with a code from the closed set. */
function refusal(errors: readonly GraphQLError[], code = 'BAD_USER_INPUT'): GraphQLError[] {
  return errors.map((error) => new GraphQLError(withoutSuggestions(error.message), { extensions: { code: typeof error.extensions?.code === 'string' && error.extensions.code !== 'GRAPHQL_VALIDATION_FAILED' ? error.extensions.code : code } }));
}

/** Codes of a subscription's dry run that refuse it; NOT_FOUND (no event 0) means it may run. */
const REFUSING = new Set(['FORBIDDEN', 'BAD_USER_INPUT', 'UNAUTHENTICATED']);
/** How long a dry run's answer stands for the same query and key. */
const DRY_RUN_TTL_MS = 60_000;

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
  const { apollo, authenticator, events, log, limiter, slots } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: options.maxPayloadBytes });
  const keyOfSocket = new Map<WebSocket, string>();
  /** The slots each socket holds, so that a socket that goes away frees them whatever graphql-ws does. */
  const slotsOfSocket = new Map<WebSocket, Set<string>>();
  const releaseSlot = (socket: WebSocket, keyId: string, slotId: string) => {
    if (!slotsOfSocket.get(socket)?.delete(slotId)) return;
    void slots.release(keyId, slotId);
  };

  /**
   * A dry run of a subscription's event query on an event that does not exist: the subgraphs'
   * own rules (scopes, budgets) refuse it now if they ever would. The same query and key get the
   * same answer, so a storm of reconnecting sockets costs one run per key, not one per socket.
   */
  const dryRuns = new LRUCache<string, readonly GraphQLFormattedError[]>({ max: 10_000, ttl: DRY_RUN_TTL_MS });
  const dryRun = async (plan: SubscriptionPlan, contextValue: GatewayContext): Promise<readonly GraphQLFormattedError[]> => {
    const { identity } = contextValue;
    const key = `${plan.key}|${identity.keyId}|${identity.scopes.join(',')}`;
    let refused = dryRuns.get(key);
    if (!refused) {
      const response = await apollo.executeOperation({ query: print(plan.document), variables: { ...plan.variables, [EVENT_ID_VARIABLE]: '0' } }, { contextValue });
      refused = (response.body.kind === 'single' ? response.body.singleResult.errors?.filter((error) => REFUSING.has(String(error.extensions?.code))) : null) ?? [];
      dryRuns.set(key, refused);
    }
    return refused;
  };

  const cleanup = useServer<Record<string, unknown>, SocketState>(
    {
      onConnect: async (ctx: SocketContext) => {
        const identity = await authenticator.identify(extractApiKey(ctx.connectionParams ?? {}));
        if (!identity) {
          ctx.extra.socket.close(HubCloseCode.Unauthenticated, 'A valid API key is required');
          return false;
        }
        const socket = ctx.extra.socket;
        ctx.extra.identity = identity;
        keyOfSocket.set(socket, identity.keyId);
        slotsOfSocket.set(socket, new Set());
        socket.once('close', () => {
          keyOfSocket.delete(socket);
          for (const slotId of slotsOfSocket.get(socket) ?? []) void slots.release(identity.keyId, slotId);
          slotsOfSocket.delete(socket);
        });
        return true;
      },
      onSubscribe: async (ctx: SocketContext, subscriptionId, payload) => {
        const schema = options.schema();
        if (!schema) return [new GraphQLError('The gateway is still starting', { extensions: { code: 'UNAVAILABLE' } })];
        const identity = ctx.extra.identity!;
        const allowed = await limiter.consume(identity.keyId);
        if (!allowed.allowed) {
          return [new GraphQLError(`Too many requests for this API key; retry after ${allowed.retryAfterS} s`, { extensions: { code: 'RATE_LIMITED', retryAfterS: allowed.retryAfterS } })];
        }
        if (containsNul(payload)) return [new GraphQLError(NUL_TEXT_MESSAGE, { extensions: { code: 'BAD_USER_INPUT' } })];
        let document: DocumentNode;
        try {
          document = parseLimited(payload.query, options.limits);
        } catch (error) {
          return refusal([error instanceof GraphQLError ? error : new GraphQLError('Syntax error')]);
        }
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length > 0) return refusal(errors);
        const requestId = randomUUID();
        const contextValue: GatewayContext = { identity, requestId, log: log.child({ requestId, keyId: identity.keyId }) };
        const operation = getOperationAST(document, payload.operationName);
        const variables = payload.variables ?? {};
        if (operation?.operation !== 'subscription') return { schema, document, variableValues: variables, operationName: payload.operationName, contextValue };

        const plan = planSubscription(document, operation, variables);
        if (Array.isArray(plan)) return refusal(plan);
        // Each event is materialised by this query: one that could never pass the limits is refused now, not at the first event.
        if (!options.fits(plan.document)) return refusal([new GraphQLError('This subscription selects too much to deliver one event within the query limits; select less')]);
        const refused = await dryRun(plan, contextValue);
        if (refused.length > 0) {
          // Named as the client asked: the event query is the hub's own business.
          const asked = `Subscription.${operation.selectionSet.selections.find((selection) => selection.kind === 'Field')?.name.value}`;
          return refused.map((error) => new GraphQLError(error.message.replace(`Query.${plan.field.name.value}`, asked), { extensions: { code: error.extensions?.code } }));
        }
        const socket = ctx.extra.socket;
        const slotId = `${randomUUID()}`;
        if (socket.readyState !== WebSocket.OPEN || !(await slots.acquire(identity.keyId, slotId))) {
          return [new GraphQLError(`This API key already holds its maximum of subscriptions; end one first`, { extensions: { code: 'RATE_LIMITED' } })];
        }
        slotsOfSocket.get(socket)?.add(slotId);
        const subscription: SubscriptionContext = { ...contextValue, plan, socket, subscriptionId, slotId };
        return { schema, document, variableValues: variables, operationName: payload.operationName, contextValue: subscription };
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
        const { plan, socket, subscriptionId, identity, slotId } = args.contextValue as SubscriptionContext;
        let unsubscribe = () => undefined as void;
        const held = heldOpen(() => {
          unsubscribe();
          releaseSlot(socket, identity.keyId, slotId);
        });
        unsubscribe = events.subscribe({
          subscriptionId,
          identity,
          plan,
          sink: {
            // The hub ended the subscription (after its error frame): free its slot and let graphql-ws forget it.
            end: () => void held.return(undefined),
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
        return held;
      },
      // Send the formatted result as is: graphql-ws would otherwise call toJSON on each error.
      onNext: (_ctx, _id, _payload, _args, result) => result,
    },
    wsServer,
  );

  // A revoked or expired key loses its open sockets within a recheck period.
  const recheck = setInterval(async () => {
    const asked = new Set(keyOfSocket.values());
    if (asked.size === 0) return;
    try {
      const active = await authenticator.activeKeyIds([...asked]);
      // Sockets that connected during the lookup carry keys it did not ask about: they wait for the next round.
      for (const [socket, keyId] of keyOfSocket) {
        if (asked.has(keyId) && !active.has(keyId)) socket.close(HubCloseCode.KeyRevoked, 'The API key was revoked or has expired');
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

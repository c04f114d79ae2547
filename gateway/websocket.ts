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
import { CloseCode, type Context, type SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { FINAL_ERROR_CODES, isClientErrorCode, NUL_TEXT_MESSAGE } from '../schema/errors';
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

/** A refusal of the request in GraphQL's terms, its message free of schema suggestions, its code from the closed set. */
function refusal(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) => {
    const code = error.extensions?.code;
    return new GraphQLError(withoutSuggestions(error.message), { extensions: { code: isClientErrorCode(code) ? code : 'BAD_USER_INPUT' } });
  });
}

/** An answer for a client while something the gateway depends on (the database, Redis) fails: said without its details. */
const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable; retry later';

/** The socket closed while the subscription was being set up: nobody reads this, but graphql-ws wants an answer. */
const closedMeanwhile = () => new GraphQLError('The connection closed before the subscription started', { extensions: { code: 'UNAVAILABLE' } });

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
  /**
   * Each open socket's key (rechecked for revocation) and the slots it holds or is taking, so
   * that a socket that goes away frees them whatever graphql-ws does.
   */
  const sockets = new Map<WebSocket, { keyId: string; slots: Set<string> }>();
  const releaseSlot = (socket: WebSocket, keyId: string, slotId: string) => {
    if (!sockets.get(socket)?.slots.delete(slotId)) return;
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
      // Only a final refusal refuses the subscription: NOT_FOUND (there is no event 0) means it may run.
      refused = (response.body.kind === 'single' ? response.body.singleResult.errors?.filter((error) => FINAL_ERROR_CODES.has(String(error.extensions?.code))) : null) ?? [];
      dryRuns.set(key, refused);
    }
    return refused;
  };

  /** Checks an operation sent over a socket and gives graphql-ws what to run, or the errors to answer with. */
  const prepare = async (ctx: SocketContext, subscriptionId: string, payload: SubscribePayload): Promise<ExecutionArgs | GraphQLError[]> => {
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
    const held = sockets.get(socket);
    if (!held || socket.readyState !== WebSocket.OPEN) return [closedMeanwhile()];
    const slotId = randomUUID();
    // Registered before Redis answers: a socket that closes meanwhile releases it with its others.
    held.slots.add(slotId);
    let taken: boolean;
    try {
      taken = await slots.acquire(identity.keyId, slotId);
    } catch (err) {
      held.slots.delete(slotId);
      throw err;
    }
    if (socket.readyState !== WebSocket.OPEN) {
      releaseSlot(socket, identity.keyId, slotId);
      return [closedMeanwhile()];
    }
    if (!taken) {
      held.slots.delete(slotId);
      return [new GraphQLError(`This API key already holds its maximum of subscriptions; end one first`, { extensions: { code: 'RATE_LIMITED' } })];
    }
    const subscription: SubscriptionContext = { ...contextValue, plan, socket, subscriptionId, slotId };
    return { schema, document, variableValues: variables, operationName: payload.operationName, contextValue: subscription };
  };

  const cleanup = useServer<Record<string, unknown>, SocketState>(
    {
      onConnect: async (ctx: SocketContext) => {
        const socket = ctx.extra.socket;
        let identity: Identity | null;
        try {
          identity = await authenticator.identify(extractApiKey(ctx.connectionParams ?? {}));
        } catch (err) {
          // Left to graphql-ws, the error (SQL, parameters) would go to the console, and its message be the close reason when short.
          log.error({ err }, 'could not authenticate a socket');
          socket.close(CloseCode.InternalServerError, UNAVAILABLE_MESSAGE);
          return false;
        }
        if (!identity) {
          socket.close(HubCloseCode.Unauthenticated, 'A valid API key is required');
          return false;
        }
        ctx.extra.identity = identity;
        const held = { keyId: identity.keyId, slots: new Set<string>() };
        sockets.set(socket, held);
        socket.once('close', () => {
          sockets.delete(socket);
          for (const slotId of held.slots) void slots.release(held.keyId, slotId);
        });
        return true;
      },
      onSubscribe: async (ctx: SocketContext, subscriptionId, payload) => {
        try {
          return await prepare(ctx, subscriptionId, payload);
        } catch (err) {
          // As in onConnect: graphql-ws would print the failure (SQL, Redis) and close the whole socket with its message.
          log.error({ err }, 'could not start an operation over a socket');
          return [new GraphQLError(UNAVAILABLE_MESSAGE, { extensions: { code: 'UNAVAILABLE' } })];
        }
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
  let rechecking = false;
  const recheck = setInterval(async () => {
    // A lookup slower than the period (a busy database) must not pile up behind itself.
    if (rechecking) return;
    const asked = new Set([...sockets.values()].map((held) => held.keyId));
    if (asked.size === 0) return;
    rechecking = true;
    try {
      const active = await authenticator.activeKeyIds([...asked]);
      // Sockets that connected during the lookup carry keys it did not ask about: they wait for the next round.
      for (const [socket, { keyId }] of sockets) {
        if (asked.has(keyId) && !active.has(keyId)) socket.close(HubCloseCode.KeyRevoked, 'The API key was revoked or has expired');
      }
    } catch (err) {
      log.warn({ err }, 'could not recheck the keys of open sockets');
    } finally {
      rechecking = false;
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

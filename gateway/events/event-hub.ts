import type { ApolloServer } from '@apollo/server';
import type { ExecutionResult } from 'graphql';
import { mayReceive, type OutboxEvent } from '../../schema/events';
import type { Identity } from '../../schema/identity';
import type { Logger } from '../../subgraphs/kit/logger';
import type { GatewayContext } from '../context';
import { EVENT_ID_VARIABLE, type SubscriptionPlan } from './subscription-plan';

/** Where a subscriber's frames go: one graphql-ws subscription on one socket. */
export interface SubscriberSink {
  /** Writes a ready-made frame; false when the consumer is too slow and was disconnected. */
  send(frame: string): boolean;
}

export interface Subscriber {
  subscriptionId: string;
  identity: Identity;
  plan: SubscriptionPlan;
  sink: SubscriberSink;
}

interface State extends Subscriber {
  /** The last event id delivered (or passed over) for this subscriber. */
  cursor: number;
  /** While replaying: live events that arrived meanwhile, delivered after the replay. */
  pending: OutboxEvent[] | null;
  closed: boolean;
}

export interface EventSource {
  start(deliver: (events: OutboxEvent[]) => Promise<void>): Promise<number>;
  range(afterId: number, toId: number, limit: number): Promise<OutboxEvent[]>;
  stop(): Promise<void>;
}

const REPLAY_PAGE = 500;
/** Payloads kept for reuse: replays of recent events by many reconnecting subscribers. */
const PAYLOAD_CACHE_SIZE = 5_000;

/** Subscribers with the same permissions see the same data; the key of a subscriber's audience. */
const permissionGroup = (identity: Identity) => `${identity.role}|${identity.organisationId}|${[...identity.scopes].sort().join(',')}`;

/**
 * Delivers outbox events to subscribers in id order, exactly once each: live events as the
 * source reads them, and to a resuming subscriber first every event after its `after`, then
 * the live ones without gap or repeat. Each event is materialised through the federated graph
 * once per subscription query and permission group, and the serialised bytes are shared.
 */
export class EventHub {
  private readonly subscribers = new Set<State>();
  private head = 0;
  private readonly payloads = new Map<string, Promise<string>>();

  constructor(
    private readonly source: EventSource,
    private readonly apollo: ApolloServer<GatewayContext>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.head = await this.source.start((events) => this.dispatch(events));
  }

  stop(): Promise<void> {
    for (const state of this.subscribers) state.closed = true;
    this.subscribers.clear();
    return this.source.stop();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Registers a subscriber; returns the function that ends its subscription. */
  subscribe(subscriber: Subscriber): () => void {
    const after = subscriber.plan.after;
    const replayTo = this.head;
    const state: State = { ...subscriber, cursor: after ?? replayTo, pending: after !== null && after < replayTo ? [] : null, closed: false };
    this.subscribers.add(state);
    if (state.pending) void this.replay(state, replayTo);
    return () => {
      state.closed = true;
      this.subscribers.delete(state);
    };
  }

  /** Live events, in order; the next batch waits until every subscriber has this one. */
  private async dispatch(events: OutboxEvent[]): Promise<void> {
    for (const event of events) {
      this.head = event.id;
      const live: State[] = [];
      for (const state of this.subscribers) {
        if (state.pending) state.pending.push(event);
        else live.push(state);
      }
      await Promise.all(live.map((state) => this.deliver(state, event)));
    }
  }

  private async replay(state: State, replayTo: number): Promise<void> {
    try {
      while (!state.closed && state.cursor < replayTo) {
        const events = await this.source.range(state.cursor, replayTo, REPLAY_PAGE);
        if (events.length === 0) break;
        for (const event of events) await this.deliver(state, event);
        state.cursor = Math.max(state.cursor, events.at(-1)!.id);
      }
      state.cursor = Math.max(state.cursor, replayTo);
      // Live events that came during the replay; more may arrive while these are sent.
      while (!state.closed && state.pending && state.pending.length > 0) await this.deliver(state, state.pending.shift()!);
      state.pending = null;
    } catch (err) {
      this.log.error({ err }, 'replay failed; ending the subscription so the client resumes');
      this.end(state, JSON.stringify({ id: state.subscriptionId, type: 'error', payload: [{ message: 'Replay failed; resubscribe with after', extensions: { code: 'UNAVAILABLE' } }] }));
    }
  }

  private async deliver(state: State, event: OutboxEvent): Promise<void> {
    if (state.closed || event.id <= state.cursor) return;
    if (!state.plan.types.has(event.type) || !mayReceive(state.identity, event)) {
      state.cursor = event.id;
      return;
    }
    let payload: string;
    try {
      payload = await this.payloadFor(event, state);
    } catch (err) {
      // Skipping would lose the event: end the subscription, and the client resumes after its last event.
      this.log.error({ err, eventId: event.id }, 'could not materialise an event');
      this.end(state, JSON.stringify({ id: state.subscriptionId, type: 'error', payload: [{ message: 'Event temporarily unavailable; resubscribe with after', extensions: { code: 'UNAVAILABLE' } }] }));
      return;
    }
    if (state.closed) return;
    state.cursor = event.id;
    if (!state.sink.send(`{"id":${JSON.stringify(state.subscriptionId)},"type":"next","payload":${payload}}`)) this.end(state);
  }

  private end(state: State, frame?: string): void {
    if (frame) state.sink.send(frame);
    state.closed = true;
    this.subscribers.delete(state);
  }

  /** The serialised `next` payload of an event for this subscriber's query and permissions. */
  private payloadFor(event: OutboxEvent, state: State): Promise<string> {
    const key = `${event.id}|${state.plan.key}|${permissionGroup(state.identity)}`;
    let payload = this.payloads.get(key);
    if (!payload) {
      payload = this.materialise(event, state);
      this.payloads.set(key, payload);
      payload.catch(() => this.payloads.delete(key));
      if (this.payloads.size > PAYLOAD_CACHE_SIZE) this.payloads.delete(this.payloads.keys().next().value!);
    }
    return payload;
  }

  private async materialise(event: OutboxEvent, state: State): Promise<string> {
    const requestId = `event-${event.id}-${state.plan.key.slice(0, 8)}`;
    const response = await this.apollo.executeOperation(
      { query: state.plan.query, variables: { ...state.plan.variables, [EVENT_ID_VARIABLE]: String(event.id) } },
      { contextValue: { identity: state.identity, requestId, log: this.log.child({ requestId }) } },
    );
    if (response.body.kind !== 'single') throw new Error('Incremental delivery is not supported for events');
    const result = response.body.singleResult as ExecutionResult;
    // An event the graph cannot produce at all (a subgraph down) is retried by the client, not sent empty.
    if (!result.data && result.errors?.some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR')) throw new Error('event query failed');
    return JSON.stringify(result);
  }
}

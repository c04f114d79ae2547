import type { ApolloServer } from '@apollo/server';
import { print } from 'graphql';
import { mayReceive, type OutboxEvent } from '../../schema/events';
import type { Identity } from '../../schema/identity';
import type { Logger } from '../../subgraphs/kit/logger';
import type { GatewayContext } from '../context';
import { batchAlias, batchQuery, batchVariables, maxBatchEvents, type SubscriptionPlan } from './subscription-plan';

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
  /** `{"id":…,"type":"next","payload":`, made once per subscription. */
  framePrefix: string;
  /** Query and permissions: subscribers with the same one share materialised payloads. */
  payloadGroup: string;
  /** Query, permissions and event types: subscribers with the same one share frames. */
  deliveryGroup: string;
  /** Events per materialising query for this subscriber's selection (the alias limit). */
  batchEvents: number;
}

export interface EventSource {
  start(deliver: (events: OutboxEvent[]) => Promise<void>): Promise<number>;
  range(afterId: number, toId: number, limit: number): Promise<OutboxEvent[]>;
  stop(): Promise<void>;
}

const REPLAY_PAGE = 500;
/** With the backoff doubling from 0.1 s to 2 s, about 20 s of outage are ridden out. */
const MATERIALISE_ATTEMPTS = 14;
/** Events materialised by one query: large enough to amortise planning, small enough to plan fast. */
const BATCH_EVENTS = 100;
/** Batch query texts kept: a few sizes for each subscription query in use. */
const BATCH_TEXT_CACHE_SIZE = 1_000;
/** Payloads kept for reuse: replays of recent events by many reconnecting subscribers. */
const PAYLOAD_CACHE_SIZE = 5_000;


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
  /** Printed batch queries by plan and size: Apollo takes text (a document it would print every time). */
  private readonly batchTexts = new Map<string, string>();

  private stopped = false;

  constructor(
    private readonly source: EventSource,
    private readonly apollo: ApolloServer<GatewayContext>,
    private readonly log: Logger,
    /** The gateway's MAX_QUERY_ALIASES, which the hub's own batch queries pass too. */
    private readonly maxAliases: number,
  ) {}

  async start(): Promise<void> {
    this.head = await this.source.start((events) => this.dispatch(events));
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.subscribers) state.closed = true;
    this.subscribers.clear();
    return this.source.stop();
  }

  /** Registers a subscriber; returns the function that ends its subscription. */
  subscribe(subscriber: Subscriber): () => void {
    const { plan, identity } = subscriber;
    const replayTo = this.head;
    const payloadGroup = `${plan.key}|${identity.role}|${identity.organisationId}|${[...identity.scopes].sort().join(',')}`;
    const state: State = {
      ...subscriber,
      cursor: plan.after ?? replayTo,
      pending: plan.after !== null && plan.after < replayTo ? [] : null,
      closed: false,
      framePrefix: `{"id":${JSON.stringify(subscriber.subscriptionId)},"type":"next","payload":`,
      payloadGroup,
      deliveryGroup: `${payloadGroup}|${[...plan.types].join(',')}`,
      batchEvents: maxBatchEvents(plan, this.maxAliases, BATCH_EVENTS),
    };
    this.subscribers.add(state);
    if (state.pending) void this.replay(state, replayTo);
    return () => {
      state.closed = true;
      this.subscribers.delete(state);
    };
  }

  /** Live events, in order; the next batch waits until every subscriber has this one. */
  private async dispatch(events: OutboxEvent[]): Promise<void> {
    // Synchronously with the hand-out to replaying subscribers: one that registers while this
    // batch is being sent replays it from the outbox, one registered before gets it here.
    this.head = events.at(-1)!.id;
    // Subscribers of the same query, permissions and event types get the same frames: their
    // payloads are awaited once per group, then written to every socket in one synchronous loop.
    const groups = new Map<string, State[]>();
    for (const state of this.subscribers) {
      if (state.pending) {
        state.pending.push(...events);
        continue;
      }
      const group = groups.get(state.deliveryGroup);
      if (group) group.push(state);
      else groups.set(state.deliveryGroup, [state]);
    }
    await Promise.all([...groups.values()].map((group) => this.deliverToGroup(group, events)));
  }

  /**
   * Sends `events` to subscribers that share query, permissions and event types (a replaying
   * subscriber is a group of one): what they want is materialised once, then written to each in
   * order, each event once; cursors pass the events they do not want.
   */
  private async deliverToGroup(group: readonly State[], events: readonly OutboxEvent[]): Promise<void> {
    const [first] = group as [State];
    const behind = group.reduce((lowest, state) => Math.min(lowest, state.cursor), Number.POSITIVE_INFINITY);
    const wanted = events.filter((event) => event.id > behind && first.plan.types.has(event.type) && mayReceive(first.identity, event));
    let payloads: Map<number, string>;
    try {
      payloads = await this.payloadsFor(wanted, first);
    } catch (err) {
      // Skipping would lose events: end the subscriptions, and the clients resume after their last event.
      this.log.error({ err }, 'could not materialise events');
      for (const state of group) this.end(state, errorFrame(state, 'Events temporarily unavailable; resubscribe with after'));
      return;
    }
    for (const state of group) this.send(state, events, payloads);
  }

  private async replay(state: State, replayTo: number): Promise<void> {
    try {
      while (!state.closed && state.cursor < replayTo) {
        const events = await this.source.range(state.cursor, replayTo, REPLAY_PAGE);
        if (events.length === 0) break;
        await this.deliverToGroup([state], events);
      }
      state.cursor = Math.max(state.cursor, replayTo);
      // Live events that came during the replay; more may arrive while these are sent.
      while (!state.closed && state.pending && state.pending.length > 0) await this.deliverToGroup([state], state.pending.splice(0));
      state.pending = null;
    } catch (err) {
      this.log.error({ err }, 'replay failed; ending the subscription so the client resumes');
      this.end(state, errorFrame(state, 'Replay failed; resubscribe with after'));
    }
  }

  /** Writes the frames of `events` this subscriber has not had yet, in order. */
  private send(state: State, events: readonly OutboxEvent[], payloads: ReadonlyMap<number, string>): void {
    for (const event of events) {
      if (state.closed) return;
      if (event.id <= state.cursor) continue;
      const payload = payloads.get(event.id);
      if (payload !== undefined && !state.sink.send(`${state.framePrefix}${payload}}`)) {
        this.end(state);
        return;
      }
      state.cursor = event.id;
    }
  }

  private end(state: State, frame?: string): void {
    if (frame) state.sink.send(frame);
    state.closed = true;
    this.subscribers.delete(state);
  }

  /**
   * The serialised `next` payloads of events for this subscriber's query and permissions. What
   * another subscriber of the same group already asked for is shared; the rest is asked in
   * batch queries.
   */
  private async payloadsFor(events: readonly OutboxEvent[], state: State): Promise<Map<number, string>> {
    const keyOf = (id: number) => `${id}|${state.payloadGroup}`;
    const missing = events.map((event) => event.id).filter((id) => !this.payloads.has(keyOf(id)));
    for (let i = 0; i < missing.length; i += state.batchEvents) {
      const ids = missing.slice(i, i + state.batchEvents);
      const batch = this.materialise(ids, state);
      for (const id of ids) {
        const key = keyOf(id);
        const payload = batch.then((payloads) => payloads.get(id)!);
        payload.catch(() => this.payloads.delete(key));
        this.payloads.set(key, payload);
      }
    }
    // Taken before the cache is trimmed, which may drop some of them again.
    const wanted = events.map((event) => this.payloads.get(keyOf(event.id))!);
    while (this.payloads.size > PAYLOAD_CACHE_SIZE) this.payloads.delete(this.payloads.keys().next().value!);
    const payloads = await Promise.all(wanted);
    return new Map(events.map((event, i) => [event.id, payloads[i]!]));
  }

  /**
   * Rides out a short outage (a database restart) before giving up: the events wait, in order,
   * rather than being skipped. The result is shared by every subscriber of the group, so one of
   * them leaving does not end the attempts; stopping the hub does.
   */
  private async materialise(eventIds: readonly number[], state: State): Promise<Map<number, string>> {
    for (let attempt = 0, delayMs = 100; ; attempt++, delayMs = Math.min(delayMs * 2, 2_000)) {
      try {
        return await this.materialiseOnce(eventIds, state);
      } catch (err) {
        if (attempt >= MATERIALISE_ATTEMPTS || this.stopped) throw err;
        this.log.warn({ err, attempt }, 'events could not be materialised yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private batchText(plan: SubscriptionPlan, count: number): string {
    const key = `${plan.key}|${count}`;
    let text = this.batchTexts.get(key);
    if (text === undefined) {
      text = print(batchQuery(plan, count));
      this.batchTexts.set(key, text);
      if (this.batchTexts.size > BATCH_TEXT_CACHE_SIZE) this.batchTexts.delete(this.batchTexts.keys().next().value!);
    }
    return text;
  }

  private async materialiseOnce(eventIds: readonly number[], state: State): Promise<Map<number, string>> {
    const requestId = `events-${eventIds[0]}-${state.plan.key.slice(0, 8)}`;
    const response = await this.apollo.executeOperation(
      { query: this.batchText(state.plan, eventIds.length), variables: batchVariables(state.plan, eventIds) },
      { contextValue: { identity: state.identity, requestId, log: this.log.child({ requestId }) } },
    );
    if (response.body.kind !== 'single') throw new Error('Incremental delivery is not supported for events');
    const { data, errors } = response.body.singleResult;
    // An event the graph cannot produce at all (a subgraph down, a refused query) is retried, then
    // the client resumes: it is never sent empty. Errors with a path belong to one event's fields.
    if (!data || errors?.some((error) => !error.path || error.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
      throw new Error(`event query failed: ${errors?.[0]?.message ?? 'no data'}`);
    }
    return new Map(
      eventIds.map((id, index) => {
        const alias = batchAlias(index);
        const own = errors?.filter((error) => error.path?.[0] === alias).map((error) => ({ ...error, path: [state.plan.responseKey, ...(error.path ?? []).slice(1)] }));
        return [id, JSON.stringify({ data: { [state.plan.responseKey]: data[alias] ?? null }, ...(own && own.length > 0 ? { errors: own } : {}) })];
      }),
    );
  }
}

function errorFrame(state: State, message: string): string {
  return JSON.stringify({ id: state.subscriptionId, type: 'error', payload: [{ message, extensions: { code: 'UNAVAILABLE' } }] });
}

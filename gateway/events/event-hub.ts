import type { ApolloServer } from '@apollo/server';
import { print, type DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { FINAL_ERROR_CODES } from '../../schema/errors';
import { mayReceive, type OutboxEvent } from '../../schema/events';
import type { Identity } from '../../schema/identity';
import type { Logger } from '../../subgraphs/kit/logger';
import type { GatewayContext } from '../context';
import { batchAlias, batchQuery, batchVariables, type SubscriptionPlan } from './subscription-plan';

/** Where a subscriber's frames go: one graphql-ws subscription on one socket. */
export interface SubscriberSink {
  /** Writes a ready-made frame; false when the consumer is too slow and was disconnected. */
  send(frame: string): boolean;
  /** The hub ended the subscription (after an error frame): the transport lets it go. */
  end?(): void;
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
  /** While replaying: live events it wants that arrived meanwhile, delivered after the replay. */
  pending: OutboxEvent[] | null;
  closed: boolean;
  /** `{"id":…,"type":"next","payload":`, made once per subscription. */
  framePrefix: string;
  /** Query and key: subscribers with the same one share materialised payloads. */
  payloadGroup: string;
  /** Query, key and event types: subscribers with the same one share frames. */
  deliveryGroup: string;
  /** The group serving it once it is live: the one it joined, whichever now holds its key. */
  group: Group | null;
}

/**
 * Subscribers that share query, key and event types, and the live events still to send them.
 * Each group works through its own queue: one whose events cannot be materialised (a subgraph
 * error, a slow selection) holds up nobody else.
 */
interface Group {
  key: string;
  members: Set<State>;
  /** Only events the members want: the others never count against the backlog. */
  queue: OutboxEvent[];
  working: boolean;
  /** What the members want (they share event types and key): the first member's answer. */
  wants(event: OutboxEvent): boolean;
}

export interface EventSource {
  start(deliver: (events: OutboxEvent[]) => Promise<void>): Promise<number>;
  range(afterId: number, toId: number, limit: number): Promise<OutboxEvent[]>;
  stop(): Promise<void>;
}

export interface EventHubOptions {
  /** Whether a document passes the limits every client operation passes (gateway/limits.ts). */
  fits(document: DocumentNode): boolean;
  /** The longest one materialising query may take; a group that cannot be served in time is ended. */
  queryTimeoutMs: number;
}

const REPLAY_PAGE = 500;
/** Transient failures are retried with a backoff doubling from 0.1 s to 2 s: about 20 s of outage (a database restart) are ridden out. */
const MATERIALISE_ATTEMPTS = 14;
/** Events materialised by one query at most: large enough to amortise planning, small enough to plan fast. */
const BATCH_EVENTS = 100;
/** Events a group (or a replaying subscriber) may have waiting: beyond, its subscribers fell too far behind and resume with after. */
const MAX_GROUP_BACKLOG = 50_000;
const BACKLOG_MESSAGE = 'Too many events waiting for this subscription; resubscribe with after';
/** Batch query texts kept: a few sizes for each subscription query in use. */
const BATCH_TEXT_CACHE_SIZE = 1_000;
/** Payloads kept for reuse: replays of recent events by many reconnecting subscribers. */
const PAYLOAD_CACHE_SIZE = 5_000;

/** The hub's own codes for an event query that asking again would not help: over its time bound, or answered incrementally. */
const TIMEOUT = 'TIMEOUT';
const INCREMENTAL = 'INCREMENTAL';

/** Why materialising failed: whether asking again (or in smaller batches) could help. */
class MaterialiseError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }

  /**
   * Asking again is no use: a refusal of the query itself gets the same answer; a query over its
   * time bound is still running (it cannot be called back), and another would only pile up on it.
   */
  get final(): boolean {
    return FINAL_ERROR_CODES.has(this.code) || this.code === TIMEOUT || this.code === INCREMENTAL;
  }

  /** Only the subgraph's cost budget can refuse a batch that passed the limits for its size: smaller ones may pass. */
  get splittable(): boolean {
    return this.code === 'BAD_USER_INPUT';
  }
}

/** Whether this subscriber wants `event`: one of its types, and one its key may receive. */
function wants(state: State, event: OutboxEvent): boolean {
  return state.plan.types.has(event.type) && mayReceive(state.identity, event);
}

/**
 * Delivers outbox events to subscribers in id order, exactly once each: live events as the
 * source reads them, and to a resuming subscriber first every event after its `after`, then
 * the live ones without gap or repeat. Each event is materialised through the federated graph
 * once per subscription query and key, and the serialised bytes are shared. Groups of
 * subscribers progress independently: a subscription whose events cannot be materialised
 * fails on its own, with an error frame, and never delays the others.
 */
export class EventHub {
  private readonly subscribers = new Set<State>();
  private readonly groups = new Map<string, Group>();
  private head = 0;
  private readonly payloads = new LRUCache<string, Promise<string>>({ max: PAYLOAD_CACHE_SIZE });
  /** Printed batch queries by plan and size: Apollo takes text (a document it would print every time). */
  private readonly batchTexts = new LRUCache<string, string>({ max: BATCH_TEXT_CACHE_SIZE });
  /** The largest batch that passes the limits and the subgraphs' budgets, by plan. */
  private readonly batchSizes = new LRUCache<string, number>({ max: BATCH_TEXT_CACHE_SIZE });
  private stopped = false;

  constructor(
    private readonly source: EventSource,
    private readonly apollo: ApolloServer<GatewayContext>,
    private readonly log: Logger,
    private readonly options: EventHubOptions,
  ) {}

  async start(): Promise<void> {
    this.head = await this.source.start(async (events) => this.dispatch(events));
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.subscribers) state.closed = true;
    this.subscribers.clear();
    this.groups.clear();
    return this.source.stop();
  }

  /** Registers a subscriber; returns the function that ends its subscription. */
  subscribe(subscriber: Subscriber): () => void {
    const { plan, identity } = subscriber;
    const replayTo = this.head;
    const payloadGroup = `${plan.key}|${identity.keyId}|${identity.role}|${identity.organisationId}|${[...identity.scopes].sort().join(',')}`;
    const state: State = {
      ...subscriber,
      cursor: plan.after ?? replayTo,
      pending: plan.after !== null && plan.after < replayTo ? [] : null,
      closed: false,
      framePrefix: `{"id":${JSON.stringify(subscriber.subscriptionId)},"type":"next","payload":`,
      payloadGroup,
      deliveryGroup: `${payloadGroup}|${[...plan.types].join(',')}`,
      group: null,
    };
    this.subscribers.add(state);
    if (state.pending) void this.replay(state, replayTo);
    else this.join(state);
    return () => this.leave(state);
  }

  private join(state: State): void {
    let group = this.groups.get(state.deliveryGroup);
    if (!group) {
      group = { key: state.deliveryGroup, members: new Set(), queue: [], working: false, wants: (event) => wants(state, event) };
      this.groups.set(group.key, group);
    }
    group.members.add(state);
    state.group = group;
  }

  private leave(state: State): void {
    state.closed = true;
    this.subscribers.delete(state);
    const group = state.group;
    state.group = null;
    if (!group?.members.delete(state) || group.members.size > 0) return;
    this.forget(group);
  }

  /**
   * Drops a group that ended or emptied, unless its key already belongs to a newer group (its
   * members left while it was still materialising, and others subscribed): that one lives on.
   */
  private forget(group: Group): void {
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
  }

  /**
   * Live events, in order: queued on every group (and every replaying subscriber), each group
   * then served on its own. Synchronous, so the head and the queues move together: a subscriber
   * that registers after this replays nothing of it and skips it in its group's queue.
   */
  private dispatch(events: OutboxEvent[]): void {
    this.head = events.at(-1)!.id;
    for (const state of this.subscribers) {
      if (!state.pending) continue;
      for (const event of events) if (wants(state, event)) state.pending.push(event);
      if (state.pending.length > MAX_GROUP_BACKLOG) {
        this.log.warn({ subscriptionId: state.subscriptionId, backlog: state.pending.length }, 'a replaying subscriber fell behind; ending its subscription');
        this.end(state, errorFrame(state, BACKLOG_MESSAGE));
      }
    }
    for (const group of this.groups.values()) {
      const before = group.queue.length;
      for (const event of events) if (group.wants(event)) group.queue.push(event);
      if (group.queue.length === before) continue;
      if (group.queue.length > MAX_GROUP_BACKLOG) {
        this.log.warn({ group: group.key.slice(0, 16), backlog: group.queue.length }, 'subscribers fell behind; ending their subscriptions');
        this.endGroup(group, BACKLOG_MESSAGE);
        continue;
      }
      this.work(group);
    }
  }

  /** Single-flight per group: one batch at a time keeps the order; arrivals meanwhile join the next. */
  private work(group: Group): void {
    if (group.working || this.stopped) return;
    group.working = true;
    void (async () => {
      while (group.queue.length > 0 && group.members.size > 0 && !this.stopped) {
        const events = group.queue.splice(0);
        if (!(await this.deliverToGroup([...group.members], events))) {
          this.endGroup(group, 'Events temporarily unavailable for this subscription; resubscribe with after');
          return;
        }
      }
      group.working = false;
    })();
  }

  private endGroup(group: Group, message: string): void {
    group.queue.length = 0;
    for (const state of group.members) this.end(state, errorFrame(state, message));
    this.forget(group);
  }

  /**
   * Sends `events` to subscribers that share query, key and event types: what they want is
   * materialised once, then written to each in order, each event once; cursors pass the events
   * they do not want. False when the events could not be materialised.
   */
  private async deliverToGroup(group: readonly State[], events: readonly OutboxEvent[]): Promise<boolean> {
    const [first] = group as [State];
    const behind = group.reduce((lowest, state) => Math.min(lowest, state.cursor), Number.POSITIVE_INFINITY);
    const wanted = events.filter((event) => event.id > behind && wants(first, event));
    let payloads: Map<number, string>;
    try {
      payloads = await this.payloadsFor(wanted, first);
    } catch (err) {
      // Skipping would lose events: the subscriptions end, and the clients resume after their last event.
      this.log.error({ err, subscriptionId: first.subscriptionId }, 'could not materialise events');
      return false;
    }
    for (const state of group) this.send(state, events, payloads);
    return true;
  }

  private async replay(state: State, replayTo: number): Promise<void> {
    try {
      while (!state.closed && state.cursor < replayTo) {
        const events = await this.source.range(state.cursor, replayTo, REPLAY_PAGE);
        if (events.length === 0) break;
        if (!(await this.deliverToGroup([state], events))) throw new Error('replayed events could not be materialised');
      }
      state.cursor = Math.max(state.cursor, replayTo);
      // Live events that came during the replay; more may arrive while these are sent.
      while (!state.closed && state.pending && state.pending.length > 0) {
        if (!(await this.deliverToGroup([state], state.pending.splice(0)))) throw new Error('events could not be materialised');
      }
      state.pending = null;
      if (!state.closed) this.join(state);
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
    if (state.closed) return;
    if (frame) state.sink.send(frame);
    this.leave(state);
    state.sink.end?.();
  }

  /**
   * The serialised `next` payloads of events for this subscriber's query and key. What another
   * subscriber of the same group already asked for is shared; the rest is asked in batch queries.
   */
  private async payloadsFor(events: readonly OutboxEvent[], state: State): Promise<Map<number, string>> {
    const keyOf = (id: number) => `${id}|${state.payloadGroup}`;
    // Held here, not read back from the cache: more events than it holds would push the first out again.
    const wanted = new Map<number, Promise<string>>();
    const missing: number[] = [];
    for (const { id } of events) {
      const cached = this.payloads.get(keyOf(id));
      if (cached) wanted.set(id, cached);
      else missing.push(id);
    }
    const size = this.batchSize(state.plan);
    for (let i = 0; i < missing.length; i += size) {
      const ids = missing.slice(i, i + size);
      const batch = this.materialise(ids, state);
      for (const id of ids) {
        const key = keyOf(id);
        const payload = batch.then((payloads) => payloads.get(id)!);
        // A failure is not kept: the next subscriber to want the event asks again.
        payload.catch(() => this.payloads.peek(key) === payload && this.payloads.delete(key));
        this.payloads.set(key, payload);
        wanted.set(id, payload);
      }
    }
    const payloads = await Promise.all(events.map((event) => wanted.get(event.id)!));
    return new Map(events.map((event, i) => [event.id, payloads[i]!]));
  }

  /** The most events one batch query may carry and still pass the client limits (aliases, tokens, cost...). */
  private batchSize(plan: SubscriptionPlan): number {
    let size = this.batchSizes.get(plan.key);
    if (size === undefined) {
      // The largest passing size by bisection: limits grow with the batch, one event passed at subscribe time.
      let [low, high] = [1, BATCH_EVENTS];
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (this.options.fits(batchQuery(plan, mid))) low = mid;
        else high = mid - 1;
      }
      size = low;
      this.batchSizes.set(plan.key, size);
    }
    return size;
  }

  /**
   * Rides out a short outage (a database restart) before giving up: the events wait, in order,
   * rather than being skipped. A refusal (the subgraph's budget, a missing scope) is final at
   * once, but a batch of several events is first split, in case only its size was refused;
   * a query over its time bound is final too. The result is shared by every subscriber of the
   * group; stopping the hub ends the attempts.
   */
  private async materialise(eventIds: readonly number[], state: State): Promise<Map<number, string>> {
    for (let attempt = 0, delayMs = 100; ; attempt++, delayMs = Math.min(delayMs * 2, 2_000)) {
      try {
        return await this.materialiseOnce(eventIds, state);
      } catch (err) {
        if (err instanceof MaterialiseError && err.final) {
          if (eventIds.length === 1 || !err.splittable) throw err;
          const half = Math.ceil(eventIds.length / 2);
          const [left, right] = await Promise.all([this.materialise(eventIds.slice(0, half), state), this.materialise(eventIds.slice(half), state)]);
          // Halves passed (a half split again lowered it further): later batches of this plan start no larger, instead of being refused first.
          this.batchSizes.set(state.plan.key, Math.min(half, this.batchSizes.get(state.plan.key) ?? half));
          return new Map([...left, ...right]);
        }
        if (attempt >= MATERIALISE_ATTEMPTS || this.stopped || state.closed) throw err;
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
    }
    return text;
  }

  private async materialiseOnce(eventIds: readonly number[], state: State): Promise<Map<number, string>> {
    const requestId = `events-${eventIds[0]}-${state.plan.key.slice(0, 8)}`;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new MaterialiseError(`event query took longer than ${this.options.queryTimeoutMs} ms`, TIMEOUT)), this.options.queryTimeoutMs);
    });
    const response = await Promise.race([
      this.apollo.executeOperation(
        { query: this.batchText(state.plan, eventIds.length), variables: batchVariables(state.plan, eventIds) },
        { contextValue: { identity: state.identity, requestId, log: this.log.child({ requestId }) } },
      ),
      timedOut,
    ]).finally(() => clearTimeout(timer));
    if (response.body.kind !== 'single') throw new MaterialiseError('Incremental delivery is not supported for events', INCREMENTAL);
    const { data, errors } = response.body.singleResult;
    // An event the graph cannot produce at all (a subgraph down, a refused query) is retried or
    // refused, never sent empty. Errors with a path belong to one event's fields.
    const whole = errors?.find((error) => !error.path || error.extensions?.code === 'INTERNAL_SERVER_ERROR');
    if (!data || whole) {
      const code = String(whole?.extensions?.code ?? errors?.[0]?.extensions?.code ?? '');
      throw new MaterialiseError(`event query failed: ${whole?.message ?? errors?.[0]?.message ?? 'no data'}`, code);
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

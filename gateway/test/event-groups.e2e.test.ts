import { Client } from 'pg';
import { latestOutboxId } from '../../subgraphs/kit/outbox-tail';
import { eventually } from '../../tools/testing/eventually';
import { flexRequestInput } from '../../tools/testing/flex-request-input';
import { startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
import { subscribeOverWs, type TestSubscriber } from '../../tools/testing/ws-subscriber';

/**
 * How the event hub's groups of subscribers live and end: a group is ended only for its own
 * trouble, never for events it does not want nor for another group that had its key, and one
 * whose event query outlives its time bound ends at once instead of asking again.
 *
 * A group's event query is held in flight by locking hems.systems: every selection reaching the
 * HEMS subgraph waits on the lock, which the test watches in pg_stat_activity.
 */

let t: TestHub;

/** Past this many events waiting, a group (or a replaying subscriber) is ended: the hub's MAX_GROUP_BACKLOG. */
const MAX_BACKLOG = 50_000;

beforeAll(async () => {
  // One subscription per key: a second one with the same key runs only once the first is gone.
  // An event query may wait on the lock well past what a test takes.
  t = await startTestHub({ customers: 60, gateway: { maxSubscriptionsPerKey: 1, eventQueryTimeoutMs: 30_000 } });
});

afterAll(() => t.stop());

const subscribers: TestSubscriber<unknown>[] = [];
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
});

function subscribe<T>(hub: TestHub, key: string, query: string, variables: Record<string, unknown> = {}): TestSubscriber<T> {
  const subscriber = subscribeOverWs<T>(hub.hub.url, key, query, variables);
  subscribers.push(subscriber as TestSubscriber<unknown>);
  return subscriber;
}

/** Every event type, with a HEMS selection for orders only: a flexibility request is materialised without the HEMS subgraph. */
const EVERYTHING = `subscription($after: ID) { hubEvents(after: $after) {
  eventId type contractedPowerOrder { affected { meteringPoint { id hems { vendor } } } } flexRequest { id }
} }`;
type EverythingFrame = { data: { hubEvents: { eventId: string; type: string; flexRequest: { id: string } | null } } };
/** Orders, each needing the HEMS subgraph. */
const ORDERS_WITH_HEMS = 'subscription($after: ID) { contractedPowerOrders(after: $after) { eventId affected { meteringPoint { id hems { vendor } } } } }';
/** Orders, without the HEMS subgraph. */
const ORDERS = 'subscription($after: ID) { contractedPowerOrders(after: $after) { eventId } }';
type OrderFrame = { data: { contractedPowerOrders: { eventId: string } } };

/** Issues an order on the hub's first primary substation; resolves with its event id. */
async function issueOrder(hub: TestHub, dsoKey: string): Promise<string> {
  const issued = await hub.graphql(`mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`, {
    key: dsoKey,
    variables: {
      input: {
        area: { primarySubstationId: hub.parish.primarySubstations[0]!.id },
        reductionPercent: 20,
        start: new Date().toISOString(),
        expectedEnd: new Date(Date.now() + 3_600_000).toISOString(),
        reason: 'Transformer overload',
      },
    },
  });
  expect(issued.body.errors).toBeUndefined();
  return String(await latestOutboxId(hub.database.handle.pool));
}

/** Creates a flexibility request (a FLEX_REQUEST event the DSO receives); resolves with the request's id. */
async function createFlexRequest(hub: TestHub, dsoKey: string): Promise<string> {
  const created = await hub.graphql<{ createFlexRequest: { id: string } }>(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
    key: dsoKey,
    variables: { input: flexRequestInput(hub.parish.secondarySubstations[0]!.id, 10) },
  });
  expect(created.body.errors).toBeUndefined();
  return created.body.data!.createFlexRequest.id;
}

/** Statements of the hub's database waiting on a table lock: event queries held up by lockHems. */
async function lockWaiters(hub: TestHub): Promise<number> {
  const { rows } = await hub.database.handle.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'relation'",
  );
  return Number(rows[0]!.n);
}

/** Locks hems.systems on a connection of its own (not the hub's pool): HEMS reads wait until release. */
async function lockHems(hub: TestHub) {
  const client = new Client({ connectionString: hub.database.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE hems.systems IN ACCESS EXCLUSIVE MODE');
  let released = false;
  return {
    /** Lets the waiting reads go on; `failing`: they fail instead, the table gone when they get it (then it is back). */
    async release({ failing = false } = {}) {
      if (released) return;
      released = true;
      try {
        if (!failing) return void (await client.query('COMMIT'));
        await client.query('ALTER TABLE hems.systems RENAME TO systems_away');
        await client.query('COMMIT');
        await eventually(async () => (await lockWaiters(hub)) === 0, 'the waiting HEMS reads to fail');
        await client.query('ALTER TABLE hems.systems_away RENAME TO systems');
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Appends `count` events straight to the outbox, as one writer's transaction (the writers' lock,
 * then the wake-up at commit): events nobody will materialise, to fill queues.
 */
async function appendEvents(hub: TestHub, count: number, type: 'CONTRACTED_POWER_ORDER' | 'FLEX_REQUEST'): Promise<void> {
  const payload = type === 'FLEX_REQUEST' ? { kind: 'CREATED', flexRequestId: 'none' } : { kind: 'ISSUED', orderId: 'none' };
  const client = await hub.database.handle.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(7302029)');
    await client.query("INSERT INTO hub.outbox (type, audience, payload) SELECT $1, '{}', $2::jsonb FROM generate_series(1, $3)", [type, JSON.stringify(payload), count]);
    await client.query("SELECT pg_notify('hub_outbox', (SELECT max(id)::text FROM hub.outbox))");
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** `promise`, or a failure naming `what` after `ms`: for events that must come, so that a missing one fails fast. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not come within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('event groups', () => {
  it('keeps serving a subscriber that took the place of a group which emptied while its events were failing', async () => {
    const key = await t.createKey('dso', 'dso');
    const first = subscribe<EverythingFrame>(t, key, EVERYTHING, { after: String(await latestOutboxId(t.database.handle.pool)) });
    await issueOrder(t, key);
    // Received, so the subscriber is live in its group.
    expect((await first.next()).data.hubEvents.type).toBe('CONTRACTED_POWER_ORDER');

    const lock = await lockHems(t);
    let second!: TestSubscriber<EverythingFrame>;
    try {
      await issueOrder(t, key);
      await eventually(async () => (await lockWaiters(t)) === 1, "the group's query for the second order to wait on the lock");
      await first.dispose();

      // The same query and key: once it runs (one subscription per key), the first one has left and its group with it.
      const since = String(await latestOutboxId(t.database.handle.pool));
      const flexRequestId = await createFlexRequest(t, key);
      for (;;) {
        second = subscribe<EverythingFrame>(t, key, EVERYTHING, { after: since });
        const answer = await within(Promise.race([second.next(), second.firstError]), 10_000, 'an answer to the second subscription');
        if ('data' in answer) {
          expect(answer.data.hubEvents.flexRequest?.id).toBe(flexRequestId);
          break;
        }
        expect(answer.errors[0]?.extensions?.code).toBe('RATE_LIMITED');
        await second.dispose();
      }
      // The old group's query fails now; nobody is left to retry for, so it ends at once.
    } finally {
      await lock.release({ failing: true });
    }

    // Before the fix, ending the old group deleted the new one by its key: the subscriber heard nothing more.
    for (let i = 0; i < 2; i++) {
      const id = await createFlexRequest(t, key);
      expect((await within(second.next(), 5_000, `flexibility request ${i + 1}`)).data.hubEvents.flexRequest?.id).toBe(id);
    }
    expect(second.errors).toEqual([]);
  });

  it('does not end a busy group over events it does not subscribe to, however many arrive', async () => {
    const [dsoKey, watcherKey] = [await t.createKey('dso', 'dso'), await t.createKey('dso', 'dso')];
    const after = String(await latestOutboxId(t.database.handle.pool));
    const busy = subscribe<OrderFrame>(t, dsoKey, ORDERS_WITH_HEMS, { after });
    const watcher = subscribe<OrderFrame>(t, watcherKey, ORDERS, { after });
    const first = await issueOrder(t, dsoKey);
    expect([(await busy.next()).data.contractedPowerOrders.eventId, (await watcher.next()).data.contractedPowerOrders.eventId]).toEqual([first, first]);

    const lock = await lockHems(t);
    let second!: string;
    let third!: string;
    try {
      second = await issueOrder(t, dsoKey);
      await eventually(async () => (await lockWaiters(t)) === 1, "the busy group's query to wait on the lock");
      expect((await watcher.next()).data.contractedPowerOrders.eventId).toBe(second);
      // More flexibility requests than a group may have waiting, while the busy group cannot move.
      await appendEvents(t, MAX_BACKLOG + 1, 'FLEX_REQUEST');
      third = await issueOrder(t, dsoKey);
      // Events are dispatched in order: the watcher's third order means every request before it went by.
      expect((await within(watcher.next(), 20_000, 'the third order to the watcher')).data.contractedPowerOrders.eventId).toBe(third);
      expect(busy.errors).toEqual([]);
    } finally {
      await lock.release();
    }
    const delivered = [(await within(busy.next(), 10_000, 'the second order')).data.contractedPowerOrders.eventId, (await within(busy.next(), 10_000, 'the third order')).data.contractedPowerOrders.eventId];
    expect(delivered).toEqual([second, third]);
    expect(busy.errors).toEqual([]);
  }, 60_000);

  // Last in the file: it leaves fifty thousand orders without content in the outbox (later subscriptions start after them).
  it('ends a replaying subscriber that more events are waiting for than a group may have, with the same error frame', async () => {
    const key = await t.createKey('dso', 'dso');
    const since = String(await latestOutboxId(t.database.handle.pool));
    await issueOrder(t, key);
    const lock = await lockHems(t);
    try {
      const replaying = subscribe<OrderFrame>(t, key, ORDERS_WITH_HEMS, { after: since });
      await eventually(async () => (await lockWaiters(t)) === 1, 'the replay to wait on the lock');
      // Orders it wants (the DSO receives each): they wait for the replay to end, and there are too many.
      await appendEvents(t, MAX_BACKLOG + 1, 'CONTRACTED_POWER_ORDER');
      expect(await within(replaying.firstError, 20_000, 'the error frame')).toEqual({
        frame: 'error',
        errors: [{ message: expect.stringMatching(/Too many events waiting.*resubscribe with after/), extensions: { code: 'UNAVAILABLE' } }],
      });
      expect(replaying.queued).toEqual([]);
    } finally {
      await lock.release();
    }
  }, 60_000);
});

describe('an event query over its time bound', () => {
  it('ends its group at once, rather than asking again while the first query still runs', async () => {
    const quick = await startTestHub({ customers: 20, gateway: { eventQueryTimeoutMs: 1_000 } });
    try {
      const key = await quick.createKey('dso', 'dso');
      const subscriber = subscribe<OrderFrame>(quick, key, ORDERS_WITH_HEMS, { after: String(await latestOutboxId(quick.database.handle.pool)) });
      await subscriber.connected;
      const lock = await lockHems(quick);
      try {
        await issueOrder(quick, key);
        // Before the fix: 14 more queries, each waiting on the lock for its second, before the frame came.
        expect(await within(subscriber.firstError, 10_000, 'the error frame')).toMatchObject({ frame: 'error', errors: [{ extensions: { code: 'UNAVAILABLE' } }] });
        expect(await lockWaiters(quick)).toBe(1);
      } finally {
        await lock.release();
      }
    } finally {
      await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
      await quick.stop();
    }
  });
});

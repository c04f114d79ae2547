import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { latestOutboxId } from '../../subgraphs/kit/outbox-tail';
import { startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
import { subscribeOverWs } from '../../tools/testing/ws-subscriber';

/** One subscriber's trouble is its own: the event hub serves every group of subscribers on its own. */

let t: TestHub;
let dsoKey: string;

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  dsoKey = await t.createKey('dso', 'dso');
});

afterAll(() => t.stop());

const ISSUE = `mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`;
const orderOnEveryone = () => ({
  area: { primarySubstationId: t.parish.primarySubstations[0]!.id },
  reductionPercent: 25,
  start: new Date().toISOString(),
  expectedEnd: new Date(Date.now() + 3_600_000).toISOString(),
  reason: 'Transformer overload',
});

/** The first message graphql-ws gives a subscription: its error, or null when it runs. */
function firstError(key: string, query: string): Promise<{ message: string; extensions?: { code?: string } }[] | null> {
  const client = createClient({ url: `${t.hub.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: key }, retryAttempts: 0 });
  return new Promise((resolve) => {
    client.subscribe(
      { query },
      {
        next: () => undefined,
        error: (errors) => {
          resolve(errors as never);
          void client.dispose();
        },
        complete: () => resolve(null),
      },
    );
  });
}

describe('push isolation', () => {
  it('refuses at once a subscription whose events could never be materialised within the limits', async () => {
    const retailerKey = await t.createKey('retailer', 'ret-endesa');
    // 150 aliases pass the client limit, but each event's query needs one alias more.
    const copies = Array.from({ length: 150 }, (_, i) => `a${i}: eventId`).join(' ');
    const errors = await firstError(retailerKey, `subscription { contractedPowerOrders { ${copies} } }`);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.message).toMatch(/select less/);
  });

  it('refuses a subscription the key has no scope for, before it holds a slot', async () => {
    const customerKey = await t.createKey('customer', t.parish.meteringPoints[0]!.id);
    const errors = await firstError(customerKey, 'subscription { contractedPowerOrders { eventId } }');
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("delivers another retailer's emergency order while a hostile subscriber's events are still being retried; the hostile one ends with an error frame and resumes with after", async () => {
    const [hostileRetailer, normalRetailer] = ['ret-edpc', 'ret-goldenergy'];
    const after = String(await latestOutboxId(t.database.handle.pool));
    const hostileKey = await t.createKey('retailer', hostileRetailer);
    const HOSTILE = 'subscription($after: ID) { contractedPowerOrders(after: $after) { eventId affected { meteringPoint { id hems { vendor devices { kind } } } } } }';
    const hostile = subscribeOverWs<{ data: { contractedPowerOrders: { eventId: string } } }>(t.hub.url, hostileKey, HOSTILE, { after });
    const normal = subscribeOverWs<{ data: { contractedPowerOrders: { eventId: string; order: { id: string } } } }>(
      t.hub.url,
      await t.createKey('retailer', normalRetailer),
      'subscription($after: ID) { contractedPowerOrders(after: $after) { eventId order { id reductionPercent } } }',
      { after },
    );
    await Promise.all([hostile.connected, normal.connected]);
    // The HEMS subgraph fails for every request that reaches it: the hostile selection's events keep failing and are retried.
    await t.database.handle.pool.query('ALTER TABLE hems.systems RENAME TO systems_away');
    let away = true;
    try {
      const issued = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(ISSUE, { key: dsoKey, variables: { input: orderOnEveryone() } });
      expect(issued.body.errors).toBeUndefined();
      const event = await normal.next();
      expect(event.data.contractedPowerOrders.order.id).toBe(issued.body.data!.issueContractedPowerOrder.id);
      // Before the fix, every group waited for the failing one's ~20 s of retries: the order now
      // arrives while they still run. How soon it arrives is the access bench's
      // orderDelayBesideHostile* (a timed assertion here would fail on a loaded machine).
      expect(hostile.errors).toEqual([]);

      // The hostile group rides out about 20 s of failures (a database restart's worth), then gives up with an error frame.
      expect(await hostile.firstError).toEqual({ frame: 'error', errors: [{ message: expect.stringMatching(/resubscribe with after/), extensions: { code: 'UNAVAILABLE' } }] });
      expect(hostile.queued).toEqual([]);
      expect(hostile.errors).toHaveLength(1);

      await t.database.handle.pool.query('ALTER TABLE hems.systems_away RENAME TO systems');
      away = false;
      // Resuming where it was: the event it could not have is delivered now, whole.
      const resumed = subscribeOverWs<{ data: { contractedPowerOrders: { eventId: string; affected: unknown[] } } }>(t.hub.url, hostileKey, HOSTILE, { after });
      try {
        const missed = await resumed.next();
        expect(missed.data.contractedPowerOrders.eventId).toBe(event.data.contractedPowerOrders.eventId);
        expect(missed.data.contractedPowerOrders.affected.length).toBeGreaterThan(0);
        expect(resumed.errors).toEqual([]);
      } finally {
        await resumed.dispose();
      }
    } finally {
      if (away) await t.database.handle.pool.query('ALTER TABLE hems.systems_away RENAME TO systems');
      await Promise.all([hostile.dispose(), normal.dispose()]);
    }
  }, 60_000);
});

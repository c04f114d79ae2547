import WebSocket from 'ws';
import { latestOutboxId } from '../../subgraphs/kit/outbox-tail';
import type { EventBusKind } from '../../tools/testing/event-bus';
import { startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
import { subscribeOverWs, type TestSubscriber } from '../../tools/testing/ws-subscriber';
import { HubCloseCode } from '../close-codes';

/**
 * The push suite, run once per event bus (push.*.e2e.test.ts): both transports must pass the
 * same tests.
 */
export function describePushSuite(eventBus: EventBusKind): void {
  let t: TestHub;
  let dsoKey: string;
  let retailers: string[];
  const retailerKeys = new Map<string, string>();

  const SUBSCRIPTION = `subscription($after: ID) {
    contractedPowerOrders(after: $after) {
      eventId kind
      order { id status reductionPercent }
      affected { temporaryMaxPowerKw meteringPoint { id contractedPowerKva retailerId } }
    }
  }`;

  interface OrderEvent {
    data: {
      contractedPowerOrders: {
        eventId: string;
        kind: string;
        order: { id: string; status: string; reductionPercent: number };
        affected: { temporaryMaxPowerKw: number; meteringPoint: { id: string; contractedPowerKva: number; retailerId: string } }[];
      };
    };
  }

  const ISSUE = `mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id status } }`;
  const outboxCount = async () => Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM hub.outbox')).rows[0].n);
  const orderCount = async () => Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM flexibility.contracted_power_orders')).rows[0].n);

  const input = (overrides: Record<string, unknown> = {}) => ({
    area: { primarySubstationId: t.parish.primarySubstations[0]!.id },
    reductionPercent: 30,
    start: new Date(Date.now() - 60 * 60_000).toISOString(),
    expectedEnd: new Date(Date.now() + 60 * 60_000).toISOString(),
    reason: 'Overload at the primary substation',
    ...overrides,
  });

  /** Metering points of a primary substation, by retailer: what each retailer should receive. */
  function affectedByRetailer(primaryId: string): Map<string, string[]> {
    const secondaries = new Set(t.parish.secondarySubstations.filter((s) => s.primarySubstationId === primaryId).map((s) => s.id));
    const feeders = new Set(t.parish.feeders.filter((f) => secondaries.has(f.secondarySubstationId)).map((f) => f.id));
    const points = new Set(t.parish.connections.filter((c) => feeders.has(c.feederId)).map((c) => c.meteringPointId));
    const byRetailer = new Map<string, string[]>();
    for (const point of t.parish.meteringPoints.filter((p) => points.has(p.id))) byRetailer.set(point.retailerId, [...(byRetailer.get(point.retailerId) ?? []), point.id].sort());
    return byRetailer;
  }

  beforeAll(async () => {
    t = await startTestHub({ customers: 300, eventBus });
    dsoKey = await t.createKey('dso', 'dso');
    retailers = t.parish.organisations.filter((org) => org.kind === 'retailer').map((org) => org.id);
    for (const retailer of retailers) retailerKeys.set(retailer, await t.createKey('retailer', retailer));
  });

  afterAll(() => t.stop());

  describe('contracted-power orders pushed over graphql-ws', () => {
    const subscribers: Pick<TestSubscriber<unknown>, 'dispose'>[] = [];
    afterEach(async () => {
      await Promise.all(subscribers.splice(0).map((s) => s.dispose()));
    });

    it('reaches every retailer with its own affected points only, and the DSO with all; restoration follows the same way', async () => {
      const primary = t.parish.primarySubstations[0]!.id;
      const expected = affectedByRetailer(primary);
      const since = String(await latestOutboxId(t.database.handle.pool));
      const byRetailer = new Map(retailers.map((r) => [r, subscribeOverWs<OrderEvent>(t.hub.url, retailerKeys.get(r)!, SUBSCRIPTION, { after: since })]));
      const dso = subscribeOverWs<OrderEvent>(t.hub.url, dsoKey, SUBSCRIPTION, { after: since });
      subscribers.push(...byRetailer.values(), dso);

      const issued = await t.graphql<{ issueContractedPowerOrder: { id: string; status: string } }>(ISSUE, { key: dsoKey, variables: { input: input() } });
      expect(issued.body.errors).toBeUndefined();
      const orderId = issued.body.data!.issueContractedPowerOrder.id;
      expect(issued.body.data!.issueContractedPowerOrder.status).toBe('ACTIVE');

      for (const [retailer, subscriber] of byRetailer) {
        const own = expected.get(retailer);
        if (!own) continue;
        const event = (await subscriber.next()).data.contractedPowerOrders;
        expect(event).toMatchObject({ kind: 'ISSUED', order: { id: orderId, reductionPercent: 30 } });
        expect(event.affected.map((a) => a.meteringPoint.id).sort()).toEqual(own);
        for (const affected of event.affected) {
          expect(affected.meteringPoint.retailerId).toBe(retailer);
          expect(affected.temporaryMaxPowerKw).toBeCloseTo(affected.meteringPoint.contractedPowerKva * 0.7, 3);
        }
      }
      const all = (await dso.next()).data.contractedPowerOrders;
      expect(all.affected).toHaveLength([...expected.values()].flat().length);

      const restored = await t.graphql(`mutation($id: ID!) { restoreContractedPowerOrder(id: $id) { status } }`, { key: dsoKey, variables: { id: orderId } });
      expect(restored.body.data).toEqual({ restoreContractedPowerOrder: { status: 'RESTORED' } });
      for (const [retailer, subscriber] of byRetailer) {
        if (!expected.get(retailer)) continue;
        const event = (await subscriber.next()).data.contractedPowerOrders;
        expect(event).toMatchObject({ kind: 'RESTORED', order: { id: orderId, status: 'RESTORED' } });
      }
      expect((await dso.next()).data.contractedPowerOrders.kind).toBe('RESTORED');
      // Nobody received anything else, in particular no other retailer's event.
      for (const subscriber of [...byRetailer.values(), dso]) expect(subscriber.queued).toEqual([]);
    });

    it('delivers every event, in the same order, to subscribers of each gateway replica', async () => {
      const replica = await t.startReplica();
      const since = String(await latestOutboxId(t.database.handle.pool));
      const [onFirst, onSecond] = [t.hub.url, replica.url].map((url) => subscribeOverWs<OrderEvent>(url, dsoKey, SUBSCRIPTION, { after: since }));
      subscribers.push(onFirst!, onSecond!);
      const issued: string[] = [];
      for (const reductionPercent of [10, 20, 30]) {
        const { body } = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(ISSUE, { key: dsoKey, variables: { input: input({ reductionPercent }) } });
        issued.push(body.data!.issueContractedPowerOrder.id);
      }
      const received = async (subscriber: TestSubscriber<OrderEvent>) => {
        const events = [];
        for (let i = 0; i < issued.length; i++) events.push((await subscriber.next()).data.contractedPowerOrders);
        return events.map((event) => [event.eventId, event.order.id]);
      };
      const first = await received(onFirst!);
      expect(first.map(([, orderId]) => orderId)).toEqual(issued);
      expect(await received(onSecond!)).toEqual(first);
    });

    it('replays events of an alias-heavy selection in batches that stay under the alias limit', async () => {
      const since = String(await latestOutboxId(t.database.handle.pool));
      for (const reductionPercent of [10, 20, 30]) await t.graphql(ISSUE, { key: dsoKey, variables: { input: input({ reductionPercent }) } });
      // 61 aliases per event: three events in one batch query would pass the limit of 150.
      const copies = Array.from({ length: 60 }, (_, i) => `a${i}: eventId`).join(' ');
      const subscriber = subscribeOverWs<{ data: { contractedPowerOrders: Record<string, string> } | null }>(
        t.hub.url,
        dsoKey,
        `subscription($after: ID) { contractedPowerOrders(after: $after) { eventId ${copies} } }`,
        { after: since },
      );
      subscribers.push(subscriber);
      for (let i = 0; i < 3; i++) {
        const { data } = await subscriber.next();
        expect(data).not.toBeNull();
        expect(Number(data!.contractedPowerOrders.eventId)).toBeGreaterThan(Number(since));
        expect(data!.contractedPowerOrders.a59).toBe(data!.contractedPowerOrders.eventId);
      }
    });

    it('gives a reconnecting retailer what it missed, exactly once, then live events', async () => {
      const retailer = [...affectedByRetailer(t.parish.primarySubstations[0]!.id).keys()][0]!;
      const key = retailerKeys.get(retailer)!;
      const first = subscribeOverWs<OrderEvent>(t.hub.url, key, SUBSCRIPTION, { after: String(await latestOutboxId(t.database.handle.pool)) });
      subscribers.push(first);
      const one = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(ISSUE, { key: dsoKey, variables: { input: input() } });
      const received = (await first.next()).data.contractedPowerOrders;
      expect(received.order.id).toBe(one.body.data!.issueContractedPowerOrder.id);
      await first.dispose();

      // Missed while disconnected: the restoration of the first order and a second order.
      await t.graphql(`mutation($id: ID!) { restoreContractedPowerOrder(id: $id) { id } }`, { key: dsoKey, variables: { id: received.order.id } });
      const two = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(ISSUE, { key: dsoKey, variables: { input: input({ reductionPercent: 50 }) } });

      const again = subscribeOverWs<OrderEvent>(t.hub.url, key, SUBSCRIPTION, { after: received.eventId });
      subscribers.push(again);
      const missed = [(await again.next()).data.contractedPowerOrders, (await again.next()).data.contractedPowerOrders];
      expect(missed.map((e) => [e.kind, e.order.id])).toEqual([
        ['RESTORED', received.order.id],
        ['ISSUED', two.body.data!.issueContractedPowerOrder.id],
      ]);
      expect(Number(missed[0]!.eventId)).toBeGreaterThan(Number(received.eventId));
      expect(Number(missed[1]!.eventId)).toBeGreaterThan(Number(missed[0]!.eventId));

      await t.graphql(`mutation($id: ID!) { cancelContractedPowerOrder(id: $id) { id } }`, { key: dsoKey, variables: { id: two.body.data!.issueContractedPowerOrder.id } });
      expect((await again.next()).data.contractedPowerOrders.kind).toBe('CANCELLED');
      expect(again.queued).toEqual([]);
    });

    it('closes the sockets of a revoked key with 4403', async () => {
      const key = await t.createKey('retailer', retailers[0]!);
      const subscriber = subscribeOverWs<OrderEvent>(t.hub.url, key, SUBSCRIPTION);
      subscribers.push(subscriber);
      await subscriber.connected;
      await t.database.handle.pool.query('UPDATE hub.api_keys SET revoked_at = now() WHERE display_prefix = $1', [key.slice(0, 9)]);
      expect(await subscriber.closed).toBe(HubCloseCode.KeyRevoked);
    });

    it('disconnects a consumer that stops reading once its queue passes the limit, with a clear close code', async () => {
      const socket = new WebSocket(`${t.hub.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: dsoKey } }));
      await new Promise((resolve) => socket.once('message', resolve));
      // Each frame repeats the affected list under 60 aliases (about 1 MB), so the kernel's socket
      // buffers (megabytes on loopback) and then the server's 4 MiB limit fill within a few dozen events.
      const copies = Array.from({ length: 60 }, (_, i) => `a${i}: affected { temporaryMaxPowerKw meteringPoint { id } }`).join(' ');
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { contractedPowerOrders { eventId ${copies} } }` } }));
      const closed = new Promise<number>((resolve) => socket.once('close', resolve));
      // A stalled reader: it reads nothing (not even the close frame) until resumed.
      (socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const everywhere = { secondarySubstationIds: t.parish.secondarySubstations.map((s) => s.id) };
      for (let i = 0; i < 40; i++) await t.graphql(ISSUE, { key: dsoKey, variables: { input: input({ area: everywhere, reason: `burst ${i}` }) } });
      (socket as unknown as { _socket: { resume(): void } })._socket.resume();
      expect(await closed).toBe(HubCloseCode.SlowConsumer);
    }, 60_000);
  });

  describe('acknowledgements and compliance', () => {
    it('records each retailer acknowledgement once and shows the DSO who has not acknowledged', async () => {
      const issued = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(ISSUE, { key: dsoKey, variables: { input: input() } });
      const orderId = issued.body.data!.issueContractedPowerOrder.id;
      const addressed = [...affectedByRetailer(t.parish.primarySubstations[0]!.id).keys()].sort();
      const ACK = `mutation($id: ID!) { acknowledgeContractedPowerOrder(id: $id) { acknowledgements { organisationId at } } }`;
      const first = await t.graphql<{ acknowledgeContractedPowerOrder: { acknowledgements: { organisationId: string; at: string }[] } }>(ACK, { key: retailerKeys.get(addressed[0]!)!, variables: { id: orderId } });
      const second = await t.graphql<typeof first.body.data>(ACK, { key: retailerKeys.get(addressed[0]!)!, variables: { id: orderId } });
      expect(first.body.data?.acknowledgeContractedPowerOrder.acknowledgements).toHaveLength(1);
      expect(second.body.data).toEqual(first.body.data);

      const { body } = await t.graphql<{ contractedPowerOrder: { acknowledgements: { organisationId: string }[]; pendingAcknowledgements: string[] } }>(
        `query($id: ID!) { contractedPowerOrder(id: $id) { acknowledgements { organisationId } pendingAcknowledgements } }`,
        { key: dsoKey, variables: { id: orderId } },
      );
      expect(body.data?.contractedPowerOrder.acknowledgements.map((a) => a.organisationId)).toEqual([addressed[0]]);
      expect(body.data?.contractedPowerOrder.pendingAcknowledgements).toEqual(addressed.slice(1));
    });

    it('lists the points whose readings went above their cap during the order', async () => {
      const secondary = t.parish.secondarySubstations[0]!;
      const feeders = new Set(t.parish.feeders.filter((f) => f.secondarySubstationId === secondary.id).map((f) => f.id));
      const points = t.parish.meteringPoints.filter((p) => t.parish.connections.some((c) => c.meteringPointId === p.id && feeders.has(c.feederId)));
      const [hog, thrifty] = points as [(typeof points)[0], (typeof points)[0]];
      const startMs = Math.floor((Date.now() - 3 * 3600_000) / 900_000) * 900_000;
      const issued = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(ISSUE, {
        key: dsoKey,
        variables: { input: input({ area: { secondarySubstationIds: [secondary.id] }, reductionPercent: 50, start: new Date(startMs).toISOString(), expectedEnd: new Date(startMs + 3600_000).toISOString() }) },
      });
      const orderId = issued.body.data!.issueContractedPowerOrder.id;
      // 4 quarter-hours: the hog draws its full contracted power, the thrifty one a tenth of it.
      const readings = [0, 1, 2, 3].flatMap((q) => [
        { meteringPointId: hog.id, intervalStart: new Date(startMs + q * 900_000).toISOString(), importWh: Math.round(hog.contractedPowerKva * 250), exportWh: 0 },
        { meteringPointId: thrifty.id, intervalStart: new Date(startMs + q * 900_000).toISOString(), importWh: Math.round(thrifty.contractedPowerKva * 25), exportWh: 0 },
      ]);
      const ingested = await t.graphql(`mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`, {
        key: dsoKey,
        variables: { input: { idempotencyKey: `compliance-${orderId}`, readings } },
      });
      expect(ingested.body.errors).toBeUndefined();
      const { body } = await t.graphql<{ contractedPowerOrder: { compliance: { meteringPoint: { id: string }; intervalsAbove: number; maxObservedKw: number; temporaryMaxPowerKw: number }[] } }>(
        `query($id: ID!) { contractedPowerOrder(id: $id) { compliance { meteringPoint { id } intervalsAbove maxObservedKw temporaryMaxPowerKw } } }`,
        { key: dsoKey, variables: { id: orderId } },
      );
      expect(body.data?.contractedPowerOrder.compliance.map((c) => c.meteringPoint.id)).toEqual([hog.id]);
      expect(body.data?.contractedPowerOrder.compliance[0]).toMatchObject({ intervalsAbove: 4, temporaryMaxPowerKw: expect.closeTo(hog.contractedPowerKva / 2, 3) });
    });
  });

  describe('bad input writes nothing and emits nothing', () => {
    const refused = async (variables: Record<string, unknown>, code: string, key = dsoKey, query = ISSUE) => {
      const [orders, events] = [await orderCount(), await outboxCount()];
      const { body } = await t.graphql(query, { key, variables });
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
      expect([await orderCount(), await outboxCount()]).toEqual([orders, events]);
    };

    it('refuses percentages outside 1..100, an end before the start, unknown and empty areas', async () => {
      await refused({ input: input({ reductionPercent: 0 }) }, 'BAD_USER_INPUT');
      await refused({ input: input({ reductionPercent: 101 }) }, 'BAD_USER_INPUT');
      await refused({ input: input({ expectedEnd: new Date(Date.now() - 2 * 3600_000).toISOString() }) }, 'BAD_USER_INPUT');
      await refused({ input: input({ area: { primarySubstationId: 'SE-NOWHERE' } }) }, 'BAD_USER_INPUT');
      await refused({ input: input({ area: { feederIds: [] } }) }, 'BAD_USER_INPUT');
      await refused({ input: input({ area: {} }) }, 'BAD_USER_INPUT');
    });

    it('refuses a retailer issuing an order', async () => {
      await refused({ input: input() }, 'FORBIDDEN', retailerKeys.get(retailers[0]!)!);
    });

    it('refuses restoring an order twice', async () => {
      const issued = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(ISSUE, { key: dsoKey, variables: { input: input() } });
      const id = issued.body.data!.issueContractedPowerOrder.id;
      const RESTORE = `mutation($id: ID!) { restoreContractedPowerOrder(id: $id) { id } }`;
      expect((await t.graphql(RESTORE, { key: dsoKey, variables: { id } })).body.errors).toBeUndefined();
      await refused({ id }, 'CONFLICT', dsoKey, RESTORE);
      await refused({ id: 'cpo-unknown' }, 'NOT_FOUND', dsoKey, RESTORE);
    });

    it("answers NOT_FOUND to a retailer acknowledging an order that is not addressed to it", async () => {
      // A feeder some retailer supplies no point on: that retailer is the outsider.
      const area = t.parish.feeders
        .map((feeder) => ({ feeder: feeder.id, addressed: new Set(retailersOnFeeder(feeder.id)) }))
        .find(({ addressed }) => addressed.size > 0 && retailers.some((r) => !addressed.has(r)))!;
      const outsider = retailers.find((r) => !area.addressed.has(r))!;
      const issued = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(ISSUE, { key: dsoKey, variables: { input: input({ area: { feederIds: [area.feeder] } }) } });
      const id = issued.body.data!.issueContractedPowerOrder.id;
      const acks = Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM flexibility.contracted_power_order_acks')).rows[0].n);
      const { body } = await t.graphql(`mutation($id: ID!) { acknowledgeContractedPowerOrder(id: $id) { id } }`, { key: retailerKeys.get(outsider)!, variables: { id } });
      expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM flexibility.contracted_power_order_acks')).rows[0].n)).toBe(acks);
    });
  });

  function retailersOnFeeder(feederId: string): string[] {
    const points = new Set(t.parish.connections.filter((c) => c.feederId === feederId).map((c) => c.meteringPointId));
    return [...new Set(t.parish.meteringPoints.filter((p) => points.has(p.id)).map((p) => p.retailerId))];
  }
}

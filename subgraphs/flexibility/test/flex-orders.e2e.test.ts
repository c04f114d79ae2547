import { latestOutboxId } from '../../kit/outbox-tail';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs } from '../../../tools/testing/ws-subscriber';
import { ISP_1, ISP_2, iso, marketFixture, type MarketFixture, type Party } from './flex-market.fixture';

/**
 * Orders through the gateway, on the market fixture's feeder: orderFlex and its bounds, the
 * automatic choice of the cheapest sufficient set (worked by hand), who sees which order, and
 * the FLEX_ORDER events on hubEvents and flexOrders.
 */

let t: TestHub;
let f: MarketFixture;

beforeAll(async () => {
  t = await startTestHub();
  f = await marketFixture(t);
}, 60_000);

afterAll(() => t.stop());

// Each test offers from the retailers' whole availability: earlier tests' requests must not hold it.
beforeEach(() => f.closeOpenRequests());

const request = (minKw: number, maxKw: number) =>
  f.createRequest([
    { startMs: ISP_1(), minKw, maxKw },
    { startMs: ISP_2(), minKw, maxKw },
  ]);

let keyCount = 0;

/** An offer of `kw` in both ISPs, or [ISP_1's, ISP_2's] (null: not offered there). */
async function offer(party: Party, requestId: string, kw: number | [number | null, number | null], priceEurPerKwh = 0.25): Promise<string> {
  const [kw1, kw2] = typeof kw === 'number' ? [kw, kw] : kw;
  const { body } = await t.graphql<{ submitFlexOffer: { id: string } }>(`mutation($input: SubmitFlexOfferInput!) { submitFlexOffer(input: $input) { id } }`, {
    key: party.key,
    variables: {
      input: {
        flexRequestId: requestId,
        isps: [
          { start: iso(ISP_1()), kw: kw1 },
          { start: iso(ISP_2()), kw: kw2 },
        ].filter((isp) => isp.kw !== null),
        priceEurPerKwh,
        expiresAt: iso(Date.now() + 1_800_000),
        idempotencyKey: `order-test-${++keyCount}`,
      },
    },
  });
  expect(body.errors).toBeUndefined();
  return body.data!.submitFlexOffer.id;
}

interface Order {
  id: string;
  status: string;
  activationFactor: number;
  organisationId: string;
  offer: { id: string; status: string; order: { id: string } | null };
  flexRequest: { id: string };
}
const ORDER_FIELDS = 'id status activationFactor organisationId offer { id status order { id } } flexRequest { id }';

const orderFlex = (offerId: string, activationFactor?: number) =>
  t.graphql<{ orderFlex: Order }>(`mutation($input: OrderFlexInput!) { orderFlex(input: $input) { ${ORDER_FIELDS} } }`, {
    key: f.dsoKey,
    variables: { input: { offerId, activationFactor } },
  });

async function ordered(offerId: string, activationFactor?: number): Promise<Order> {
  const { body } = await orderFlex(offerId, activationFactor);
  expect(body.errors).toBeUndefined();
  return body.data!.orderFlex;
}

const codes = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.map((error) => error.extensions?.code);

async function ordersInDb(requestId: string): Promise<number> {
  const { rows } = await f.sql(`SELECT count(*)::int AS n FROM flexibility.flex_orders WHERE request_id = $1`, [requestId]);
  return rows[0]!.n as number;
}

async function sufficiency(requestId: string): Promise<[number, number][]> {
  const { body } = await t.graphql<{ flexRequest: { sufficiency: { offeredKw: number; shortfallKw: number }[] } }>(
    `query($id: ID!) { flexRequest(id: $id) { sufficiency { offeredKw shortfallKw } } }`,
    { key: f.dsoKey, variables: { id: requestId } },
  );
  return body.data!.flexRequest.sufficiency.map((isp) => [isp.offeredKw, isp.shortfallKw]);
}

describe('orderFlex', () => {
  it('orders an offer whole by default, for its offerer, and marks the offer ORDERED', async () => {
    const requestId = await request(5, 12);
    const offerId = await offer(f.retailer, requestId, 4);
    const order = await ordered(offerId);
    expect(order).toMatchObject({ status: 'ORDERED', activationFactor: 1, organisationId: f.retailer.id, flexRequest: { id: requestId } });
    expect(order.id).toMatch(/^fo-/);
    expect(order.offer).toEqual({ id: offerId, status: 'ORDERED', order: { id: order.id } });
  });

  it('takes an activation factor in (0, 1], and sufficiency counts the ordered kW', async () => {
    const requestId = await request(5, 12);
    const offerId = await offer(f.retailer, requestId, 4);
    for (const factor of [0, -0.1, 1.01]) {
      const { body } = await orderFlex(offerId, factor);
      expect([codes(body), body.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], 'activationFactor must be greater than 0 and at most 1']);
    }
    expect(await ordersInDb(requestId)).toBe(0);
    expect((await ordered(offerId, 0.25)).activationFactor).toBe(0.25);
    expect(await sufficiency(requestId)).toEqual([
      [1, 4],
      [1, 4],
    ]);
  });

  it('is a CONFLICT for an offer already ordered, and refuses revoked and expired offers and closed requests', async () => {
    const requestId = await request(5, 12);
    const [once, revoked, expired] = [await offer(f.retailer, requestId, 1), await offer(f.retailer, requestId, 1), await offer(f.retailer, requestId, 1)];
    await ordered(once);
    const again = await orderFlex(once);
    expect([codes(again.body), again.body.errors?.[0]?.message]).toEqual([['CONFLICT'], 'the offer is already ordered']);
    await t.graphql(`mutation($id: ID!) { revokeFlexOffer(id: $id) { id } }`, { key: f.retailer.key, variables: { id: revoked } });
    await f.sql(`UPDATE flexibility.flex_offers SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired]);
    for (const [offerId, message] of [
      [revoked, 'the offer is revoked'],
      [expired, 'the offer is expired'],
    ]) {
      const { body } = await orderFlex(offerId!);
      expect([codes(body), body.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], message]);
    }
    const closedRequest = await request(5, 12);
    const late = await offer(f.retailer, closedRequest, 1);
    await t.graphql(`mutation($id: ID!) { closeFlexRequest(id: $id) { id } }`, { key: f.dsoKey, variables: { id: closedRequest } });
    const closed = await orderFlex(late);
    expect([codes(closed.body), closed.body.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], 'the request is closed']);
    expect(codes((await orderFlex('fof-none')).body)).toEqual(['NOT_FOUND']);
    expect(await ordersInDb(requestId)).toBe(1);
  });

  it("takes an order past an ISP's maxKw while another ISP of the offer is below it, and refuses one that would buy nothing asked for", async () => {
    const requestId = await f.createRequest([
      { startMs: ISP_1(), minKw: 5, maxKw: 5 },
      { startMs: ISP_2(), minKw: 5, maxKw: 5 },
    ]);
    await ordered(await offer(f.retailer, requestId, [5, 3]));
    // By hand: ISP_2 has 3 of its 5 kW: the rival's 3.7 kW are taken whole, ISP_1 going to 8.7 kW.
    expect((await ordered(await offer(f.rival, requestId, 3.7))).activationFactor).toBe(1);
    expect(await sufficiency(requestId)).toEqual([
      [8.7, 0],
      [6.7, 0],
    ]);
    // ISP_1 alone, already at 8.7 of 5 kW: nothing the DSO asked for is left to buy.
    const nothing = await offer(f.retailer, requestId, [1, null]);
    const before = await latestOutboxId(t.database.handle.pool);
    const { body } = await orderFlex(nothing);
    expect([codes(body), body.errors?.[0]?.extensions?.field, body.errors?.[0]?.message]).toEqual([
      ['BAD_USER_INPUT'],
      'offerId',
      "the request's orders already reach its maxKw in every ISP of the offer: it would buy nothing the DSO asked for",
    ]);
    expect(await ordersInDb(requestId)).toBe(2);
    expect(await latestOutboxId(t.database.handle.pool)).toBe(before);
  });

  it('places concurrent orders of one request one at a time: of two that each fill maxKw, the second buys nothing and is refused', async () => {
    const requestId = await request(3.7, 3.7);
    const offers = [await offer(f.retailer, requestId, 3.7), await offer(f.rival, requestId, 3.7)];
    // Each alone fills both ISPs to maxKw; without the request's lock both would see no orders and pass.
    const answers = await Promise.all(offers.map((offerId) => orderFlex(offerId)));
    expect(answers.filter((answer) => !answer.body.errors).length).toBe(1);
    expect(answers.flatMap((answer) => codes(answer.body) ?? [])).toEqual(['BAD_USER_INPUT']);
    expect(await ordersInDb(requestId)).toBe(1);
  });

  it('is for the DSO only', async () => {
    const requestId = await request(5, 12);
    const offerId = await offer(f.retailer, requestId, 1);
    const { body } = await t.graphql(`mutation($input: OrderFlexInput!) { orderFlex(input: $input) { id } }`, { key: f.retailer.key, variables: { input: { offerId } } });
    expect(codes(body)).toEqual(['FORBIDDEN']);
  });
});

const AUTO_SELECT = `mutation($id: ID!) { autoSelectFlexOffers(flexRequestId: $id) { id activationFactor offer { id } } }`;

describe('an order cancelled by the close', () => {
  it('leaves its offer ORDERED and counting nothing in sufficiency', async () => {
    const requestId = await request(5, 12);
    const offerId = await offer(f.retailer, requestId, 4);
    await ordered(offerId);
    expect(await sufficiency(requestId)).toEqual([
      [4, 1],
      [4, 1],
    ]);
    // Its ISPs are tomorrow's: the close cancels it.
    expect((await t.graphql(`mutation($id: ID!) { closeFlexRequest(id: $id) { id } }`, { key: f.dsoKey, variables: { id: requestId } })).body.errors).toBeUndefined();
    const { rows } = await f.sql(`SELECT o.status AS "order", f.status AS offer FROM flexibility.flex_orders o JOIN flexibility.flex_offers f ON f.id = o.offer_id WHERE o.request_id = $1`, [requestId]);
    expect(rows).toEqual([{ order: 'CANCELLED', offer: 'ORDERED' }]);
    expect(await sufficiency(requestId)).toEqual([
      [0, 5],
      [0, 5],
    ]);
  });
});

describe('reportActivation', () => {
  const REPORT = `mutation($input: ReportActivationInput!) { reportActivation(input: $input) { id status } }`;

  it('refuses a report of an ISP that has not ended, naming it, and writes nothing', async () => {
    const requestId = await request(1, 12);
    const orderId = (await ordered(await offer(f.retailer, requestId, 4))).id;
    const { rows } = await f.sql(
      `SELECT h.id FROM hems.systems h JOIN hub.consents c ON c.metering_point_id = h.metering_point_id
       WHERE h.id LIKE 'FM-%' AND c.id LIKE 'test-market-%' AND c.organisation_id = $1 ORDER BY 1 LIMIT 1`,
      [f.retailer.id],
    );
    const hemsId = String(rows[0]!.id);
    const command = await t.graphql(`mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { id } }`, {
      key: f.retailer.key,
      variables: { input: { hemsId, deviceId: `${hemsId}-D1`, kind: 'SHIFT', start: iso(ISP_1()), end: iso(ISP_2() + 900_000), reason: 'FLEX_ORDER', orderId } },
    });
    expect(command.body.errors).toBeUndefined();
    const before = await latestOutboxId(t.database.handle.pool);
    const { body } = await t.graphql(REPORT, { key: f.retailer.key, variables: { input: { orderId, isps: [{ hemsId, start: iso(ISP_1()), kw: 1 }] } } });
    expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message])).toEqual([
      ['BAD_USER_INPUT', 'isps', `ISP ${iso(ISP_1())} has not ended yet: report what was shifted once it has`],
    ]);
    const { rows: written } = await f.sql(
      `SELECT (SELECT status::text FROM flexibility.flex_orders WHERE id = $1) AS status, (SELECT count(*)::int FROM flexibility.flex_activations WHERE order_id = $1) AS activations`,
      [orderId],
    );
    expect(written).toEqual([{ status: 'ORDERED', activations: 0 }]);
    expect(await latestOutboxId(t.database.handle.pool)).toBe(before);
    // The HEMS restored, its charger is free again for the other tests' offers.
    const restore = await t.graphql(`mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { id } }`, {
      key: f.retailer.key,
      variables: { input: { hemsId, kind: 'RESTORE', start: iso(ISP_1()), end: iso(ISP_2() + 900_000), reason: 'FLEX_ORDER', orderId } },
    });
    expect(restore.body.errors).toBeUndefined();
  });
});

describe('autoSelectFlexOffers', () => {
  it('orders the cheapest sufficient set, the last offer trimmed', async () => {
    // By hand, minKw 10 in both ISPs: cheap (0.10 EUR/kWh, 3.4 kW) leaves 6.6 short; the rival's
    // (0.20, 3.7 kW) leaves 2.9; dear (0.30, 6 kW) covers it at 2.9 / 6 = 0.48333…; dearest (0.40) is not needed.
    const requestId = await request(10, 12);
    const dear = await offer(f.retailer, requestId, 6, 0.3);
    const cheap = await offer(f.retailer, requestId, 3.4, 0.1);
    const rivals = await offer(f.rival, requestId, 3.7, 0.2);
    const { body } = await t.graphql<{ autoSelectFlexOffers: { id: string; activationFactor: number; offer: { id: string } }[] }>(AUTO_SELECT, {
      key: f.dsoKey,
      variables: { id: requestId },
    });
    expect(body.errors).toBeUndefined();
    const orders = body.data!.autoSelectFlexOffers.map((order) => [order.offer.id, order.activationFactor]);
    expect(orders).toEqual([
      [cheap, 1],
      [rivals, 1],
      [dear, expect.closeTo(2.9 / 6, 12)],
    ]);
    expect(await sufficiency(requestId)).toEqual([
      [10, 0],
      [10, 0],
    ]);
  });

  it("covers a request made from a need (minKw = maxKw) whenever sufficiency shows no shortfall, going past an ISP's maxKw", async () => {
    // The walkthrough, by hand: each retailer offers min(maxKw, its availability) per ISP. cheap
    // (the retailer, 0.10) fills ISP_2's 5 kW and leaves ISP_1 0.6 kW short; the rival's (0.20,
    // 3.7 kW in each) covers it at 0.6 / 3.7, taking ISP_2 to 5.6 kW: one factor for both ISPs.
    const requestId = await f.createRequest([
      { startMs: ISP_1(), minKw: 10, maxKw: 10 },
      { startMs: ISP_2(), minKw: 5, maxKw: 5 },
    ]);
    const cheap = await offer(f.retailer, requestId, [9.4, 5], 0.1);
    const rivals = await offer(f.rival, requestId, 3.7, 0.2);
    expect(await sufficiency(requestId)).toEqual([
      [13.1, 0],
      [8.7, 0],
    ]);
    const { body } = await t.graphql<{ autoSelectFlexOffers: { id: string; activationFactor: number; offer: { id: string } }[] }>(AUTO_SELECT, {
      key: f.dsoKey,
      variables: { id: requestId },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.autoSelectFlexOffers.map((order) => [order.offer.id, order.activationFactor])).toEqual([
      [cheap, 1],
      [rivals, expect.closeTo(0.6 / 3.7, 12)],
    ]);
    expect(await sufficiency(requestId)).toEqual([
      [10, 0],
      [5.6, 0],
    ]);
  });

  it('refuses, ordering nothing, when the open offers cannot cover the minimum, naming the shortfall', async () => {
    const requestId = await request(20, 20);
    await offer(f.retailer, requestId, 9.4, 0.1);
    await offer(f.rival, requestId, 3.7, 0.2);
    const before = await latestOutboxId(t.database.handle.pool);
    const { body } = await t.graphql(AUTO_SELECT, { key: f.dsoKey, variables: { id: requestId } });
    expect([codes(body), body.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], `the open offers cannot cover the request's minimum: at ${iso(ISP_1())} they fall 6.9 kW short of 20 kW`]);
    expect(await ordersInDb(requestId)).toBe(0);
    expect(await latestOutboxId(t.database.handle.pool)).toBe(before);
  });
});

describe('reading orders', () => {
  it('gives an order to the DSO and its offerer, and is NOT_FOUND for another retailer', async () => {
    const requestId = await request(5, 12);
    const order = await ordered(await offer(f.retailer, requestId, 1));
    const read = (key: string) => t.graphql<{ flexOrder: { id: string } }>(`query($id: ID!) { flexOrder(id: $id) { id } }`, { key, variables: { id: order.id } });
    expect((await read(f.dsoKey)).body.data?.flexOrder).toEqual({ id: order.id });
    expect((await read(f.retailer.key)).body.data?.flexOrder).toEqual({ id: order.id });
    expect(codes((await read(f.rival.key)).body)).toEqual(['NOT_FOUND']);
    const listed = await t.graphql<{ flexRequest: { orders: { id: string }[] } }>(`query($id: ID!) { flexRequest(id: $id) { orders { id } } }`, { key: f.rival.key, variables: { id: requestId } });
    expect(listed.body.data!.flexRequest.orders).toEqual([]);
  });

  it("lists the caller's orders newest first, by status, page by page", async () => {
    const requestId = await request(5, 12);
    const first = await ordered(await offer(f.rival, requestId, 1));
    const second = await ordered(await offer(f.rival, requestId, 1));
    const retailers = await ordered(await offer(f.retailer, requestId, 1));
    const page = async (key: string, variables: Record<string, unknown>) => {
      const { body } = await t.graphql<{ flexOrders: { totalCount: number; edges: { node: { id: string; organisationId: string } }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }>(
        `query($status: FlexOrderStatus, $first: Int, $after: String) { flexOrders(status: $status, first: $first, after: $after) {
          totalCount edges { node { id organisationId } } pageInfo { endCursor hasNextPage } } }`,
        { key, variables },
      );
      expect(body.errors).toBeUndefined();
      return body.data!.flexOrders;
    };
    const countOf = async (where: string, values: unknown[] = []) => (await f.sql(`SELECT count(*)::int AS n FROM flexibility.flex_orders WHERE ${where}`, values)).rows[0]!.n;
    const one = await page(f.rival.key, { first: 1 });
    expect(one.totalCount).toBe(await countOf('organisation_id = $1', [f.rival.id]));
    expect([one.edges.map((edge) => edge.node.id), one.pageInfo.hasNextPage]).toEqual([[second.id], true]);
    expect(one.edges.map((edge) => edge.node.id)).not.toContain(retailers.id);
    const two = await page(f.rival.key, { first: 1, after: one.pageInfo.endCursor });
    expect(two.edges.map((edge) => edge.node.id)).toEqual([first.id]);
    const own = await page(f.rival.key, {});
    expect(new Set(own.edges.map((edge) => edge.node.organisationId))).toEqual(new Set([f.rival.id]));
    expect((await page(f.rival.key, { status: 'SETTLED' })).totalCount).toBe(0);
    const all = await page(f.dsoKey, { status: 'ORDERED' });
    expect(all.edges.slice(0, 3).map((edge) => edge.node.id)).toEqual([retailers.id, second.id, first.id]);
    expect(all.totalCount).toBe(await countOf(`status = 'ORDERED'`));
  });
});

describe('FLEX_ORDER events', () => {
  it('reach the DSO and the offerer over hubEvents, and another retailer none of them', async () => {
    const requestId = await request(5, 12);
    const offerId = await offer(f.retailer, requestId, 1);
    const rivalsOffer = await offer(f.rival, requestId, 1);
    const after = String(await latestOutboxId(t.database.handle.pool));
    const query = `subscription($after: ID) { hubEvents(types: [FLEX_ORDER], after: $after) { type flexOrder { id organisationId } } }`;
    type Data = { data: { hubEvents: { type: string; flexOrder: { id: string; organisationId: string } } } };
    const [dso, offerer, rival] = [f.dsoKey, f.retailer.key, f.rival.key].map((key) => subscribeOverWs<Data>(t.hub.url, key, query, { after }));
    try {
      const order = await ordered(offerId);
      // The rival's own order comes after: had the retailer's reached it, that would come first.
      const rivals = await ordered(rivalsOffer);
      expect([(await dso.next()).data.hubEvents.flexOrder.id, (await dso.next()).data.hubEvents.flexOrder.id]).toEqual([order.id, rivals.id]);
      expect((await offerer.next()).data.hubEvents.flexOrder).toEqual({ id: order.id, organisationId: f.retailer.id });
      expect((await rival.next()).data.hubEvents.flexOrder).toEqual({ id: rivals.id, organisationId: f.rival.id });
    } finally {
      await Promise.all([dso, offerer, rival].map((subscriber) => subscriber.dispose()));
    }
  });

  it('replay on flexOrders after an event id, one FLEX_ORDER ORDERED per order autoSelect places', async () => {
    const requestId = await request(4, 12);
    await offer(f.retailer, requestId, 3, 0.1);
    await offer(f.rival, requestId, 3, 0.2);
    const after = String(await latestOutboxId(t.database.handle.pool));
    const { body } = await t.graphql<{ autoSelectFlexOffers: { id: string; organisationId: string }[] }>(
      `mutation($id: ID!) { autoSelectFlexOffers(flexRequestId: $id) { id organisationId } }`,
      { key: f.dsoKey, variables: { id: requestId } },
    );
    expect(body.errors).toBeUndefined();
    const [retailers, rivals] = body.data!.autoSelectFlexOffers;
    expect([retailers!.organisationId, rivals!.organisationId]).toEqual([f.retailer.id, f.rival.id]);
    // Subscribed after the orders were placed: `after` replays them.
    const query = `subscription($after: ID) { flexOrders(after: $after) { eventId kind flexOrder { id } } }`;
    type Data = { data: { flexOrders: { eventId: string; kind: string; flexOrder: { id: string } } } };
    const dso = subscribeOverWs<Data>(t.hub.url, f.dsoKey, query, { after });
    const rival = subscribeOverWs<Data>(t.hub.url, f.rival.key, query, { after });
    try {
      const first = (await dso.next()).data.flexOrders;
      const second = (await dso.next()).data.flexOrders;
      expect([first.kind, first.flexOrder.id, second.kind, second.flexOrder.id]).toEqual(['ORDERED', retailers!.id, 'ORDERED', rivals!.id]);
      expect(Number(second.eventId)).toBeGreaterThan(Number(first.eventId));
      expect((await rival.next()).data.flexOrders).toEqual({ eventId: second.eventId, kind: 'ORDERED', flexOrder: { id: rivals!.id } });
    } finally {
      await Promise.all([dso.dispose(), rival.dispose()]);
    }
  });
});

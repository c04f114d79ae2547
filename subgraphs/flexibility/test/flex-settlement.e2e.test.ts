import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { hemsFixture, type HemsFixture, type TestHems } from '../../hems/test/shared-hems.fixture';
import { flexibilityNeedAt, ISP_1, ISP_2, marketFixture, type MarketFixture } from './flex-market.fixture';

/**
 * Activation reports and settlement through the gateway. Orders for past periods cannot be
 * placed through the API (requests are for ISPs ahead), so each test writes its request, offer,
 * order and the offerer's FLEX_ORDER commands (the order's HEMS) for a past period straight into
 * the database, ingests the readings through ingestReadings, and then reports, settles and reads
 * through the API. November 2026 is winter time: Lisbon's wall clock is UTC.
 */

let t: TestHub;
let f: HemsFixture;
let dsoKey: string;

const QUARTER_MS = 900_000;
const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

beforeAll(async () => {
  t = await startTestHub();
  f = await hemsFixture(t);
  dsoKey = f.dsoKey;
}, 60_000);
afterAll(() => t.stop());

const sql = (text: string, values: unknown[] = []) => t.database.handle.pool.query(text, values);

/** `count` HEMS of one retailer, none used by another test. */
async function hemsOfOneRetailer(count: number): Promise<TestHems[]> {
  const byRetailer = new Map<string, TestHems[]>();
  for (;;) {
    const hems = await f.sharedHems(0);
    const group = [...(byRetailer.get(hems.retailerId) ?? []), hems];
    if (group.length === count) return group;
    byRetailer.set(hems.retailerId, group);
  }
}

interface PastOrder {
  orderId: string;
  offerId: string;
  requestId: string;
  retailerId: string;
}

/**
 * A request on the first HEMS's feeder over `isps` (closed, its period over), the retailer's
 * offer of those kW at `price`, ordered at `factor`, and a FLEX_ORDER command of the retailer's
 * to each of `hems` for it: what orderFlex and issueHemsCommand would have left behind.
 */
async function pastOrder(options: { retailerId: string; hems: TestHems[]; isps: { start: string; kw: number }[]; price: number; factor: number; status?: string; feederId?: string }): Promise<PastOrder> {
  const id = randomUUID().slice(0, 8);
  const [requestId, offerId, orderId] = [`fr-t-${id}`, `fo-t-${id}`, `fx-t-${id}`];
  const starts = options.isps.map((isp) => at(isp.start));
  const [periodStart, periodEnd] = [Math.min(...starts), Math.max(...starts) + QUARTER_MS];
  const feederId = options.feederId ?? options.hems[0]?.feederId ?? t.parish.feeders[0]!.id;
  const substation = t.parish.feeders.find((feeder) => feeder.id === feederId)!.secondarySubstationId;
  await sql(
    `INSERT INTO flexibility.flex_requests (id, congestion_point_kind, congestion_point_id, secondary_substation_id, status, period_start, period_end, expires_at, closed_at, close_reason)
     VALUES ($1, 'FEEDER', $2, $3, 'CLOSED', $4, $5, $4, $5, 'PERIOD_ENDED')`,
    [requestId, feederId, substation, new Date(periodStart), new Date(periodEnd)],
  );
  await sql(`INSERT INTO flexibility.flex_request_recipients (request_id, organisation_id) VALUES ($1, $2)`, [requestId, options.retailerId]);
  await sql(
    `INSERT INTO flexibility.flex_offers (id, request_id, request_revision, organisation_id, status, price_eur_per_kwh, expires_at, idempotency_key, content_hash)
     VALUES ($1, $2, 1, $3, 'ORDERED', $4, $5, $1, 'test')`,
    [offerId, requestId, options.retailerId, options.price, new Date(periodStart)],
  );
  for (const isp of options.isps) {
    await sql(`INSERT INTO flexibility.flex_request_isps (request_id, start, min_kw, max_kw) VALUES ($1, $2, $3, $3)`, [requestId, new Date(isp.start), isp.kw]);
    await sql(`INSERT INTO flexibility.flex_offer_isps (offer_id, start, kw) VALUES ($1, $2, $3)`, [offerId, new Date(isp.start), isp.kw]);
  }
  await sql(`INSERT INTO flexibility.flex_orders (id, offer_id, request_id, organisation_id, status, activation_factor, ordered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    orderId,
    offerId,
    requestId,
    options.retailerId,
    options.status ?? 'ORDERED',
    options.factor,
    new Date(periodStart - HOUR_MS),
  ]);
  for (const hems of options.hems) {
    await sql(
      `INSERT INTO hems.commands (id, hems_id, kind, start, "end", reason, order_id, issuer_id, issued_by_key_id, issued_at, expires_at, status, executed_at)
       VALUES ($1, $2, 'SHIFT', $3, $4, 'FLEX_ORDER', $5, $6, 'test', $7, $3, 'EXECUTED', $7)`,
      [`hc-t-${randomUUID()}`, hems.hemsId, new Date(periodStart), new Date(periodEnd), orderId, options.retailerId, new Date(periodStart - HOUR_MS / 2)],
    );
  }
  return { orderId, offerId, requestId, retailerId: options.retailerId };
}

/** A contracted-power order on the HEMS's point over [start, expectedEnd), RESTORED or CANCELLED at `endedAt`. */
async function emergencyOrderOn(hems: TestHems, status: 'RESTORED' | 'CANCELLED', start: string, expectedEnd: string, endedAt: string): Promise<void> {
  const id = `cpo-t-${randomUUID()}`;
  await sql(
    `INSERT INTO flexibility.contracted_power_orders (id, status, reduction_percent, start, expected_end, reason, area, restored_at, cancelled_at)
     VALUES ($1, $2, 30, $3, $4, 'settlement test', '{}', $5, $6)`,
    [id, status, new Date(start), new Date(expectedEnd), status === 'RESTORED' ? new Date(endedAt) : null, status === 'CANCELLED' ? new Date(endedAt) : null],
  );
  await sql(`INSERT INTO flexibility.contracted_power_order_points (order_id, metering_point_id, retailer_id, contracted_power_kva, temporary_max_power_kw) VALUES ($1, $2, $3, 6.9, 4.83)`, [
    id,
    hems.pointId,
    hems.retailerId,
  ]);
}

/** Ingests import readings (Wh) per point and instant. */
async function ingest(readings: Record<string, Record<string, number>>): Promise<void> {
  const rows = Object.entries(readings).flatMap(([meteringPointId, byInstant]) =>
    Object.entries(byInstant).map(([intervalStart, importWh]) => ({ meteringPointId, intervalStart: iso(at(intervalStart)), importWh, exportWh: 0 })),
  );
  const { body } = await t.graphql<{ ingestReadings: { inserted: number } }>(`mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`, {
    key: dsoKey,
    variables: { input: { idempotencyKey: `settlement-${randomUUID()}`, readings: rows } },
  });
  expect(body.errors).toBeUndefined();
}

/** Two points' readings at 18:00 and 18:15 of each day, as [A 18:00, A 18:15, B 18:00, B 18:15]. */
function evenings(a: string, b: string, days: Record<string, [number, number, number, number]>): Record<string, Record<string, number>> {
  const readings: Record<string, Record<string, number>> = { [a]: {}, [b]: {} };
  for (const [day, [a0, a1, b0, b1]] of Object.entries(days)) {
    Object.assign(readings[a]!, { [`${day}T18:00:00Z`]: a0, [`${day}T18:15:00Z`]: a1 });
    Object.assign(readings[b]!, { [`${day}T18:00:00Z`]: b0, [`${day}T18:15:00Z`]: b1 });
  }
  return readings;
}

const SETTLE = `mutation($day: String!) { settleFlexOrders(day: $day) { settled unsettledOrderIds } }`;
const SETTLEMENT = `query($id: ID!) { flexOrder(id: $id) { id status settledAt settlement { baselineDays meteringPointIds amountEur isps { start baselineKw orderedKw actualKw deliveredKw deficiencyKw } } } }`;
interface SettlementData {
  flexOrder: {
    status: string;
    settledAt: string | null;
    settlement: { baselineDays: string[]; meteringPointIds: string[]; amountEur: number; isps: Record<string, number | string>[] } | null;
  } | null;
}

async function settle(day: string): Promise<{ settled: number; unsettledOrderIds: string[] }> {
  const { body } = await t.graphql<{ settleFlexOrders: { settled: number; unsettledOrderIds: string[] } }>(SETTLE, { key: dsoKey, variables: { day } });
  expect(body.errors).toBeUndefined();
  return body.data!.settleFlexOrders;
}

async function settledEvents(orderId: string): Promise<{ kind: string; audience: string[] }[]> {
  const { rows } = await sql(`SELECT payload->>'kind' AS kind, audience FROM hub.outbox WHERE type = 'FLEX_ORDER' AND payload->>'flexOrderId' = $1 ORDER BY id`, [orderId]);
  return rows;
}

describe('settling a day of orders', () => {
  it('settles a working-day order from its HEMS points against the five latest clean working days, as worked by hand', async () => {
    const [a, b] = await hemsOfOneRetailer(2);
    const retailerId = a!.retailerId;
    const order = await pastOrder({
      retailerId,
      hems: [a!, b!],
      isps: [
        { start: '2026-11-18T18:00:00Z', kw: 2 },
        { start: '2026-11-18T18:15:00Z', kw: 1.5 },
      ],
      price: 0.2,
      factor: 0.5,
    });
    // Monday 16th is an activation day: another order of the retailer's on point B had an ISP then.
    await pastOrder({ retailerId, hems: [b!], isps: [{ start: '2026-11-16T19:00:00Z', kw: 1 }], price: 0.1, factor: 1, status: 'SETTLED' });
    const readings = evenings(a!.pointId, b!.pointId, {
      '2026-11-18': [300, 500, 100, 350],
      '2026-11-17': [500, 600, 250, 300],
      '2026-11-16': [900, 900, 900, 900],
      '2026-11-15': [900, 900, 900, 900],
      '2026-11-14': [900, 900, 900, 900],
      '2026-11-13': [500, 580, 300, 300],
      '2026-11-12': [900, 900, 900, 900],
      '2026-11-11': [450, 620, 250, 300],
      '2026-11-10': [500, 600, 260, 300],
      '2026-11-09': [490, 605, 250, 300],
      '2026-11-06': [900, 900, 900, 900],
    });
    // Thursday 12th lacks point B's 18:15 reading: it does not count.
    delete readings[b!.pointId]!['2026-11-12T18:15:00Z'];
    await ingest(readings);

    expect(await settle('2026-11-18')).toEqual({ settled: 1, unsettledOrderIds: [] });
    const offerer = await f.keyFor('retailer', retailerId);
    const { body } = await t.graphql<SettlementData>(SETTLEMENT, { key: offerer, variables: { id: order.orderId } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.flexOrder).toMatchObject({ status: 'SETTLED', settledAt: expect.any(String) });
    // 18:00: baseline (750 + 800 + 700 + 760 + 740) / 5 Wh = 3 kW, actual 400 Wh = 1.6 kW, delivered 1.4 of
    // the 1 kW ordered (2 × 0.5): 1 kW × 0.25 h × 0.20 EUR = 0.05 EUR. 18:15: baseline 901 Wh = 3.604 kW,
    // actual 850 Wh = 3.4 kW, delivered 0.204 of 0.75 kW: + 0.0102 EUR − 0.546 × 0.25 × 0.2 = 0.0273 EUR.
    expect(body.data!.flexOrder!.settlement).toEqual({
      baselineDays: ['2026-11-17', '2026-11-13', '2026-11-11', '2026-11-10', '2026-11-09'],
      meteringPointIds: [a!.pointId, b!.pointId].sort(),
      amountEur: 0.0329,
      isps: [
        { start: '2026-11-18T18:00:00.000Z', baselineKw: 3, orderedKw: 1, actualKw: 1.6, deliveredKw: 1.4, deficiencyKw: 0 },
        { start: '2026-11-18T18:15:00.000Z', baselineKw: 3.604, orderedKw: 0.75, actualKw: 3.4, deliveredKw: 0.204, deficiencyKw: 0.546 },
      ],
    });
    expect(await settledEvents(order.orderId)).toEqual([{ kind: 'SETTLED', audience: [retailerId] }]);

    // The DSO reads the same; each point the settlement named is logged for whoever read it.
    const asDso = await t.graphql<SettlementData>(SETTLEMENT, { key: dsoKey, variables: { id: order.orderId } });
    expect(asDso.body.data!.flexOrder!.settlement!.amountEur).toBe(0.0329);
    const { rows } = await sql(`SELECT organisation_id, metering_point_id FROM hub.access_log WHERE resource = 'flexOrder.settlement' ORDER BY 1, 2`);
    expect(rows).toEqual(
      ['dso', retailerId].sort().flatMap((organisation) => [a!.pointId, b!.pointId].sort().map((point) => ({ organisation_id: organisation, metering_point_id: point }))),
    );
    // Settling the day again changes nothing: the order is SETTLED.
    expect(await settle('2026-11-18')).toEqual({ settled: 0, unsettledOrderIds: [] });
    expect(await settledEvents(order.orderId)).toHaveLength(1);
  });

  it('skips a day on which a contracted-power order capped one of the points, as it skips a flex order\'s', async () => {
    const [a, b] = await hemsOfOneRetailer(2);
    const order = await pastOrder({ retailerId: a!.retailerId, hems: [a!, b!], isps: [{ start: '2026-11-25T18:00:00Z', kw: 1 }, { start: '2026-11-25T18:15:00Z', kw: 1 }], price: 0.1, factor: 1 });
    // Tuesday 24th evening: point A capped by an emergency order, restored at 19:00. A cancelled
    // one caps nothing: Monday 23rd stays a baseline day for point B.
    await emergencyOrderOn(a!, 'RESTORED', '2026-11-24T17:30:00Z', '2026-11-24T21:00:00Z', '2026-11-24T19:00:00Z');
    await emergencyOrderOn(b!, 'CANCELLED', '2026-11-23T17:30:00Z', '2026-11-23T21:00:00Z', '2026-11-23T17:30:00Z');
    await ingest(
      evenings(a!.pointId, b!.pointId, {
        '2026-11-25': [100, 100, 100, 100],
        '2026-11-24': [200, 200, 200, 200],
        '2026-11-23': [300, 300, 300, 300],
        '2026-11-20': [400, 400, 400, 400],
      }),
    );
    expect(await settle('2026-11-25')).toEqual({ settled: 1, unsettledOrderIds: [] });
    const { body } = await t.graphql<SettlementData>(SETTLEMENT, { key: dsoKey, variables: { id: order.orderId } });
    // Baseline (600 + 800) / 2 Wh per quarter-hour of both points = 2.8 kW; without the skip it would be 2.4.
    expect(body.data!.flexOrder!.settlement).toMatchObject({ baselineDays: ['2026-11-23', '2026-11-20'], isps: [{ baselineKw: 2.8 }, { baselineKw: 2.8 }] });
  });

  it('takes a Saturday order\'s baseline from Saturdays, Sundays and holidays only', async () => {
    const [a, b] = await hemsOfOneRetailer(2);
    const order = await pastOrder({ retailerId: a!.retailerId, hems: [a!, b!], isps: [{ start: '2026-11-21T18:00:00Z', kw: 1 }], price: 0.1, factor: 1 });
    await ingest(
      evenings(a!.pointId, b!.pointId, {
        '2026-11-21': [200, 0, 200, 0],
        '2026-11-20': [900, 0, 900, 0],
        '2026-11-19': [900, 0, 900, 0],
        '2026-11-15': [300, 0, 200, 0],
        '2026-11-14': [400, 0, 300, 0],
      }),
    );
    expect(await settle('2026-11-21')).toEqual({ settled: 1, unsettledOrderIds: [] });
    const { body } = await t.graphql<SettlementData>(SETTLEMENT, { key: dsoKey, variables: { id: order.orderId } });
    // Baseline (500 + 700) / 2 Wh = 2.4 kW; actual 400 Wh = 1.6 kW; 0.8 of 1 kW delivered: 0.8 × 0.25 × 0.1 − 0.2 × 0.25 × 0.1 EUR.
    expect(body.data!.flexOrder!.settlement).toMatchObject({
      baselineDays: ['2026-11-15', '2026-11-14'],
      amountEur: 0.015,
      isps: [{ baselineKw: 2.4, actualKw: 1.6, deliveredKw: 0.8, deficiencyKw: 0.2 }],
    });
  });

  it('leaves an order with fewer than two baseline days unsettled, with no event, and settles it once the readings are in', async () => {
    const [a, b] = await hemsOfOneRetailer(2);
    const order = await pastOrder({ retailerId: a!.retailerId, hems: [a!, b!], isps: [{ start: '2026-11-19T18:00:00Z', kw: 1 }], price: 0.1, factor: 1 });
    await ingest(evenings(a!.pointId, b!.pointId, { '2026-11-19': [100, 0, 100, 0], '2026-11-18': [300, 0, 300, 0] }));
    expect(await settle('2026-11-19')).toEqual({ settled: 0, unsettledOrderIds: [order.orderId] });
    const { body } = await t.graphql<SettlementData>(SETTLEMENT, { key: dsoKey, variables: { id: order.orderId } });
    expect(body.data!.flexOrder).toMatchObject({ status: 'ORDERED', settlement: null });
    expect(await settledEvents(order.orderId)).toEqual([]);

    await ingest(evenings(a!.pointId, b!.pointId, { '2026-11-17': [200, 0, 200, 0] }));
    expect(await settle('2026-11-19')).toEqual({ settled: 1, unsettledOrderIds: [] });
    const settled = await t.graphql<SettlementData>(SETTLEMENT, { key: dsoKey, variables: { id: order.orderId } });
    expect(settled.body.data!.flexOrder!.settlement).toMatchObject({ baselineDays: ['2026-11-18', '2026-11-17'], isps: [{ baselineKw: 2, actualKw: 0.8, deliveredKw: 1.2, deficiencyKw: 0 }] });
  });

  it('settles an order its offerer never commanded a HEMS for: nothing delivered, all of it charged back', async () => {
    const [a] = await hemsOfOneRetailer(1);
    const order = await pastOrder({ retailerId: a!.retailerId, hems: [], feederId: a!.feederId, isps: [{ start: '2026-11-20T10:00:00Z', kw: 4 }], price: 0.25, factor: 1 });
    expect(await settle('2026-11-20')).toEqual({ settled: 1, unsettledOrderIds: [] });
    const { body } = await t.graphql<SettlementData>(SETTLEMENT, { key: dsoKey, variables: { id: order.orderId } });
    expect(body.data!.flexOrder!.settlement).toEqual({
      baselineDays: [],
      meteringPointIds: [],
      amountEur: -0.25,
      isps: [{ start: '2026-11-20T10:00:00.000Z', baselineKw: 0, orderedKw: 4, actualKw: 0, deliveredKw: 0, deficiencyKw: 4 }],
    });
  });

  it('refuses a day that is not a calendar date, and a retailer', async () => {
    const { body } = await t.graphql(SETTLE, { key: dsoKey, variables: { day: '2026-11-31' } });
    expect(body.errors?.[0]).toMatchObject({ message: 'day 2026-11-31 is not a calendar date', extensions: { code: 'BAD_USER_INPUT' } });
    const retailer = await f.keyFor('retailer', t.parish.organisations.find((org) => org.kind === 'retailer')!.id);
    expect((await t.graphql(SETTLE, { key: retailer, variables: { day: '2026-11-18' } })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

const REPORT = `mutation($input: ReportActivationInput!) { reportActivation(input: $input) { id status activatedAt activations { start hemsId kw } } }`;

describe('reporting an activation', () => {
  async function orderToReport() {
    const [a, b] = await hemsOfOneRetailer(2);
    const order = await pastOrder({
      retailerId: a!.retailerId,
      hems: [a!],
      isps: [
        { start: '2026-11-24T18:00:00Z', kw: 2 },
        { start: '2026-11-24T18:15:00Z', kw: 2 },
      ],
      price: 0.1,
      factor: 0.5,
    });
    return { order, a: a!, b: b!, key: await f.keyFor('retailer', a!.retailerId) };
  }

  async function written(orderId: string) {
    const { rows } = await sql(
      `SELECT (SELECT count(*)::int FROM flexibility.flex_activations WHERE order_id = $1) AS activations,
              (SELECT count(*)::int FROM hub.outbox WHERE type = 'FLEX_ORDER' AND payload->>'flexOrderId' = $1) AS events,
              (SELECT status::text FROM flexibility.flex_orders WHERE id = $1) AS status`,
      [orderId],
    );
    return rows[0];
  }

  it("stores the offerer's report on its HEMS, activates the order and pushes it; a later report of the same HEMS and ISP replaces it", async () => {
    const { order, a, key } = await orderToReport();
    const first = await t.graphql<{ reportActivation: { status: string; activatedAt: string; activations: unknown[] } }>(REPORT, {
      key,
      variables: { input: { orderId: order.orderId, isps: [{ hemsId: a.hemsId, start: '2026-11-24T18:00:00Z', kw: 0.6 }] } },
    });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.reportActivation).toMatchObject({ status: 'ACTIVATED', activatedAt: expect.any(String), activations: [{ start: '2026-11-24T18:00:00.000Z', hemsId: a.hemsId, kw: 0.6 }] });
    const again = await t.graphql<{ reportActivation: { activatedAt: string; activations: unknown[] } }>(REPORT, {
      key,
      variables: {
        input: {
          orderId: order.orderId,
          isps: [
            { hemsId: a.hemsId, start: '2026-11-24T18:00:00Z', kw: 0.8 },
            { hemsId: a.hemsId, start: '2026-11-24T18:15:00Z', kw: 0.7 },
          ],
        },
      },
    });
    expect(again.body.data!.reportActivation).toEqual({
      id: order.orderId,
      status: 'ACTIVATED',
      activatedAt: first.body.data!.reportActivation.activatedAt,
      activations: [
        { start: '2026-11-24T18:00:00.000Z', hemsId: a.hemsId, kw: 0.8 },
        { start: '2026-11-24T18:15:00.000Z', hemsId: a.hemsId, kw: 0.7 },
      ],
    });
    expect(await settledEvents(order.orderId)).toEqual([
      { kind: 'ACTIVATED', audience: [order.retailerId] },
      { kind: 'ACTIVATED', audience: [order.retailerId] },
    ]);

    // The DSO reads every offerer's reports as one feedback per ISP; nobody else may.
    const FEEDBACK = `query($id: ID!) { flexRequest(id: $id) { activation { start orderedKw reportedKw hemsCount } } }`;
    const feedback = await t.graphql<{ flexRequest: { activation: unknown[] } }>(FEEDBACK, { key: dsoKey, variables: { id: order.requestId } });
    expect(feedback.body.data!.flexRequest.activation).toEqual([
      { start: '2026-11-24T18:00:00.000Z', orderedKw: 1, reportedKw: 0.8, hemsCount: 1 },
      { start: '2026-11-24T18:15:00.000Z', orderedKw: 1, reportedKw: 0.7, hemsCount: 1 },
    ]);
    const refused = await t.graphql(FEEDBACK, { key, variables: { id: order.requestId } });
    expect(refused.body.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['flexRequest', 'activation']]]);

    // The chain goes on to the HEMS commands, which the HEMS subgraph shows their sender.
    const commands = await t.graphql<{ flexOrder: { hemsCommands: { id: string; reason: string; orderId: string }[] } }>(
      `query($id: ID!) { flexOrder(id: $id) { hemsCommands { id reason orderId } } }`,
      { key, variables: { id: order.orderId } },
    );
    expect(commands.body.errors).toBeUndefined();
    expect(commands.body.data!.flexOrder.hemsCommands).toEqual([{ id: expect.any(String), reason: 'FLEX_ORDER', orderId: order.orderId }]);
    // The DSO reads it too: a command sent for a flex order is the link from its order to the household it settles (the HEMS subgraph's rule).
    const linked = await t.graphql<{ flexOrder: { hemsCommands: ({ id: string } | null)[] } }>(`query($id: ID!) { flexOrder(id: $id) { hemsCommands { id reason orderId } } }`, {
      key: dsoKey,
      variables: { id: order.orderId },
    });
    expect(linked.body.data!.flexOrder).toEqual(commands.body.data!.flexOrder);
  });

  it('refuses, writing nothing and pushing nothing, another organisation, a HEMS not in the order, an ISP outside it and a kW out of range', async () => {
    const { order, a, b, key } = await orderToReport();
    const report = (asKey: string, isps: Record<string, unknown>[]) => t.graphql(REPORT, { key: asKey, variables: { input: { orderId: order.orderId, isps } } });
    const entry = { hemsId: a.hemsId, start: '2026-11-24T18:00:00Z', kw: 1 };

    const other = await f.keyFor('retailer', f.otherRetailer(order.retailerId));
    expect((await report(other, [entry])).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await t.graphql(REPORT, { key, variables: { input: { orderId: 'fx-none', isps: [entry] } } })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const cases: [Record<string, unknown>[], string][] = [
      [[{ ...entry, hemsId: b.hemsId }], `HEMS ${b.hemsId} is not in order ${order.orderId}: hold a load of it off for the order first (a FLEX_ORDER SHIFT or CURTAIL)`],
      [[{ ...entry, start: '2026-11-24T18:30:00Z' }], 'ISP 2026-11-24T18:30:00.000Z is outside the order'],
      [[{ ...entry, kw: -1 }], `kw -1 of HEMS ${a.hemsId} at 2026-11-24T18:00:00.000Z must be between 0 and 1000`],
      [[{ ...entry, kw: 1_001 }], `kw 1001 of HEMS ${a.hemsId} at 2026-11-24T18:00:00.000Z must be between 0 and 1000`],
      [[entry, entry], `HEMS ${a.hemsId} at 2026-11-24T18:00:00.000Z is reported twice`],
      [[], 'report at least one ISP'],
    ];
    for (const [isps, message] of cases) {
      const { body } = await report(key, isps);
      expect(body.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT', field: 'isps' } });
    }
    expect(await written(order.orderId)).toEqual({ activations: 0, events: 0, status: 'ORDERED' });
  });

  it('refuses a report on a settled or cancelled order as a CONFLICT', async () => {
    const [a] = await hemsOfOneRetailer(1);
    for (const status of ['SETTLED', 'CANCELLED']) {
      const order = await pastOrder({ retailerId: a!.retailerId, hems: [a!], isps: [{ start: '2026-11-25T18:00:00Z', kw: 1 }], price: 0.1, factor: 1, status });
      const { body } = await t.graphql(REPORT, {
        key: await f.keyFor('retailer', a!.retailerId),
        variables: { input: { orderId: order.orderId, isps: [{ hemsId: a!.hemsId, start: '2026-11-25T18:00:00Z', kw: 1 }] } },
      });
      expect(body.errors?.[0]).toMatchObject({ message: `order ${order.orderId} is ${status}: it takes no more activation reports`, extensions: { code: 'CONFLICT' } });
      expect(await written(order.orderId)).toEqual({ activations: 0, events: 0, status });
    }
  });
});

describe('a FLEX_ORDER command to a HEMS', () => {
  const ISSUE = `mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { id orderId } }`;

  /** An order of the retailer's on the feeder, ordered on an open request over tomorrow's 18:00-19:00. */
  async function openOrderOn(retailerId: string, feederId: string): Promise<{ orderId: string; startMs: number }> {
    const startMs = Math.ceil((Date.now() + 24 * HOUR_MS) / QUARTER_MS) * QUARTER_MS;
    const order = await pastOrder({ retailerId, hems: [], feederId, isps: [0, 1, 2, 3].map((q) => ({ start: iso(startMs + q * QUARTER_MS), kw: 1 })), price: 0.1, factor: 1 });
    await sql(`UPDATE flexibility.flex_requests SET status = 'OPEN', closed_at = NULL, close_reason = NULL, expires_at = $2 WHERE id = $1`, [order.requestId, new Date(startMs)]);
    return { orderId: order.orderId, startMs };
  }

  it('is taken for an open order of the sender covering the HEMS, inside its period, and refused otherwise', async () => {
    const hems = await f.sharedHems(0);
    const key = await f.keyFor('retailer', hems.retailerId);
    const { orderId, startMs } = await openOrderOn(hems.retailerId, hems.feederId);
    const command = (overrides: Record<string, unknown>) =>
      t.graphql<{ issueHemsCommand: { orderId: string } }>(ISSUE, {
        key,
        variables: { input: { hemsId: hems.hemsId, kind: 'RESTORE', start: iso(startMs), end: iso(startMs + HOUR_MS), reason: 'FLEX_ORDER', orderId, ...overrides } },
      });
    const taken = await command({});
    expect(taken.body.errors).toBeUndefined();
    expect(taken.body.data!.issueHemsCommand.orderId).toBe(orderId);

    const { rows: [before] } = await sql(`SELECT count(*)::int AS n FROM hems.commands WHERE reason = 'FLEX_ORDER'`);
    // An order on another feeder (not covering the HEMS), another retailer's order, one that does not exist.
    const elsewhere = t.parish.feeders.find((feeder) => feeder.id !== hems.feederId)!;
    const foreign = await openOrderOn(hems.retailerId, elsewhere.id);
    const others = await openOrderOn(f.otherRetailer(hems.retailerId), hems.feederId);
    for (const id of [foreign.orderId, others.orderId, 'fx-none']) {
      const { body } = await command({ orderId: id });
      expect(body.errors?.[0]).toMatchObject({
        // A RESTORE, and the sender held the HEMS off for none of these orders.
        message: `no flex order ${id} of yours, ordered or activated on an open request, covers this HEMS's metering point, and you sent this HEMS no SHIFT or CURTAIL for it to restore`,
        extensions: { code: 'BAD_USER_INPUT', field: 'orderId' },
      });
    }
    // A window reaching past the order's period.
    const late = await command({ end: iso(startMs + HOUR_MS + QUARTER_MS) });
    expect(late.body.errors?.[0]).toMatchObject({ message: expect.stringContaining(`must lie within flex order ${orderId}'s period`), extensions: { code: 'BAD_USER_INPUT', field: 'start' } });
    const { rows: [after] } = await sql(`SELECT count(*)::int AS n FROM hems.commands WHERE reason = 'FLEX_ORDER'`);
    expect(after).toEqual(before);
  });
});

describe('the chain the DSO walks', () => {
  it("reads in one query a settled order's whole chain: the need, its request, the offers, the order's HEMS commands, activations and settlement", async () => {
    const [a, b] = await hemsOfOneRetailer(2);
    const retailerId = a!.retailerId;
    const isps = [
      { start: '2026-11-26T18:00:00Z', kw: 2 },
      { start: '2026-11-26T18:15:00Z', kw: 2 },
    ];
    const feeder = t.parish.feeders.find((candidate) => candidate.id === a!.feederId)!;
    const needId = await flexibilityNeedAt(t, { feederId: feeder.id, secondarySubstationId: feeder.secondarySubstationId }, isps.map((isp) => ({ startMs: at(isp.start), kw: isp.kw })));
    // The request answered that need (createFlexRequest's needId); its order commanded both HEMS.
    const order = await pastOrder({ retailerId, hems: [a!, b!], isps, price: 0.2, factor: 1 });
    await sql(`UPDATE flexibility.flex_requests SET need_id = $2 WHERE id = $1`, [order.requestId, needId]);
    await ingest(evenings(a!.pointId, b!.pointId, { '2026-11-26': [200, 200, 100, 100], '2026-11-25': [500, 500, 300, 300], '2026-11-24': [600, 600, 300, 300] }));
    const reported = await t.graphql(REPORT, { key: await f.keyFor('retailer', retailerId), variables: { input: { orderId: order.orderId, isps: [{ hemsId: a!.hemsId, start: isps[0]!.start, kw: 1.2 }] } } });
    expect(reported.body.errors).toBeUndefined();
    expect(await settle('2026-11-26')).toEqual({ settled: 1, unsettledOrderIds: [] });
    const { rows: commands } = await sql(`SELECT id FROM hems.commands WHERE order_id = $1`, [order.orderId]);
    expect(commands).toHaveLength(2);

    type Chain = { flexRequest: { needId: string; offers: { id: string }[]; orders: { hemsCommands: { id: string; kind: string; status: string }[]; activations: unknown[]; settlement: unknown }[] } };
    const { body } = await t.graphql<Chain>(
      `query($id: ID!) { flexRequest(id: $id) { needId offers { id } orders { hemsCommands { id kind status } activations { hemsId kw } settlement { baselineDays } } } }`,
      { key: dsoKey, variables: { id: order.requestId } },
    );
    expect(body.errors).toBeUndefined();
    const [placed] = body.data!.flexRequest.orders;
    expect({ ...body.data!.flexRequest, orders: [{ ...placed!, hemsCommands: [...placed!.hemsCommands].sort((x, y) => x.id.localeCompare(y.id)) }] }).toEqual({
      needId,
      offers: [{ id: order.offerId }],
      orders: [
        {
          hemsCommands: commands.map((row) => String(row.id)).sort().map((id) => ({ id, kind: 'SHIFT', status: 'EXECUTED' })),
          activations: [{ hemsId: a!.hemsId, kw: 1.2 }],
          // The two working days before, newest first: both clean and metered.
          settlement: { baselineDays: ['2026-11-25', '2026-11-24'] },
        },
      ],
    });
  });
});

describe('the chain through the API', () => {
  // Last: the market fixture takes the seed's HEMS offline, so that only its own offer.
  let m: MarketFixture;
  beforeAll(async () => {
    m = await marketFixture(t);
  });

  it("takes reports on the HEMS the offerer commanded for the order it was given, and only those, into the DSO's feedback", async () => {
    const requestId = await m.createRequest([
      { startMs: ISP_1(), minKw: 1, maxKw: 10 },
      { startMs: ISP_2(), minKw: 1, maxKw: 10 },
    ]);
    const offered = await t.graphql<{ submitFlexOffer: { id: string } }>(`mutation($input: SubmitFlexOfferInput!) { submitFlexOffer(input: $input) { id } }`, {
      key: m.retailer.key,
      variables: {
        input: {
          flexRequestId: requestId,
          isps: [
            { start: iso(ISP_1()), kw: 4 },
            { start: iso(ISP_2()), kw: 4 },
          ],
          priceEurPerKwh: 0.2,
          expiresAt: iso(Date.now() + 1_800_000),
          idempotencyKey: 'chain-offer',
        },
      },
    });
    expect(offered.body.errors).toBeUndefined();
    const order = await t.graphql<{ orderFlex: { id: string } }>(`mutation($input: OrderFlexInput!) { orderFlex(input: $input) { id } }`, {
      key: m.dsoKey,
      variables: { input: { offerId: offered.body.data!.submitFlexOffer.id, activationFactor: 0.5 } },
    });
    expect(order.body.errors).toBeUndefined();
    const orderId = order.body.data!.orderFlex.id;

    // The retailer's two HEMS behind the feeder (the fixture's): it commands one of them for the order.
    const { rows } = await m.sql(
      `SELECT h.id FROM hems.systems h JOIN hub.consents c ON c.metering_point_id = h.metering_point_id
       WHERE h.id LIKE 'FM-%' AND c.id LIKE 'test-market-%' AND c.organisation_id = $1 ORDER BY 1`,
      [m.retailer.id],
    );
    expect(rows).toHaveLength(2);
    const [commanded, idle] = rows.map((row) => String(row.id));
    const device = await m.sql(`SELECT id FROM hems.devices WHERE hems_id = $1 AND controllable AND kind <> 'PV_INVERTER' ORDER BY id LIMIT 1`, [commanded]);
    const command = await t.graphql(`mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { id } }`, {
      key: m.retailer.key,
      variables: { input: { hemsId: commanded, deviceId: device.rows[0]!.id, kind: 'SHIFT', start: iso(ISP_1()), end: iso(ISP_2() + QUARTER_MS), reason: 'FLEX_ORDER', orderId } },
    });
    expect(command.body.errors).toBeUndefined();

    // A report waits for its ISP's end: the ISPs are moved two days back, as if they had run.
    const ranMs = (startMs: number) => startMs - 2 * 86_400_000;
    await m.sql(`UPDATE flexibility.flex_offer_isps SET start = start - interval '2 days' WHERE offer_id = $1`, [offered.body.data!.submitFlexOffer.id]);
    await m.sql(`UPDATE flexibility.flex_request_isps SET start = start - interval '2 days' WHERE request_id = $1`, [requestId]);
    const report = (hemsId: string) =>
      t.graphql<{ reportActivation: { status: string } }>(REPORT, { key: m.retailer.key, variables: { input: { orderId, isps: [{ hemsId, start: iso(ranMs(ISP_1())), kw: 1.5 }] } } });
    expect((await report(idle!)).body.errors?.[0]?.message).toBe(`HEMS ${idle} is not in order ${orderId}: hold a load of it off for the order first (a FLEX_ORDER SHIFT or CURTAIL)`);
    expect((await report(commanded!)).body.data?.reportActivation.status).toBe('ACTIVATED');

    const feedback = await t.graphql<{ flexRequest: { activation: unknown[] } }>(`query($id: ID!) { flexRequest(id: $id) { activation { start orderedKw reportedKw hemsCount } } }`, {
      key: m.dsoKey,
      variables: { id: requestId },
    });
    expect(feedback.body.data!.flexRequest.activation).toEqual([
      { start: iso(ranMs(ISP_1())), orderedKw: 2, reportedKw: 1.5, hemsCount: 1 },
      { start: iso(ranMs(ISP_2())), orderedKw: 2, reportedKw: 0, hemsCount: 0 },
    ]);
  });
});


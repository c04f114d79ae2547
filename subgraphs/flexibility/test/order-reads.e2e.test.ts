import { latestOutboxId } from '../../kit/outbox-tail';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs } from '../../../tools/testing/ws-subscriber';

/**
 * What reading a contracted-power order takes and leaves behind: compliance is meter data (it
 * takes metering:read, not only flex:read), and the access log gets one line per point whose
 * personal data a field returned, for the fields asked for only, once.
 */

let t: TestHub;
let dsoKey: string;

const QUARTER_MS = 900_000;
const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Point = TestHub['parish']['meteringPoints'][number];
interface PastOrder {
  orderId: string;
  /** The order's points of `retailer`, the one retailer every test of an order asks as. */
  retailer: string;
  own: Point[];
  all: Point[];
}

/** Feeders not used yet: each test's order has an area (and readings) of its own. */
let feederCursor = 0;
function nextFeeder(): { feederId: string; points: Point[] } {
  const byId = new Map(t.parish.meteringPoints.map((point) => [point.id, point]));
  for (; feederCursor < t.parish.feeders.length; feederCursor++) {
    const feederId = t.parish.feeders[feederCursor]!.id;
    const points = t.parish.connections.filter((c) => c.feederId === feederId).map((c) => byId.get(c.meteringPointId)!);
    if (points.length >= 2) {
      feederCursor++;
      return { feederId, points };
    }
  }
  throw new Error('the parish has run out of feeders with two points');
}

/**
 * An order on a fresh feeder over the last three hours' first hour, with readings at the
 * contracted power for every point (above any cap of a 40 % reduction) in all four of its quarter-hours.
 */
async function pastOrderWithBreaches(): Promise<PastOrder> {
  const { feederId, points } = nextFeeder();
  const startMs = Math.floor((Date.now() - 3 * HOUR_MS) / QUARTER_MS) * QUARTER_MS;
  const issued = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(
    `mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`,
    { key: dsoKey, variables: { input: { area: { feederIds: [feederId] }, reductionPercent: 40, start: iso(startMs), expectedEnd: iso(startMs + HOUR_MS), reason: 'order-reads test' } } },
  );
  expect(issued.body.errors).toBeUndefined();
  const readings = points.flatMap((point) =>
    [0, 1, 2, 3].map((q) => ({ meteringPointId: point.id, intervalStart: iso(startMs + q * QUARTER_MS), importWh: Math.round(point.contractedPowerKva * 250), exportWh: 0 })),
  );
  const ingested = await t.graphql<{ ingestReadings: { inserted: number } }>(`mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`, {
    key: dsoKey,
    variables: { input: { idempotencyKey: `order-reads-${feederId}`, readings } },
  });
  expect(ingested.body.data?.ingestReadings.inserted).toBe(readings.length);
  const retailer = points[0]!.retailerId;
  return { orderId: issued.body.data!.issueContractedPowerOrder.id, retailer, own: points.filter((point) => point.retailerId === retailer), all: points };
}

async function keyIdOf(key: string): Promise<string> {
  const { body } = await t.graphql<{ me: { keyId: string } }>('{ me { keyId } }', { key });
  return body.data!.me.keyId;
}

/** The access-log lines of a key, as `resource point` strings, sorted. */
async function loggedFor(keyId: string): Promise<string[]> {
  const { rows } = await t.database.handle.pool.query<{ line: string }>(
    `SELECT resource || ' ' || metering_point_id AS line FROM hub.access_log WHERE key_id = $1 ORDER BY 1`,
    [keyId],
  );
  return rows.map((row) => row.line);
}

/** Lists collecting the SQL the hub runs, while a test watches (the fixture's onQuery hook). */
const watchers = new Set<string[]>();
function watchStatements(into: string[]): () => void {
  watchers.add(into);
  return () => watchers.delete(into);
}

const ids = (points: Point[]) => points.map((point) => point.id).sort();
const lines = (resource: string, points: Point[]) => ids(points).map((id) => `${resource} ${id}`);

beforeAll(async () => {
  t = await startTestHub({ onQuery: (query) => watchers.forEach((into) => into.push(query)) });
  dsoKey = await t.createKey('dso', 'dso');
}, 60_000);

afterAll(() => t.stop());

const COMPLIANCE = `query($id: ID!) { contractedPowerOrder(id: $id) { id compliance { meteringPoint { id } maxObservedKw intervalsAbove } } }`;
type ComplianceData = { contractedPowerOrder: { id: string; compliance: { meteringPoint: { id: string }; maxObservedKw: number; intervalsAbove: number }[] } | null };

describe("an order's compliance", () => {
  it('is refused, naming metering:read, to a retailer key narrowed to flex:read, and nothing is read', async () => {
    const order = await pastOrderWithBreaches();
    const key = await t.createKey('retailer', order.retailer, ['flex:read']);
    const answer = await t.graphql<ComplianceData>(COMPLIANCE, { key, variables: { id: order.orderId } });
    expect(answer.body.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['contractedPowerOrder', 'compliance']]]);
    expect(answer.body.errors?.[0]?.message).toContain('metering:read');
    expect(JSON.stringify(answer.body)).not.toContain('maxObservedKw');
    expect(await loggedFor(await keyIdOf(key))).toEqual([]);
    // The order itself is still flex:read's to see.
    const plain = await t.graphql(`query($id: ID!) { contractedPowerOrder(id: $id) { id } }`, { key, variables: { id: order.orderId } });
    expect(plain.body).toEqual({ data: { contractedPowerOrder: { id: order.orderId } } });
  });

  it("lists a retailer's breaching points with its default scopes, each logged once as compliance and nothing as affected", async () => {
    const order = await pastOrderWithBreaches();
    const key = await t.createKey('retailer', order.retailer);
    const answer = await t.graphql<ComplianceData>(COMPLIANCE, { key, variables: { id: order.orderId } });
    expect(answer.body.errors).toBeUndefined();
    const breaches = answer.body.data!.contractedPowerOrder!.compliance;
    expect(breaches.map((breach) => breach.meteringPoint.id)).toEqual(ids(order.own));
    expect(breaches.every((breach) => breach.intervalsAbove === 4)).toBe(true);
    expect(await loggedFor(await keyIdOf(key))).toEqual(lines('contractedPowerOrder.compliance', order.own));
  });

  it('is read for many orders of one page in one readings query and one access-log statement, each order its own breaches', async () => {
    const orders = [await pastOrderWithBreaches(), await pastOrderWithBreaches(), await pastOrderWithBreaches()];
    const statements: string[] = [];
    const stop = watchStatements(statements);
    const answer = await t.graphql<{ contractedPowerOrders: { edges: { node: { id: string; compliance: { meteringPoint: { id: string } }[] } }[] } }>(
      `{ contractedPowerOrders(first: 3) { edges { node { id compliance { meteringPoint { id } } } } } }`,
      { key: dsoKey },
    );
    stop();
    expect(answer.body.errors).toBeUndefined();
    // Newest first: the three orders just issued.
    const byOrder = new Map(answer.body.data!.contractedPowerOrders.edges.map(({ node }) => [node.id, node.compliance.map((breach) => breach.meteringPoint.id)]));
    expect(Object.fromEntries(byOrder)).toEqual(Object.fromEntries(orders.map((order) => [order.orderId, ids(order.all)])));
    expect(statements.filter((statement) => statement.includes('metering.readings_v'))).toHaveLength(1);
    expect(statements.filter((statement) => statement.includes('INSERT INTO hub.access_log'))).toHaveLength(1);
  });
});

describe('an order event', () => {
  const SUBSCRIBE = (selection: string) => `subscription($after: ID) { contractedPowerOrders(after: $after) { ${selection} } }`;

  it('pushed without its affected points reads and logs none of them', async () => {
    const after = String(await latestOutboxId(t.database.handle.pool));
    const order = await pastOrderWithBreaches();
    const key = await t.createKey('retailer', order.retailer);
    const subscriber = subscribeOverWs<{ data: { contractedPowerOrders: { eventId: string; order: { id: string } } } }>(t.hub.url, key, SUBSCRIBE('eventId order { id }'), { after });
    try {
      expect((await subscriber.next()).data.contractedPowerOrders.order).toEqual({ id: order.orderId });
    } finally {
      await subscriber.dispose();
    }
    expect(await loggedFor(await keyIdOf(key))).toEqual([]);
  });

  it('pushed with its affected points logs each of them, once', async () => {
    const after = String(await latestOutboxId(t.database.handle.pool));
    const order = await pastOrderWithBreaches();
    const key = await t.createKey('retailer', order.retailer);
    const subscriber = subscribeOverWs<{ data: { contractedPowerOrders: { affected: { meteringPoint: { id: string } }[] } } }>(
      t.hub.url,
      key,
      SUBSCRIBE('eventId affected { meteringPoint { id } }'),
      { after },
    );
    try {
      const received = (await subscriber.next()).data.contractedPowerOrders.affected.map((point) => point.meteringPoint.id);
      expect(received).toEqual(ids(order.own));
    } finally {
      await subscriber.dispose();
    }
    expect(await loggedFor(await keyIdOf(key))).toEqual(lines('contractedPowerOrder.affected', order.own));
  });
});

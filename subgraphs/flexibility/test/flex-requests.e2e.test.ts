import { randomUUID } from 'node:crypto';
import { latestOutboxId } from '../../kit/outbox-tail';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { eventually } from '../../../tools/testing/eventually';
import { subscribeOverWs } from '../../../tools/testing/ws-subscriber';
import { closeEndedFlexRequests } from '../flex-request.command';
import { flexibilityNeedAt } from './flex-market.fixture';

/**
 * The DSO's flexibility requests end to end: created at a feeder or a secondary substation (ISPs
 * given, or filled from a grid flexibility need), published to the retailers and aggregators
 * with customers behind it and to nobody else, revised, closed by the DSO or by the end of their
 * period, each step pushed to the recipients in the writer's transaction.
 */

let t: TestHub;
let dsoKey: string;

const ISP_MS = 900_000;
const HOUR_MS = 3_600_000;
const AGGREGATOR = 'agg-flexpt';
const iso = (ms: number) => new Date(ms).toISOString();
/** The start of the ISP `n` quarter-hours after the first one at least two hours ahead. */
const quarter = (n: number) => Math.ceil((Date.now() + 2 * HOUR_MS) / ISP_MS) * ISP_MS + n * ISP_MS;

const REQUEST_FIELDS = `id status revision congestionPointKind congestionPointId needId periodStart periodEnd expiresAt revisedAt closedAt closeReason restoredAt
  secondarySubstation { id } isps { start minKw maxKw }`;
const CREATE = `mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { ${REQUEST_FIELDS} } }`;
const REVISE = `mutation($input: ReviseFlexRequestInput!) { reviseFlexRequest(input: $input) { ${REQUEST_FIELDS} } }`;
const CLOSE = `mutation($id: ID!) { closeFlexRequest(id: $id) { ${REQUEST_FIELDS} } }`;
const READ = `query($id: ID!) { flexRequest(id: $id) { id } }`;

interface Isp {
  start: string;
  minKw: number;
  maxKw: number;
}
interface Request {
  id: string;
  status: string;
  revision: number;
  congestionPointKind: string;
  congestionPointId: string;
  needId: string | null;
  periodStart: string;
  periodEnd: string;
  expiresAt: string;
  revisedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  restoredAt: string | null;
  secondarySubstation: { id: string };
  isps: Isp[];
}

interface Feeder {
  feederId: string;
  secondarySubstationId: string;
  /** Metering points on the feeder. */
  points: string[];
  /** Retailers supplying a point on it now, sorted. */
  retailers: string[];
}

/** Every feeder with its points and their retailers, from the seeded parish (independently of the hub's SQL). */
function feeders(): Feeder[] {
  const retailerOf = new Map(t.parish.meteringPoints.map((point) => [point.id, point.retailerId]));
  return t.parish.feeders.map((feeder) => {
    const points = t.parish.connections.filter((c) => c.feederId === feeder.id).map((c) => c.meteringPointId);
    return { feederId: feeder.id, secondarySubstationId: feeder.secondarySubstationId, points, retailers: [...new Set(points.map((id) => retailerOf.get(id)!))].sort() };
  });
}

/**
 * A feeder with customers of at least two retailers and none of another (the outsider), taken in
 * turn: the parish has few, so tests share them, each with requests of its own.
 */
let turn = 0;
function feederWithOutsider(): Feeder & { outsider: string } {
  const all = [...new Set(t.parish.meteringPoints.map((point) => point.retailerId))].sort();
  const candidates = feeders().filter((feeder) => feeder.retailers.length >= 2 && feeder.retailers.length < all.length);
  if (candidates.length === 0) throw new Error('the parish has no feeder for these tests');
  const feeder = candidates[turn++ % candidates.length]!;
  return { ...feeder, outsider: all.find((retailer) => !feeder.retailers.includes(retailer))! };
}

/** Points an aggregator's metering:read consent is in force for (grantMeteringConsent). */
const consented = new Set<string>();

/** Whom a request behind these points is published to: their retailers now, and the aggregator if it holds a consent for one. */
const expectedRecipients = (behind: readonly Feeder[]) =>
  [...new Set([...behind.flatMap((feeder) => feeder.retailers), ...(behind.some((feeder) => feeder.points.some((point) => consented.has(point))) ? [AGGREGATOR] : [])])].sort();

const ask = <T>(key: string, query: string, variables: Record<string, unknown> = {}) => t.graphql<T>(query, { key, variables });
const sql = async <R extends Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.database.handle.pool.query<R>(text, params)).rows;

async function create(input: Record<string, unknown>): Promise<Request> {
  const { body } = await ask<{ createFlexRequest: Request }>(dsoKey, CREATE, { input });
  expect(body.errors).toBeUndefined();
  return body.data!.createFlexRequest;
}

/** A request of three ISPs at the feeder, expiring an hour before them. */
const threeIsps = (congestionPointId: string) => ({
  congestionPointId,
  isps: [0, 1, 2].map((n) => ({ start: iso(quarter(n)), minKw: 10 + n, maxKw: 20 + n })),
  expiresAt: iso(quarter(0) - HOUR_MS),
});

async function grantMeteringConsent(organisationId: string, meteringPointId: string): Promise<void> {
  await sql(
    `INSERT INTO hub.consents (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
     VALUES ($1, $2, $3, '{metering:read}', now() - interval '1 day', now() + interval '30 days', 'test')`,
    [`c-${randomUUID()}`, meteringPointId, organisationId],
  );
  consented.add(meteringPointId);
}

/** An offer (and, with `order`, its order) written as the offer and order commands would, to test what requests do to them. */
async function offerOn(requestId: string, organisationId: string, offerStatus: string, ispStartMs: number, order?: string): Promise<{ offerId: string; orderId: string | null }> {
  const offerId = `fo-${randomUUID()}`;
  await sql(
    `INSERT INTO flexibility.flex_offers (id, request_id, request_revision, organisation_id, status, price_eur_per_kwh, expires_at, idempotency_key, content_hash)
     VALUES ($1, $2, 1, $3, $4, 0.2, now() + interval '1 hour', $1, 'hash')`,
    [offerId, requestId, organisationId, offerStatus],
  );
  await sql(`INSERT INTO flexibility.flex_offer_isps (offer_id, start, kw) VALUES ($1, $2, 5)`, [offerId, new Date(ispStartMs)]);
  if (!order) return { offerId, orderId: null };
  const orderId = `fo-order-${randomUUID()}`;
  await sql(`INSERT INTO flexibility.flex_orders (id, offer_id, request_id, organisation_id, status, activation_factor) VALUES ($1, $2, $3, $4, $5, 1)`, [
    orderId,
    offerId,
    requestId,
    organisationId,
    order,
  ]);
  return { offerId, orderId };
}

const recipientsOf = async (requestId: string) =>
  (await sql<{ organisation_id: string }>(`SELECT organisation_id FROM flexibility.flex_request_recipients WHERE request_id = $1 ORDER BY 1`, [requestId])).map((row) => row.organisation_id);

/** The events written after `afterId`, as type, kind, audience and subject. */
const eventsAfter = async (afterId: number) =>
  sql<{ type: string; audience: string[]; payload: Record<string, string> }>(`SELECT type, audience, payload FROM hub.outbox WHERE id > $1 ORDER BY id`, [afterId]);

const countRequests = async () => Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM flexibility.flex_requests`))[0]!.n);

beforeAll(async () => {
  t = await startTestHub();
  dsoKey = await t.createKey('dso', 'dso');
}, 60_000);

afterAll(() => t.stop());

describe('createFlexRequest', () => {
  it('stores a feeder request with its ISPs in order and its period, published to the retailers and the consented aggregator behind it', async () => {
    const feeder = feederWithOutsider();
    await grantMeteringConsent(AGGREGATOR, feeder.points[0]!);
    const before = await latestOutboxId(t.database.handle.pool);
    const expiresAt = iso(quarter(0) - HOUR_MS);
    // Given out of order: stored and answered in time order.
    const request = await create({
      congestionPointId: feeder.feederId,
      isps: [2, 0, 1].map((n) => ({ start: iso(quarter(n)), minKw: 10 + n, maxKw: 20 + n })),
      expiresAt,
    });
    expect(request).toMatchObject({
      status: 'OPEN',
      revision: 1,
      congestionPointKind: 'FEEDER',
      congestionPointId: feeder.feederId,
      secondarySubstation: { id: feeder.secondarySubstationId },
      needId: null,
      periodStart: iso(quarter(0)),
      periodEnd: iso(quarter(3)),
      expiresAt,
      closedAt: null,
      closeReason: null,
      restoredAt: null,
    });
    expect(request.isps).toEqual([0, 1, 2].map((n) => ({ start: iso(quarter(n)), minKw: 10 + n, maxKw: 20 + n })));

    const recipients = expectedRecipients([feeder]);
    expect(recipients).toContain(AGGREGATOR);
    expect(await recipientsOf(request.id)).toEqual(recipients);
    expect(recipients).not.toContain(feeder.outsider);
    expect(await eventsAfter(before)).toEqual([{ type: 'FLEX_REQUEST', audience: recipients, payload: { kind: 'CREATED', flexRequestId: request.id } }]);
    expect(await sql(`SELECT operation, organisation_id FROM hub.audit_log WHERE target = $1`, [request.id])).toEqual([{ operation: 'createFlexRequest', organisation_id: 'dso' }]);
  });

  it('at a secondary substation, publishes to the retailers of all its feeders', async () => {
    const feeder = feederWithOutsider();
    const request = await create(threeIsps(feeder.secondarySubstationId));
    expect(request).toMatchObject({ congestionPointKind: 'SECONDARY_SUBSTATION', secondarySubstation: { id: feeder.secondarySubstationId } });
    const onSubstation = expectedRecipients(feeders().filter((f) => f.secondarySubstationId === feeder.secondarySubstationId));
    expect(onSubstation.length).toBeGreaterThan(feeder.retailers.length);
    expect(await recipientsOf(request.id)).toEqual(onSubstation);
  });

  it('is pushed live to its recipients over flexRequests, and not to a retailer without customers there', async () => {
    const feeder = feederWithOutsider();
    const elsewhere = feeders().find((f) => f.retailers.includes(feeder.outsider))!;
    const after = String(await latestOutboxId(t.database.handle.pool));
    const SUBSCRIBE = `subscription($after: ID) { flexRequests(after: $after) { eventId kind flexRequest { id status } } }`;
    type Frame = { data: { flexRequests: { eventId: string; kind: string; flexRequest: { id: string; status: string } | null } } };
    const recipient = subscribeOverWs<Frame>(t.hub.url, await t.createKey('retailer', feeder.retailers[0]!), SUBSCRIBE, { after });
    const outsider = subscribeOverWs<Frame>(t.hub.url, await t.createKey('retailer', feeder.outsider), SUBSCRIBE, { after });
    try {
      const first = await create(threeIsps(feeder.feederId));
      // The outsider's first event is the request where it has customers: the first never reached it.
      const second = await create(threeIsps(elsewhere.feederId));
      expect((await recipient.next()).data.flexRequests).toMatchObject({ kind: 'CREATED', flexRequest: { id: first.id, status: 'OPEN' } });
      expect((await outsider.next()).data.flexRequests).toMatchObject({ kind: 'CREATED', flexRequest: { id: second.id } });
      expect([...recipient.errors, ...outsider.errors]).toEqual([]);
    } finally {
      await Promise.all([recipient.dispose(), outsider.dispose()]);
    }
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const feeder = feederWithOutsider();
    const good = threeIsps(feeder.feederId);
    const requests = await countRequests();
    const before = await latestOutboxId(t.database.handle.pool);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...good, congestionPointId: 'no-such-feeder' }, 'congestionPointId', /Unknown congestion point no-such-feeder/],
      [{ ...good, isps: [] }, 'isps', /at least one ISP/],
      [{ ...good, isps: [{ start: iso(quarter(0) + 60_000), minKw: 1, maxKw: 1 }] }, 'isps', /not on the 15-minute grid/],
      [{ ...good, isps: [{ start: iso(quarter(0)), minKw: 1, maxKw: 1 }, { start: iso(quarter(0)), minKw: 2, maxKw: 2 }] }, 'isps', /given twice/],
      [{ ...good, isps: [{ start: iso(Math.floor(Date.now() / ISP_MS) * ISP_MS), minKw: 1, maxKw: 1 }], expiresAt: iso(Date.now() + 60_000) }, 'isps', /already started/],
      [{ ...good, isps: [{ start: iso(quarter(0)), minKw: 0, maxKw: 1 }] }, 'isps', /minKw .* must be from 0.001/],
      [{ ...good, isps: [{ start: iso(quarter(0)), minKw: 5, maxKw: 4 }] }, 'isps', /maxKw .* must be from its minKw/],
      [{ ...good, isps: [{ start: iso(quarter(0)), minKw: 5, maxKw: 10_001 }] }, 'isps', /to 10000/],
      [{ ...good, expiresAt: iso(quarter(0) + 1) }, 'expiresAt', /no later than the first ISP/],
      [{ ...good, expiresAt: iso(Date.now() - 1_000) }, 'expiresAt', /in the future/],
      [{ ...good, needId: 'no-such-need' }, 'needId', /Unknown flexibility need/],
    ];
    for (const [input, field, message] of cases) {
      const { body } = await ask(dsoKey, CREATE, { input });
      expect({ input, errors: body.errors?.map((error) => [error.extensions?.code, error.extensions?.field]) }).toEqual({ input, errors: [['BAD_USER_INPUT', field]] });
      expect(body.errors![0]!.message).toMatch(message);
    }
    expect(await countRequests()).toBe(requests);
    expect(await latestOutboxId(t.database.handle.pool)).toBe(before);
  });
});

describe('a request from a flexibility need', () => {
  it("takes the need's intervals still to come, each asking for exactly its reduction", async () => {
    const feeder = feederWithOutsider();
    const started = Math.floor(Date.now() / ISP_MS) * ISP_MS;
    const needId = await flexibilityNeedAt(t, feeder, [
      { startMs: started, kw: 99 },
      { startMs: quarter(4), kw: 12.5 },
      { startMs: quarter(5), kw: 20 },
    ]);
    const request = await create({ congestionPointId: feeder.feederId, isps: [], needId, expiresAt: iso(quarter(0)) });
    expect(request).toMatchObject({ needId, periodStart: iso(quarter(4)), periodEnd: iso(quarter(6)) });
    expect(request.isps).toEqual([
      { start: iso(quarter(4)), minKw: 12.5, maxKw: 12.5 },
      { start: iso(quarter(5)), minKw: 20, maxKw: 20 },
    ]);
  });

  it('keeps ISPs given with a need, and refuses a need at another congestion point or with nothing to come', async () => {
    const feeder = feederWithOutsider();
    const needId = await flexibilityNeedAt(t, feeder, [{ startMs: quarter(4), kw: 12.5 }]);
    const given = await create({ ...threeIsps(feeder.feederId), needId });
    expect(given).toMatchObject({ needId, isps: threeIsps(feeder.feederId).isps });

    const elsewhere = await ask(dsoKey, CREATE, { input: { ...threeIsps(feeder.secondarySubstationId), needId } });
    expect(elsewhere.body.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message])).toEqual([
      ['BAD_USER_INPUT', 'needId', `The flexibility need ${needId} is at congestion point ${feeder.feederId}, not ${feeder.secondarySubstationId}`],
    ]);
    const past = await flexibilityNeedAt(t, feeder, [{ startMs: Math.floor(Date.now() / ISP_MS) * ISP_MS - ISP_MS, kw: 3 }]);
    const nothing = await ask(dsoKey, CREATE, { input: { congestionPointId: feeder.feederId, isps: [], needId: past, expiresAt: iso(quarter(0)) } });
    expect(nothing.body.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message])).toEqual([
      ['BAD_USER_INPUT', 'needId', `The flexibility need ${past} has no interval still to come`],
    ]);
  });
});

describe('who sees a request', () => {
  it('the DSO and its recipients; another retailer, the regulator, the TSO and a researcher find nothing', async () => {
    const feeder = feederWithOutsider();
    const request = await create(threeIsps(feeder.feederId));
    for (const key of [dsoKey, await t.createKey('retailer', feeder.retailers[0]!)]) {
      expect((await ask(key, READ, { id: request.id })).body).toEqual({ data: { flexRequest: { id: request.id } } });
    }
    const others = [await t.createKey('retailer', feeder.outsider), await t.createKey('regulator', 'erse'), await t.createKey('tso', 'ren'), await t.createKey('researcher', 'ist')];
    for (const key of others) {
      const { body } = await ask(key, READ, { id: request.id });
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
      expect(JSON.stringify(body)).not.toContain(request.id);
      const listed = await ask<{ flexRequests: { edges: { node: { id: string } }[] } }>(key, `{ flexRequests(first: 1000) { edges { node { id } } } }`);
      expect(listed.body.data!.flexRequests.edges.map((edge) => edge.node.id)).not.toContain(request.id);
    }
  });

  it('who it was published to: the DSO reads its recipients; a recipient asking is FORBIDDEN (they name its competitors)', async () => {
    const feeder = feederWithOutsider();
    await grantMeteringConsent(AGGREGATOR, feeder.points[0]!);
    const request = await create(threeIsps(feeder.feederId));
    const RECIPIENTS = `query($id: ID!) { flexRequest(id: $id) { id recipientIds } }`;
    const seen = await ask<{ flexRequest: { recipientIds: string[] } }>(dsoKey, RECIPIENTS, { id: request.id });
    expect(seen.body.data?.flexRequest.recipientIds).toEqual(expectedRecipients([feeder]));
    expect(seen.body.data?.flexRequest.recipientIds).toContain(AGGREGATOR);
    const { body } = await ask(await t.createKey('retailer', feeder.retailers[0]!), RECIPIENTS, { id: request.id });
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(body)).not.toContain(AGGREGATOR);
  });

  it("lists exactly what a retailer may see, oldest first, page by page", async () => {
    const retailer = t.parish.meteringPoints[0]!.retailerId;
    const key = await t.createKey('retailer', retailer);
    const expected = (
      await sql<{ id: string }>(
        `SELECT r.id FROM flexibility.flex_requests r JOIN flexibility.flex_request_recipients p ON p.request_id = r.id AND p.organisation_id = $1 WHERE r.status = 'OPEN' ORDER BY r.created_at, r.id`,
        [retailer],
      )
    ).map((row) => row.id);
    expect(expected.length).toBeGreaterThan(2);
    const seen: string[] = [];
    let after: string | null = null;
    type Page = { flexRequests: { totalCount: number; edges: { node: { id: string; status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    for (;;) {
      const { body }: { body: { data?: Page | null } } = await ask<Page>(key, `query($after: String) { flexRequests(status: OPEN, first: 2, after: $after) { totalCount edges { node { id status } } pageInfo { hasNextPage endCursor } } }`, { after });
      const page: Page['flexRequests'] = body.data!.flexRequests;
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    const forged = await ask(key, `{ flexRequests(after: "bm90LWEta2V5") { totalCount } }`);
    expect(forged.body.errors?.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([['BAD_USER_INPUT', 'after']]);
  });
});

describe('reviseFlexRequest', () => {
  it('replaces the ISPs, counts the revision, supersedes the open offers and tells the new and earlier recipients', async () => {
    const feeder = feederWithOutsider();
    const request = await create(threeIsps(feeder.feederId));
    const open = await offerOn(request.id, feeder.retailers[0]!, 'OPEN', quarter(0));
    const revoked = await offerOn(request.id, feeder.retailers[1]!, 'REVOKED', quarter(0));
    // Told at creation, with no customer there now: still told of the revision.
    await sql(`INSERT INTO flexibility.flex_request_recipients (request_id, organisation_id) VALUES ($1, $2)`, [request.id, feeder.outsider]);
    const before = await latestOutboxId(t.database.handle.pool);
    const isps = [{ start: iso(quarter(8)), minKw: 30, maxKw: 40 }];
    const { body } = await ask<{ reviseFlexRequest: Request }>(dsoKey, REVISE, { input: { id: request.id, isps, expiresAt: iso(quarter(7)) } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.reviseFlexRequest).toMatchObject({ id: request.id, status: 'OPEN', revision: 2, periodStart: iso(quarter(8)), periodEnd: iso(quarter(9)), expiresAt: iso(quarter(7)), isps });
    expect(body.data!.reviseFlexRequest.revisedAt).not.toBeNull();
    const statuses = await sql(`SELECT id, status FROM flexibility.flex_offers WHERE request_id = $1 ORDER BY id`, [request.id]);
    expect(statuses).toEqual(expect.arrayContaining([{ id: open.offerId, status: 'SUPERSEDED' }, { id: revoked.offerId, status: 'REVOKED' }]));
    const recipients = [...expectedRecipients([feeder]), feeder.outsider].sort();
    expect(await eventsAfter(before)).toEqual([{ type: 'FLEX_REQUEST', audience: recipients, payload: { kind: 'REVISED', flexRequestId: request.id } }]);
  });

  it('is a CONFLICT once the request has an order, has expired or is closed, and changes nothing', async () => {
    const feeder = feederWithOutsider();
    const revise = (id: string) => ask(dsoKey, REVISE, { input: { id, isps: [{ start: iso(quarter(8)), minKw: 1, maxKw: 1 }], expiresAt: iso(quarter(7)) } });
    const ordered = await create(threeIsps(feeder.feederId));
    await offerOn(ordered.id, feeder.retailers[0]!, 'ORDERED', quarter(0), 'ORDERED');
    const expired = await create(threeIsps(feeder.feederId));
    await sql(`UPDATE flexibility.flex_requests SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    const closed = await create(threeIsps(feeder.feederId));
    expect((await ask(dsoKey, CLOSE, { id: closed.id })).body.errors).toBeUndefined();
    const before = await latestOutboxId(t.database.handle.pool);
    for (const [request, message] of [
      [ordered, /has orders/],
      [expired, /has expired/],
      [closed, /is closed/],
    ] as const) {
      const { body } = await revise(request.id);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['CONFLICT']);
      expect(body.errors![0]!.message).toMatch(message);
      expect((await sql(`SELECT revision FROM flexibility.flex_requests WHERE id = $1`, [request.id]))[0]).toEqual({ revision: 1 });
    }
    expect((await revise('fr-none')).body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(await latestOutboxId(t.database.handle.pool)).toBe(before);
  });
});

describe('closeFlexRequest', () => {
  it('closes BY_DSO, cancels the ordered and activated orders not yet started, and restores every recipient', async () => {
    const feeder = feederWithOutsider();
    const [offerer, other] = feeder.retailers as [string, string];
    const request = await create(threeIsps(feeder.feederId));
    const openOffer = await offerOn(request.id, other, 'OPEN', quarter(1));
    const started = Math.floor(Date.now() / ISP_MS) * ISP_MS;
    const toCancel = await offerOn(request.id, offerer, 'ORDERED', quarter(0), 'ORDERED');
    const running = await offerOn(request.id, offerer, 'ORDERED', started, 'ORDERED');
    // ACTIVATED ahead of its ISPs (as reports could make it before they had to wait for the ISP's end): nothing of it runs before the restore.
    const activatedAhead = await offerOn(request.id, other, 'ORDERED', quarter(0), 'ACTIVATED');
    const activated = await offerOn(request.id, other, 'ORDERED', started, 'ACTIVATED');
    const after = String(await latestOutboxId(t.database.handle.pool));
    const SUBSCRIBE = `subscription($after: ID) { flexRequests(after: $after) { kind flexRequest { id status closeReason } } }`;
    type Frame = { data: { flexRequests: { kind: string; flexRequest: { id: string; status: string; closeReason: string } } } };
    const subscriber = subscribeOverWs<Frame>(t.hub.url, await t.createKey('retailer', other), SUBSCRIBE, { after });
    try {
      const { body } = await ask<{ closeFlexRequest: Request }>(dsoKey, CLOSE, { id: request.id });
      expect(body.errors).toBeUndefined();
      const closed = body.data!.closeFlexRequest;
      expect(closed).toMatchObject({ status: 'CLOSED', closeReason: 'BY_DSO' });
      expect(closed.closedAt).not.toBeNull();
      expect(closed.restoredAt).toBe(closed.closedAt);
      expect((await subscriber.next()).data.flexRequests).toEqual({ kind: 'BY_DSO', flexRequest: { id: request.id, status: 'CLOSED', closeReason: 'BY_DSO' } });
    } finally {
      await subscriber.dispose();
    }
    const orders = await sql(`SELECT id, status, cancelled_at IS NOT NULL AS cancelled FROM flexibility.flex_orders WHERE request_id = $1 ORDER BY id`, [request.id]);
    expect(orders).toEqual(
      expect.arrayContaining([
        { id: toCancel.orderId, status: 'CANCELLED', cancelled: true },
        { id: running.orderId, status: 'ORDERED', cancelled: false },
        { id: activatedAhead.orderId, status: 'CANCELLED', cancelled: true },
        { id: activated.orderId, status: 'ACTIVATED', cancelled: false },
      ]),
    );
    expect(await sql(`SELECT status FROM flexibility.flex_offers WHERE id = $1`, [openOffer.offerId])).toEqual([{ status: 'OPEN' }]);
    // One FLEX_ORDER CANCELLED per cancelled order, in order id order (the order they are locked in), then the restore.
    const cancelledEvents = [
      { organisationId: offerer, orderId: toCancel.orderId! },
      { organisationId: other, orderId: activatedAhead.orderId! },
    ].sort((a, b) => (a.orderId < b.orderId ? -1 : 1));
    expect(await eventsAfter(Number(after))).toEqual([
      ...cancelledEvents.map(({ organisationId, orderId }) => ({ type: 'FLEX_ORDER', audience: [organisationId], payload: { kind: 'CANCELLED', flexOrderId: orderId, flexRequestId: request.id } })),
      { type: 'FLEX_RESTORE', audience: expectedRecipients([feeder]), payload: { kind: 'BY_DSO', flexRequestId: request.id } },
    ]);
    // A second close finds it closed, and says nothing more.
    const again = await ask(dsoKey, CLOSE, { id: request.id });
    expect(again.body.errors?.map((error) => error.extensions?.code)).toEqual(['CONFLICT']);
    expect((await eventsAfter(Number(after))).length).toBe(3);
  });

  it("waits for a concurrent writer of an order and decides on the order's committed status, never overwriting it", async () => {
    const feeder = feederWithOutsider();
    const [offerer] = feeder.retailers as [string];
    const request = await create(threeIsps(feeder.feederId));
    const order = await offerOn(request.id, offerer, 'ORDERED', quarter(0), 'ORDERED');
    // Another transaction holds the order's row and changes it (here it settles it) while the close runs.
    const writer = await t.database.handle.pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE flexibility.flex_orders SET status = 'SETTLED', settled_at = now() WHERE id = $1`, [order.orderId]);
      const after = await latestOutboxId(t.database.handle.pool);
      const closing = ask<{ closeFlexRequest: Request }>(dsoKey, CLOSE, { id: request.id });
      await eventually(
        async () => (await sql<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%flex_orders%'`))[0]!.n !== '0',
        'the close waiting for the order',
      );
      await writer.query('COMMIT');
      const { body } = await closing;
      expect(body.errors).toBeUndefined();
      expect(await sql(`SELECT status, cancelled_at IS NOT NULL AS cancelled FROM flexibility.flex_orders WHERE id = $1`, [order.orderId])).toEqual([{ status: 'SETTLED', cancelled: false }]);
      expect((await eventsAfter(Number(after))).map((event) => event.type)).toEqual(['FLEX_RESTORE']);
    } finally {
      writer.release();
    }
  });

  it('is refused to a retailer', async () => {
    const feeder = feederWithOutsider();
    const request = await create(threeIsps(feeder.feederId));
    const { body } = await ask(await t.createKey('retailer', feeder.retailers[0]!), CLOSE, { id: request.id });
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await sql(`SELECT status FROM flexibility.flex_requests WHERE id = $1`, [request.id])).toEqual([{ status: 'OPEN' }]);
  });
});

describe('the end of the period', () => {
  it('closes the open requests whose last ISP has ended PERIOD_ENDED, restores their recipients and leaves their orders', async () => {
    const feeder = feederWithOutsider();
    const ended = await create(threeIsps(feeder.feederId));
    const running = await create(threeIsps(feeder.feederId));
    const order = await offerOn(ended.id, feeder.retailers[0]!, 'ORDERED', quarter(0), 'ORDERED');
    // Its ISPs as they were, now that they have passed.
    await sql(`UPDATE flexibility.flex_requests SET period_start = now() - interval '2 hours', period_end = now() - interval '1 hour', expires_at = now() - interval '3 hours' WHERE id = $1`, [ended.id]);
    const before = await latestOutboxId(t.database.handle.pool);
    // The hub's own job may have taken it first: either way the state and the event are the same.
    await closeEndedFlexRequests(t.database.handle.db);
    expect(await sql(`SELECT status, close_reason, closed_at IS NOT NULL AS closed, restored_at = closed_at AS restored FROM flexibility.flex_requests WHERE id = $1`, [ended.id])).toEqual([
      { status: 'CLOSED', close_reason: 'PERIOD_ENDED', closed: true, restored: true },
    ]);
    expect(await sql(`SELECT status FROM flexibility.flex_requests WHERE id = $1`, [running.id])).toEqual([{ status: 'OPEN' }]);
    expect(await sql(`SELECT status FROM flexibility.flex_orders WHERE id = $1`, [order.orderId])).toEqual([{ status: 'ORDERED' }]);
    const restores = await sql<{ id: string; audience: string[] }>(`SELECT id, audience FROM hub.outbox WHERE type = 'FLEX_RESTORE' AND payload->>'flexRequestId' = $1`, [ended.id]);
    expect(restores.map((row) => row.audience)).toEqual([expectedRecipients([feeder])]);
    expect(await latestOutboxId(t.database.handle.pool)).toBeGreaterThanOrEqual(before);

    // The recipient reads the event with the closed request in it; the outsider does not get it.
    const QUERY = `query($id: ID!) { hubEvent(eventId: $id) { type flexRequest { id status closeReason } } }`;
    const received = await ask(await t.createKey('retailer', feeder.retailers[0]!), QUERY, { id: restores[0]!.id });
    expect(received.body).toEqual({ data: { hubEvent: { type: 'FLEX_RESTORE', flexRequest: { id: ended.id, status: 'CLOSED', closeReason: 'PERIOD_ENDED' } } } });
    const outsider = await ask(await t.createKey('retailer', feeder.outsider), QUERY, { id: restores[0]!.id });
    expect(outsider.body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
  });
});

import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { orderHems } from '../../flexibility/flex-order-hems.repo';
import { hemsFixture, iso, type HemsFixture, type TestHems } from './shared-hems.fixture';

/**
 * What a flex order opens on the HEMS side, and what it does not: the DSO sees a household's HEMS
 * under a contracted-power order (which caps every point of its area), never because a flex order
 * runs behind it; a flex order's commands need the right to read the household's meter (its
 * settlement shows the metered import) and act only within the ISPs the order bought.
 */

let t: TestHub;
let f: HemsFixture;

const MINUTE_MS = 60_000;
const QUARTER_MS = 15 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;
const AGGREGATOR_ID = 'agg-flexpt';

const HEMS = 'query($id: ID!) { hems(id: $id) { id } }';
const ISSUE = `mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { id orderId status } }`;

beforeAll(async () => {
  t = await startTestHub();
  f = await hemsFixture(t);
});
afterAll(() => t.stop());

const sql = (text: string, values: unknown[] = []) => t.database.handle.pool.query(text, values);
const quarter = (ms: number) => Math.floor(ms / QUARTER_MS) * QUARTER_MS;

/**
 * A flex order of the organisation on an open request on the feeder, written as the market leaves
 * one (the API makes no request whose ISPs have begun): the request asks for `requestIsps`, the
 * ordered offer covers `offerIsps` of them.
 */
async function flexOrderOn(organisationId: string, feederId: string, requestIsps: number[], offerIsps: number[] = requestIsps): Promise<string> {
  const id = randomUUID().slice(0, 8);
  const [requestId, offerId, orderId] = [`fr-h-${id}`, `fo-h-${id}`, `fx-h-${id}`];
  const substation = t.parish.feeders.find((feeder) => feeder.id === feederId)!.secondarySubstationId;
  const [periodStart, periodEnd] = [Math.min(...requestIsps), Math.max(...requestIsps) + QUARTER_MS];
  await sql(
    `INSERT INTO flexibility.flex_requests (id, congestion_point_kind, congestion_point_id, secondary_substation_id, status, period_start, period_end, expires_at)
     VALUES ($1, 'FEEDER', $2, $3, 'OPEN', $4, $5, $4)`,
    [requestId, feederId, substation, new Date(periodStart), new Date(periodEnd)],
  );
  await sql(`INSERT INTO flexibility.flex_request_recipients (request_id, organisation_id) VALUES ($1, $2)`, [requestId, organisationId]);
  await sql(
    `INSERT INTO flexibility.flex_offers (id, request_id, request_revision, organisation_id, status, price_eur_per_kwh, expires_at, idempotency_key, content_hash)
     VALUES ($1, $2, 1, $3, 'ORDERED', 0.2, $4, $1, 'test')`,
    [offerId, requestId, organisationId, new Date(periodStart)],
  );
  for (const start of requestIsps) await sql(`INSERT INTO flexibility.flex_request_isps (request_id, start, min_kw, max_kw) VALUES ($1, $2, 1, 1)`, [requestId, new Date(start)]);
  for (const start of offerIsps) await sql(`INSERT INTO flexibility.flex_offer_isps (offer_id, start, kw) VALUES ($1, $2, 1)`, [offerId, new Date(start)]);
  await sql(
    `INSERT INTO flexibility.flex_orders (id, offer_id, request_id, organisation_id, status, activation_factor, ordered_at) VALUES ($1, $2, $3, $4, 'ORDERED', 1, now() - interval '1 hour')`,
    [orderId, offerId, requestId, organisationId],
  );
  return orderId;
}

const commandCount = async () => Number((await sql(`SELECT count(*) AS n FROM hems.commands`)).rows[0].n);
const shift = (hems: TestHems, orderId: string, startMs: number, endMs: number) => ({
  hemsId: hems.hemsId,
  deviceId: hems.devices[0]!.id,
  kind: 'SHIFT',
  start: iso(startMs),
  end: iso(endMs),
  reason: 'FLEX_ORDER',
  orderId,
});

describe('the DSO and a running flex order', () => {
  it("does not see a rival's HEMS (nor the offerer's) behind a feeder where a flex order runs; a contracted-power order there opens them", async () => {
    // A feeder with HEMS of two retailers behind it.
    const pointById = new Map(t.parish.meteringPoints.map((point) => [point.id, point]));
    const feederOf = new Map(t.parish.connections.map((connection) => [connection.meteringPointId, connection.feederId]));
    const byFeeder = new Map<string, Map<string, string>>();
    for (const system of t.parish.hemsSystems) {
      const retailerId = pointById.get(system.meteringPointId)?.retailerId;
      const feederId = feederOf.get(system.meteringPointId);
      if (!retailerId || !feederId) continue;
      const byRetailer = byFeeder.get(feederId) ?? new Map<string, string>();
      if (!byRetailer.has(retailerId)) byRetailer.set(retailerId, system.id);
      byFeeder.set(feederId, byRetailer);
    }
    const [feederId, byRetailer] = [...byFeeder].find(([, hems]) => hems.size >= 2)!;
    const [[offererId, offerersHems], [, rivalsHems]] = [...byRetailer];
    const rivalsPoint = t.parish.hemsSystems.find((system) => system.id === rivalsHems)!.meteringPointId;

    // The offerer's order began a quarter-hour ago and runs another quarter-hour.
    const now = quarter(Date.now());
    const orderId = await flexOrderOn(offererId!, feederId, [now - QUARTER_MS, now]);
    // The market's view names the rival's point as behind the running order: HEMS must not read it as the DSO's licence.
    const { rows } = await sql(`SELECT 1 FROM flexibility.open_order_points_v WHERE order_id = $1 AND metering_point_id = $2 AND start <= now() AND expected_end > now()`, [orderId, rivalsPoint]);
    expect(rows).toHaveLength(1);
    for (const id of [rivalsHems, offerersHems]) {
      const { body } = await t.graphql(HEMS, { key: f.dsoKey, variables: { id } });
      expect([id, body.errors?.[0]?.extensions?.code]).toEqual([id, 'NOT_FOUND']);
    }

    const order = await t.graphql(`mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`, {
      key: f.dsoKey,
      variables: { input: { area: { feederIds: [feederId] }, reductionPercent: 30, start: iso(Date.now() - MINUTE_MS), expectedEnd: iso(Date.now() + HOUR_MS), reason: 'flex-order access test' } },
    });
    expect(order.body.errors).toBeUndefined();
    for (const id of [rivalsHems, offerersHems]) {
      const { body } = await t.graphql<{ hems: { id: string } }>(HEMS, { key: f.dsoKey, variables: { id } });
      expect(body.data?.hems).toEqual({ id });
    }
  });
});

describe("an aggregator's flex-order commands", () => {
  it('are refused with a hems:read consent alone (the settlement would show it the meter) and taken with metering:read too', async () => {
    const hems = await f.sharedHems(1);
    // Only the consents written here count.
    await sql(`UPDATE hub.consents SET revoked_at = now(), revoked_by_key_id = 'test' WHERE metering_point_id = $1 AND organisation_id = $2 AND revoked_at IS NULL`, [hems.pointId, AGGREGATOR_ID]);
    await f.share(hems.pointId, AGGREGATOR_ID);
    const start = quarter(Date.now()) + 2 * HOUR_MS;
    const orderId = await flexOrderOn(AGGREGATOR_ID, hems.feederId, [start, start + QUARTER_MS]);
    const aggregator = await f.keyFor('aggregator', AGGREGATOR_ID);
    const before = await commandCount();

    for (const command of [shift(hems, orderId, start, start + 2 * QUARTER_MS), { ...shift(hems, orderId, start, start + QUARTER_MS), kind: 'CURTAIL', targetPowerKw: 0 }]) {
      const { body } = await t.graphql(ISSUE, { key: aggregator, variables: { input: command } });
      expect(body.errors?.[0]).toMatchObject({
        message: `the market settles a flex order from the household's meter, so a flex order's commands need a metering:read consent for HEMS ${hems.hemsId}'s metering point (for an aggregator)`,
        extensions: { code: 'FORBIDDEN' },
      });
    }
    expect(await commandCount()).toBe(before);

    await sql(
      `INSERT INTO hub.consents (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
       VALUES ($1, $2, $3, ARRAY['metering:read']::hub.consent_scope[], now() - interval '1 day', now() + interval '30 days', 'test')`,
      [`test-metering-${randomUUID()}`, hems.pointId, AGGREGATOR_ID],
    );
    const { body } = await t.graphql<{ issueHemsCommand: { orderId: string; status: string } }>(ISSUE, { key: aggregator, variables: { input: shift(hems, orderId, start, start + 2 * QUARTER_MS) } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.issueHemsCommand).toEqual({ id: expect.any(String), orderId, status: 'SENT' });
    expect(await commandCount()).toBe(before + 1);
  });
});

describe("a flex order's command window", () => {
  it("is the ordered offer's ISPs, not the request's whole period", async () => {
    const hems = await f.sharedHems(1);
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const start = quarter(Date.now()) + 2 * HOUR_MS;
    const requestIsps = [0, 1, 2, 3].map((q) => start + q * QUARTER_MS);
    // The offer covers the request's second and third ISPs only.
    const orderId = await flexOrderOn(hems.retailerId, hems.feederId, requestIsps, [requestIsps[1]!, requestIsps[2]!]);
    const [bought, boughtEnd] = [requestIsps[1]!, requestIsps[3]!];
    const { rows } = await sql(`SELECT DISTINCT start, expected_end FROM flexibility.open_order_points_v WHERE order_id = $1`, [orderId]);
    expect(rows).toEqual([{ start: new Date(bought), expected_end: new Date(boughtEnd) }]);
    const before = await commandCount();

    const message = `the command's window must lie within flex order ${orderId}'s period, ${iso(bought)} to ${iso(boughtEnd)}`;
    for (const [from, to] of [
      [start, bought + QUARTER_MS],
      [bought, boughtEnd + QUARTER_MS],
      [start, start + 4 * QUARTER_MS],
    ] as const) {
      const { body } = await t.graphql(ISSUE, { key: retailer, variables: { input: shift(hems, orderId, from, to) } });
      expect([iso(from), iso(to), body.errors?.[0]]).toEqual([iso(from), iso(to), expect.objectContaining({ message, extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'start' }) })]);
    }
    expect(await commandCount()).toBe(before);
    const taken = await t.graphql(ISSUE, { key: retailer, variables: { input: shift(hems, orderId, bought, boughtEnd) } });
    expect(taken.body.errors).toBeUndefined();
    expect(await commandCount()).toBe(before + 1);
  });
});

describe('a household held for a flex order', () => {
  /**
   * A HEMS its retailer and an aggregator (hems:read and metering:read) may both command, and a flex
   * order of each on the feeder: the retailer's over `retailerIsps` (quarter-hours from two hours
   * ahead), the aggregator's over `aggregatorIsps`.
   */
  async function heldByTwo(retailerIsps = [0, 1, 2, 3], aggregatorIsps = retailerIsps) {
    const hems = await f.sharedHems(1);
    await f.share(hems.pointId, AGGREGATOR_ID);
    await sql(
      `INSERT INTO hub.consents (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
       VALUES ($1, $2, $3, ARRAY['metering:read']::hub.consent_scope[], now() - interval '1 day', now() + interval '30 days', 'test')`,
      [`test-metering-${randomUUID()}`, hems.pointId, AGGREGATOR_ID],
    );
    const start = quarter(Date.now()) + 2 * HOUR_MS;
    const at = (q: number) => start + q * QUARTER_MS;
    return {
      hems,
      at,
      retailer: { key: await f.keyFor('retailer', hems.retailerId), orderId: await flexOrderOn(hems.retailerId, hems.feederId, retailerIsps.map(at)) },
      aggregator: { key: await f.keyFor('aggregator', AGGREGATOR_ID), orderId: await flexOrderOn(AGGREGATOR_ID, hems.feederId, aggregatorIsps.map(at)) },
    };
  }
  const curtail = (hems: TestHems, orderId: string, startMs: number) => ({ ...shift(hems, orderId, startMs, startMs + QUARTER_MS), kind: 'CURTAIL', targetPowerKw: 0 });
  const restore = (hems: TestHems, orderId: string, startMs: number) => ({ ...shift(hems, orderId, startMs, startMs + QUARTER_MS), kind: 'RESTORE' });
  const conflict = (hemsId: string) => ({
    message: `HEMS ${hemsId}'s household is already held for another flex order over this period: a reduction is sold once`,
    extensions: { code: 'CONFLICT' },
  });
  const issue = (key: string, input: object) => t.graphql<{ issueHemsCommand: { id: string } }>(ISSUE, { key, variables: { input } });
  const takenOrCode = async (key: string, input: object) => (await issue(key, input)).body.errors?.[0]?.extensions?.code ?? 'TAKEN';

  it("is not sold to a second, overlapping flex order: another offerer's SHIFT or CURTAIL is a CONFLICT naming no one, and nothing is written", async () => {
    // The aggregator's order overlaps the retailer's by its last quarter-hour only.
    const { hems, at, retailer, aggregator } = await heldByTwo([0, 1], [1, 2, 3]);
    expect(await takenOrCode(retailer.key, shift(hems, retailer.orderId, at(0), at(1)))).toBe('TAKEN');
    const before = await commandCount();

    // Its ISPs after the overlap too: the whole order settles on the household's meter.
    for (const input of [shift(hems, aggregator.orderId, at(1), at(2)), curtail(hems, aggregator.orderId, at(3))]) {
      const { body } = await issue(aggregator.key, input);
      expect(body.errors?.[0]).toMatchObject(conflict(hems.hemsId));
      expect(JSON.stringify(body.errors)).not.toContain(hems.retailerId);
      expect(JSON.stringify(body.errors)).not.toContain(retailer.orderId);
    }
    expect(await commandCount()).toBe(before);
    // The first order's own offerer goes on commanding it.
    expect(await takenOrCode(retailer.key, curtail(hems, retailer.orderId, at(1)))).toBe('TAKEN');
  });

  it('is held by the order whatever became of its request, until the order is cancelled', async () => {
    const { hems, at, retailer, aggregator } = await heldByTwo([0], [0, 1, 2, 3]);
    expect(await takenOrCode(retailer.key, shift(hems, retailer.orderId, at(0), at(1)))).toBe('TAKEN');
    const requestOf = async (orderId: string) => (await sql(`SELECT request_id FROM flexibility.flex_orders WHERE id = $1`, [orderId])).rows[0].request_id as string;
    // Its period over, the close job closes the request: the order is still to be settled on the household's meter.
    await sql(`UPDATE flexibility.flex_requests SET status = 'CLOSED', closed_at = now(), close_reason = 'PERIOD_ENDED', restored_at = now() WHERE id = $1`, [await requestOf(retailer.orderId)]);
    expect(await takenOrCode(aggregator.key, shift(hems, aggregator.orderId, at(2), at(3)))).toBe('CONFLICT');
    await sql(`UPDATE flexibility.flex_orders SET status = 'SETTLED' WHERE id = $1`, [retailer.orderId]);
    expect(await takenOrCode(aggregator.key, shift(hems, aggregator.orderId, at(2), at(3)))).toBe('CONFLICT');
    // A cancelled order settles nothing.
    await sql(`UPDATE flexibility.flex_orders SET status = 'CANCELLED' WHERE id = $1`, [retailer.orderId]);
    expect(await takenOrCode(aggregator.key, shift(hems, aggregator.orderId, at(2), at(3)))).toBe('TAKEN');
  });

  it("is free for an order that does not overlap, for a RESTORE, and once the HEMS refused the first order's commands", async () => {
    const { hems, at, retailer, aggregator } = await heldByTwo([0, 1], [2, 3]);
    const first = await issue(retailer.key, shift(hems, retailer.orderId, at(0), at(2)));
    expect(first.body.errors).toBeUndefined();
    expect(await takenOrCode(aggregator.key, shift(hems, aggregator.orderId, at(2), at(4)))).toBe('TAKEN');

    const { hems: other, at: atOther, retailer: holder, aggregator: rival } = await heldByTwo();
    const held = await issue(holder.key, shift(other, holder.orderId, atOther(0), atOther(1)));
    // A RESTORE holds nothing off, so it neither collides nor puts the household into the rival's settlement.
    expect(await takenOrCode(rival.key, restore(other, rival.orderId, atOther(0)))).toBe('TAKEN');
    expect(await orderHems(t.database.handle.db, [rival.orderId])).toEqual([]);
    const refused = await t.graphql(`mutation($input: ReportHemsCommandOutcomeInput!) { reportHemsCommandOutcome(input: $input) { status } }`, {
      key: holder.key,
      variables: { input: { commandId: held.body.data!.issueHemsCommand.id, status: 'REJECTED' } },
    });
    expect(refused.body.errors).toBeUndefined();
    expect(await takenOrCode(rival.key, shift(other, rival.orderId, atOther(0), atOther(1)))).toBe('TAKEN');
  });

  it("is not sold twice by one offerer either: its own second overlapping order is a CONFLICT", async () => {
    const { hems, at, retailer } = await heldByTwo();
    const second = await flexOrderOn(hems.retailerId, hems.feederId, [at(2), at(3)]);
    expect(await takenOrCode(retailer.key, shift(hems, retailer.orderId, at(0), at(1)))).toBe('TAKEN');
    expect(await takenOrCode(retailer.key, shift(hems, second, at(2), at(3)))).toBe('CONFLICT');
  });

  it('answers a command with its own problems BAD_USER_INPUT before saying the household is held', async () => {
    const { hems, at, retailer, aggregator } = await heldByTwo();
    expect(await takenOrCode(retailer.key, shift(hems, retailer.orderId, at(0), at(1)))).toBe('TAKEN');
    // A window past the aggregator's order's period.
    expect(await takenOrCode(aggregator.key, shift(hems, aggregator.orderId, at(3), at(5)))).toBe('BAD_USER_INPUT');
  });

  it('is held by one of two offerers commanding it at the same moment', async () => {
    const { hems, at, retailer, aggregator } = await heldByTwo();
    const answers = await Promise.all([retailer, aggregator].map(({ key, orderId }) => takenOrCode(key, shift(hems, orderId, at(0), at(1)))));
    expect(answers.sort()).toEqual(['CONFLICT', 'TAKEN']);
    const { rows } = await sql(`SELECT count(DISTINCT order_id) AS n FROM hems.commands WHERE hems_id = $1`, [hems.hemsId]);
    expect(Number(rows[0].n)).toBe(1);
  });
});

import { eq, sql } from 'drizzle-orm';
import { devices, hemsCommands } from '../../../schema/tables';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs, type TestSubscriber } from '../../../tools/testing/ws-subscriber';
import { latestOutboxId } from '../../kit/outbox-tail';
import { expireHemsCommands } from '../hems-command.command';
import { hemsFixture, iso, type HemsFixture, type TestHems } from './shared-hems.fixture';

/**
 * Commands through the gateway: a retailer (or aggregator) sends them to a HEMS shared with it,
 * the HEMS's key (or the sender's platform) reports what came of them, the sender receives each
 * outcome as a HEMS_COMMAND event; unanswered ones expire.
 */

let t: TestHub;
let f: HemsFixture;
const subscribers: TestSubscriber<EventFrame>[] = [];

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

const COMMAND_FIELDS = 'id kind targetPowerKw start end reason orderId issuerId status issuedAt expiresAt acknowledgedAt executedAt rejectedAt expiredAt outcomeDetail';
const ISSUE = `mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { ${COMMAND_FIELDS} hems { id } device { id } } }`;
const REPORT = `mutation($input: ReportHemsCommandOutcomeInput!) { reportHemsCommandOutcome(input: $input) { ${COMMAND_FIELDS} } }`;
const ONE = `query($id: ID!) { hemsCommand(id: $id) { id status hems { id } device { id } } }`;
const LIST = `query($hemsId: ID, $first: Int, $after: String) { hemsCommands(hemsId: $hemsId, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
const EVENTS = `subscription($after: ID) { hubEvents(types: [HEMS_COMMAND], after: $after) { eventId type hemsCommand { eventId kind command { id status } } } }`;

interface Command {
  id: string;
  kind: string;
  targetPowerKw: number | null;
  status: string;
  issuerId: string;
  issuedAt: string;
  expiresAt: string;
  acknowledgedAt: string | null;
  executedAt: string | null;
  rejectedAt: string | null;
  expiredAt: string | null;
  outcomeDetail: string | null;
  hems?: { id: string } | null;
  device?: { id: string } | null;
}
interface EventFrame {
  data: { hubEvents: { eventId: string; type: string; hemsCommand: { eventId: string; kind: string; command: { id: string; status: string } | null } } };
}

beforeAll(async () => {
  t = await startTestHub();
  f = await hemsFixture(t);
});
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
});
afterAll(() => t.stop());

/** A contracted-power order in force now on the feeder (the HEMS's by default): addressed to the retailers of its points. */
async function orderOn(hems: TestHems, feederId = hems.feederId): Promise<string> {
  const { body } = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(`mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`, {
    key: f.dsoKey,
    variables: { input: { area: { feederIds: [feederId] }, reductionPercent: 30, start: iso(Date.now() - MINUTE_MS), expectedEnd: iso(Date.now() + 6 * HOUR_MS), reason: 'hems-commands test' } },
  });
  expect(body.errors).toBeUndefined();
  return body.data!.issueContractedPowerOrder.id;
}

/** A curtailment of the HEMS's first controllable device to half its rated power, an hour from now for two hours. */
const curtailment = (hems: TestHems, orderId: string, overrides: Record<string, unknown> = {}) => ({
  hemsId: hems.hemsId,
  deviceId: hems.devices[0]!.id,
  kind: 'CURTAIL',
  targetPowerKw: hems.devices[0]!.ratedPowerKw / 2,
  start: iso(Date.now() + HOUR_MS),
  end: iso(Date.now() + 3 * HOUR_MS),
  reason: 'CONTRACTED_POWER_ORDER',
  orderId,
  ...overrides,
});

const issue = (key: string, input: Record<string, unknown>) => t.graphql<{ issueHemsCommand: Command }>(ISSUE, { key, variables: { input } });
const report = (key: string, input: Record<string, unknown>) => t.graphql<{ reportHemsCommandOutcome: Command }>(REPORT, { key, variables: { input } });

async function issued(key: string, input: Record<string, unknown>): Promise<Command> {
  const { body } = await issue(key, input);
  if (body.errors) throw new Error(`issueHemsCommand failed: ${JSON.stringify(body.errors)}`);
  return body.data!.issueHemsCommand;
}

const subscribe = async (key: string) => {
  const subscriber = subscribeOverWs<EventFrame>(t.hub.url, key, EVENTS, { after: String(await latestOutboxId(t.database.handle.pool)) });
  subscribers.push(subscriber);
  return subscriber;
};

/** Commands, HEMS_COMMAND events and audit lines of HEMS commands, all told. */
async function counts(): Promise<{ commands: number; events: number; audit: number }> {
  const { rows } = await t.database.handle.pool.query<{ commands: string; events: string; audit: string }>(`
    SELECT (SELECT count(*) FROM hems.commands) AS commands, (SELECT count(*) FROM hub.outbox WHERE type = 'HEMS_COMMAND') AS events,
      (SELECT count(*) FROM hub.audit_log WHERE operation IN ('issueHemsCommand', 'reportHemsCommandOutcome')) AS audit`);
  return { commands: Number(rows[0]!.commands), events: Number(rows[0]!.events), audit: Number(rows[0]!.audit) };
}

describe('issuing and reporting', () => {
  it('lets a retailer curtail a device; the HEMS reports ACKNOWLEDGED then EXECUTED, and the retailer receives each outcome', async () => {
    const hems = await f.sharedHems();
    const orderId = await orderOn(hems);
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const events = await subscribe(retailer);
    const before = await counts();

    const command = await issued(retailer, curtailment(hems, orderId));
    expect(command).toMatchObject({
      kind: 'CURTAIL',
      targetPowerKw: hems.devices[0]!.ratedPowerKw / 2,
      status: 'SENT',
      issuerId: hems.retailerId,
      acknowledgedAt: null,
      hems: { id: hems.hemsId },
      device: { id: hems.devices[0]!.id },
    });
    // Not told when to answer by: by the start, an hour away.
    expect(Date.parse(command.expiresAt)).toBeGreaterThan(Date.now() + 50 * MINUTE_MS);

    const own = await f.keyFor('hems', hems.hemsId);
    // Times as the HEMS gives them (here: the earliest each could be), not when the report came in.
    const acknowledgedAt = command.issuedAt;
    const acknowledged = await report(own, { commandId: command.id, status: 'ACKNOWLEDGED', at: acknowledgedAt });
    expect(acknowledged.body.data!.reportHemsCommandOutcome).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedAt, executedAt: null });
    const executedAt = acknowledgedAt;
    const executed = await report(own, { commandId: command.id, status: 'EXECUTED', at: executedAt, detail: ' charger limited to 16 A ' });
    expect(executed.body.data!.reportHemsCommandOutcome).toMatchObject({ status: 'EXECUTED', executedAt, outcomeDetail: 'charger limited to 16 A' });

    const first = (await events.next()).data.hubEvents;
    const second = (await events.next()).data.hubEvents;
    expect(first).toMatchObject({ type: 'HEMS_COMMAND', hemsCommand: { kind: 'ACKNOWLEDGED', command: { id: command.id } } });
    expect(second).toMatchObject({ type: 'HEMS_COMMAND', hemsCommand: { kind: 'EXECUTED', command: { id: command.id, status: 'EXECUTED' } } });
    expect(events.errors).toEqual([]);
    expect(await counts()).toEqual({ commands: before.commands + 1, events: before.events + 2, audit: before.audit + 3 });

    // The outcome is the sender's: another retailer neither receives the event nor finds the command.
    const other = await f.keyFor('retailer', f.otherRetailer(hems.retailerId));
    const event = await t.graphql(`query($id: ID!) { hubEvent(eventId: $id) { eventId } }`, { key: other, variables: { id: first.eventId } });
    expect(event.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await t.graphql(ONE, { key: other, variables: { id: command.id } })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The customer sees what was asked of its HEMS.
    const customer = await t.graphql<{ hemsCommand: { status: string; hems: { id: string } } }>(ONE, { key: await f.keyFor('customer', hems.pointId), variables: { id: command.id } });
    expect(customer.body.data!.hemsCommand).toMatchObject({ status: 'EXECUTED', hems: { id: hems.hemsId } });
  });

  it('lets the sending platform relay the outcome; a change the status does not allow is CONFLICT and changes nothing', async () => {
    const hems = await f.sharedHems();
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const command = await issued(retailer, { hemsId: hems.hemsId, kind: 'RESTORE', start: iso(Date.now()), end: iso(Date.now() + HOUR_MS), reason: 'CONTRACTED_POWER_ORDER', orderId: await orderOn(hems) });
    expect(command).toMatchObject({ kind: 'RESTORE', targetPowerKw: null, device: null });
    const rejected = await report(retailer, { commandId: command.id, status: 'REJECTED', detail: 'customer override' });
    expect(rejected.body.data!.reportHemsCommandOutcome).toMatchObject({ status: 'REJECTED', rejectedAt: expect.any(String), outcomeDetail: 'customer override' });

    const before = await counts();
    for (const status of ['ACKNOWLEDGED', 'EXECUTED', 'REJECTED']) {
      const { body } = await report(await f.keyFor('hems', hems.hemsId), { commandId: command.id, status });
      expect(body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    }
    expect(await counts()).toEqual(before);

    const acknowledged = await issued(retailer, { hemsId: hems.hemsId, kind: 'RESTORE', start: iso(Date.now()), end: iso(Date.now() + HOUR_MS), reason: 'CONTRACTED_POWER_ORDER', orderId: await orderOn(hems) });
    expect((await report(retailer, { commandId: acknowledged.id, status: 'ACKNOWLEDGED' })).body.errors).toBeUndefined();
    expect((await report(retailer, { commandId: acknowledged.id, status: 'ACKNOWLEDGED' })).body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // The command and its acknowledgement, each with its audit line; the acknowledgement's event; nothing of the refused one.
    expect(await counts()).toEqual({ commands: before.commands + 1, events: before.events + 1, audit: before.audit + 2 });
  });

  it('finds the command only for its HEMS’s key and its sender when reporting: NOT_FOUND to others', async () => {
    const hems = await f.sharedHems();
    const another = await f.sharedHems();
    const command = await issued(await f.keyFor('retailer', hems.retailerId), { hemsId: hems.hemsId, kind: 'RESTORE', start: iso(Date.now()), end: iso(Date.now() + HOUR_MS), reason: 'CONTRACTED_POWER_ORDER', orderId: await orderOn(hems) });
    for (const key of [await f.keyFor('hems', another.hemsId), await f.keyFor('retailer', f.otherRetailer(hems.retailerId))]) {
      expect((await report(key, { commandId: command.id, status: 'ACKNOWLEDGED' })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    // Customers and the DSO report nothing: they lack both hems:report and hems:control.
    for (const key of [await f.keyFor('customer', hems.pointId), f.dsoKey]) {
      expect((await report(key, { commandId: command.id, status: 'ACKNOWLEDGED' })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    // The HEMS's key reads back its command's outcome, but nothing of the household through it.
    const own = await report(await f.keyFor('hems', hems.hemsId), { commandId: command.id, status: 'ACKNOWLEDGED' });
    expect(own.body.data!.reportHemsCommandOutcome.status).toBe('ACKNOWLEDGED');
    const through = await t.graphql(`mutation($input: ReportHemsCommandOutcomeInput!) { reportHemsCommandOutcome(input: $input) { id hems { id } } }`, {
      key: await f.keyFor('hems', hems.hemsId),
      variables: { input: { commandId: command.id, status: 'EXECUTED' } },
    });
    expect(through.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('bad commands', () => {
  it('refuses bad commands with BAD_USER_INPUT naming the field, writing nothing', async () => {
    const hems = await f.sharedHems(2);
    const orderId = await orderOn(hems);
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const [device, fixed] = hems.devices;
    await t.database.handle.db.update(devices).set({ controllable: false }).where(eq(devices.id, fixed!.id));
    const elsewhere = t.parish.hemsDevices.find((candidate) => candidate.hemsId !== hems.hemsId)!;
    // A controllable PV inverter: holding its output off raises consumption, against any order.
    const pv = `${hems.hemsId}-PV-TEST`;
    await t.database.handle.db.insert(devices).values({ id: pv, hemsId: hems.hemsId, kind: 'PV_INVERTER', ratedPowerKw: 4, controllable: true, state: 'ON', powerKw: 0, stateAt: new Date() });
    const now = Date.now();
    const restoredOrder = await orderOn(hems);
    expect((await t.graphql(`mutation($id: ID!) { restoreContractedPowerOrder(id: $id) { id } }`, { key: f.dsoKey, variables: { id: restoredOrder } })).body.errors).toBeUndefined();
    const before = await counts();

    const cases: [Record<string, unknown>, string][] = [
      [{ targetPowerKw: null }, 'targetPowerKw'],
      [{ targetPowerKw: device!.ratedPowerKw + 0.1 }, 'targetPowerKw'],
      [{ targetPowerKw: -1 }, 'targetPowerKw'],
      [{ kind: 'SHIFT', targetPowerKw: 1 }, 'targetPowerKw'],
      [{ kind: 'RESTORE', targetPowerKw: 1 }, 'targetPowerKw'],
      [{ deviceId: null }, 'deviceId'],
      [{ deviceId: elsewhere.id, targetPowerKw: 0 }, 'deviceId'],
      [{ deviceId: 'NO-SUCH-DEVICE', targetPowerKw: 0 }, 'deviceId'],
      [{ deviceId: fixed!.id, targetPowerKw: 0 }, 'deviceId'],
      [{ deviceId: pv, targetPowerKw: 1 }, 'deviceId'],
      [{ deviceId: pv, kind: 'SHIFT', targetPowerKw: null }, 'deviceId'],
      [{ start: iso(now + 3 * HOUR_MS), end: iso(now + HOUR_MS) }, 'end'],
      [{ start: iso(now - 3 * HOUR_MS), end: iso(now - HOUR_MS) }, 'end'],
      [{ start: iso(now), end: iso(now + 25 * HOUR_MS) }, 'end'],
      [{ expiresAt: iso(now - MINUTE_MS) }, 'expiresAt'],
      [{ expiresAt: iso(now + 4 * HOUR_MS) }, 'expiresAt'],
      [{ orderId: '  ' }, 'orderId'],
      [{ orderId: 'cpo-no-such-order' }, 'orderId'],
      [{ orderId: restoredOrder }, 'orderId'],
    ];
    for (const [overrides, field] of cases) {
      const { body } = await issue(retailer, curtailment(hems, orderId, overrides));
      expect([overrides, body.errors?.[0]?.extensions]).toEqual([overrides, expect.objectContaining({ code: 'BAD_USER_INPUT', field })]);
    }
    // An order in force elsewhere does not cover this HEMS.
    const away = t.parish.connections.find((connection) => connection.feederId !== hems.feederId)!.feederId;
    const awayOrder = await orderOn(hems, away);
    expect((await issue(retailer, curtailment(hems, awayOrder))).body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderId' });
    expect(await counts()).toEqual(before);
  });

  it('refuses a command to a HEMS whose customer stopped sharing it: FORBIDDEN saying so; NOT_FOUND to a retailer it was never shared with', async () => {
    const hems = await f.sharedHems();
    const orderId = await orderOn(hems);
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const earlier = await issued(retailer, curtailment(hems, orderId));
    await f.stopSharing(hems.pointId, hems.retailerId);
    const before = await counts();

    const { body } = await issue(retailer, curtailment(hems, orderId));
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(body.errors?.[0]?.message).toBe(`HEMS ${hems.hemsId} is no longer shared with you: the customer's hems:read consent or your supply contract has ended`);
    const stranger = await issue(await f.keyFor('retailer', f.otherRetailer(hems.retailerId)), curtailment(hems, orderId));
    expect(stranger.body.errors?.[0]).toMatchObject({ message: 'HEMS not found', extensions: { code: 'NOT_FOUND' } });
    expect(await counts()).toEqual(before);

    // What it sent before stays its own record, without the household's HEMS.
    const own = await t.graphql<{ hemsCommand: { id: string; hems: null; device: null } }>(ONE, { key: retailer, variables: { id: earlier.id } });
    expect(own.body.data!.hemsCommand).toEqual({ id: earlier.id, status: 'SENT', hems: null, device: null });
  });
});

describe('expiry', () => {
  it('expires a command not answered in time, pushes that to its sender, and takes no outcome after', async () => {
    const hems = await f.sharedHems();
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const events = await subscribe(retailer);
    const command = await issued(retailer, { hemsId: hems.hemsId, deviceId: hems.devices[0]!.id, kind: 'SHIFT', start: iso(Date.now()), end: iso(Date.now() + HOUR_MS), reason: 'CONTRACTED_POWER_ORDER', orderId: await orderOn(hems) });
    // Not told when to answer by, for a command starting now: five minutes.
    expect(Date.parse(command.expiresAt) - Date.parse(command.issuedAt)).toBeGreaterThanOrEqual(5 * MINUTE_MS - 1_000);
    await t.database.handle.db.update(hemsCommands).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(hemsCommands.id, command.id));

    // The subgraph's own sweep may be first: either way it is expired once.
    await expireHemsCommands(t.database.handle.db);
    const event = (await events.next()).data.hubEvents;
    expect(event).toMatchObject({ type: 'HEMS_COMMAND', hemsCommand: { kind: 'EXPIRED', command: { id: command.id, status: 'EXPIRED' } } });
    const { rows } = await t.database.handle.pool.query(`SELECT count(*)::int AS n FROM hub.outbox WHERE type = 'HEMS_COMMAND' AND payload->>'commandId' = $1`, [command.id]);
    expect(rows[0].n).toBe(1);

    const late = await report(await f.keyFor('hems', hems.hemsId), { commandId: command.id, status: 'ACKNOWLEDGED' });
    expect(late.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const one = await t.graphql<{ hemsCommand: { status: string } }>(ONE, { key: retailer, variables: { id: command.id } });
    expect(one.body.data!.hemsCommand.status).toBe('EXPIRED');
  });

  it('takes no outcome for a SENT command past its expiry even before the sweep marks it', async () => {
    const hems = await f.sharedHems();
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const command = await issued(retailer, { hemsId: hems.hemsId, kind: 'RESTORE', start: iso(Date.now()), end: iso(Date.now() + HOUR_MS), reason: 'CONTRACTED_POWER_ORDER', orderId: await orderOn(hems) });
    await t.database.handle.db.update(hemsCommands).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(hemsCommands.id, command.id));
    const { body } = await report(await f.keyFor('hems', hems.hemsId), { commandId: command.id, status: 'EXECUTED' });
    expect(body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/did not answer in time/), extensions: { code: 'CONFLICT' } });
  });
});

describe('listing', () => {
  it("lists the sender's commands newest first by pages, and the customer those sent to its HEMS", async () => {
    const hems = await f.sharedHems();
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      sent.push((await issued(retailer, { hemsId: hems.hemsId, kind: 'RESTORE', start: iso(Date.now()), end: iso(Date.now() + HOUR_MS), reason: 'CONTRACTED_POWER_ORDER', orderId: await orderOn(hems) })).id);
    }
    type Listed = { hemsCommands: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string } }[] } };
    const first = await t.graphql<Listed>(LIST, { key: retailer, variables: { hemsId: hems.hemsId, first: 2 } });
    expect(first.body.data!.hemsCommands).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const second = await t.graphql<Listed>(LIST, { key: retailer, variables: { hemsId: hems.hemsId, first: 2, after: first.body.data!.hemsCommands.pageInfo.endCursor } });
    expect(second.body.data!.hemsCommands.pageInfo.hasNextPage).toBe(false);
    const ids = [...first.body.data!.hemsCommands.edges, ...second.body.data!.hemsCommands.edges].map((edge) => edge.node.id);
    expect(ids).toEqual([...sent].reverse());

    const customer = await t.graphql<Listed>(LIST, { key: await f.keyFor('customer', hems.pointId), variables: {} });
    expect(customer.body.data!.hemsCommands.edges.map((edge) => edge.node.id)).toEqual([...sent].reverse());
    const stranger = await t.graphql<Listed>(LIST, { key: await f.keyFor('retailer', f.otherRetailer(hems.retailerId)), variables: { hemsId: hems.hemsId } });
    expect(stranger.body.data!.hemsCommands.totalCount).toBe(0);
    expect((await t.graphql(LIST, { key: retailer, variables: { after: 'bm90LWEta2V5' } })).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('restoring once the order has left', () => {
  const QUARTER_MS = 15 * MINUTE_MS;
  const LIST_OWN = `query($hemsId: ID) { hemsCommands(hemsId: $hemsId) { edges { node { id reason } } } }`;
  const refusal = async (key: string, input: Record<string, unknown>) => (await issue(key, input)).body.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message]);


  /**
   * A flex order of the HEMS's retailer covering the HEMS, through the API: the customer lets the
   * device be held off all day, the HEMS reports itself online, the DSO asks for 0.1 kW in two ISPs
   * three hours ahead on its feeder, the retailer offers it and the DSO orders it.
   */
  async function flexOrderFor(hems: TestHems, deviceId: string, retailer: string): Promise<{ requestId: string; orderId: string; startMs: number }> {
    const startMs = Math.ceil(Date.now() / QUARTER_MS) * QUARTER_MS + 3 * HOUR_MS;
    const customer = await f.keyFor('customer', hems.pointId);
    const loads = await t.graphql(`mutation($input: SetFlexibleLoadsInput!) { setFlexibleLoads(input: $input) { id } }`, {
      key: customer,
      variables: { input: { hemsId: hems.hemsId, loads: [{ deviceId, earliestStart: '00:00', latestEnd: '00:00', maxShiftMinutes: 240, minRunMinutes: 15, priority: 1, optedOut: false }] } },
    });
    expect(loads.body.errors).toBeUndefined();
    const online = await t.graphql(`mutation($input: ReportHemsTelemetryInput!) { reportHemsTelemetry(input: $input) { reports } }`, {
      key: retailer,
      variables: { input: { reports: [{ hemsId: hems.hemsId, at: iso(Date.now()), devices: [{ deviceId, state: 'ON', powerKw: 1 }] }] } },
    });
    expect(online.body.errors).toBeUndefined();
    const isps = [startMs, startMs + QUARTER_MS];
    const request = await t.graphql<{ createFlexRequest: { id: string } }>(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      key: f.dsoKey,
      variables: { input: { congestionPointId: hems.feederId, isps: isps.map((ms) => ({ start: iso(ms), minKw: 0.1, maxKw: 0.1 })), expiresAt: iso(Date.now() + HOUR_MS) } },
    });
    expect(request.body.errors).toBeUndefined();
    const requestId = request.body.data!.createFlexRequest.id;
    const offer = await t.graphql<{ submitFlexOffer: { id: string } }>(`mutation($input: SubmitFlexOfferInput!) { submitFlexOffer(input: $input) { id } }`, {
      key: retailer,
      variables: { input: { flexRequestId: requestId, isps: isps.map((ms) => ({ start: iso(ms), kw: 0.1 })), priceEurPerKwh: 0.2, expiresAt: iso(Date.now() + HOUR_MS / 2), idempotencyKey: `restore-${requestId}` } },
    });
    expect(offer.body.errors).toBeUndefined();
    const order = await t.graphql<{ orderFlex: { id: string } }>(`mutation($input: OrderFlexInput!) { orderFlex(input: $input) { id } }`, { key: f.dsoKey, variables: { input: { offerId: offer.body.data!.submitFlexOffer.id } } });
    expect(order.body.errors).toBeUndefined();
    return { requestId, orderId: order.body.data!.orderFlex.id, startMs };
  }

  it('takes a FLEX_ORDER RESTORE after FLEX_RESTORE from the sender that held the HEMS off for the order, and refuses a new SHIFT and a RESTORE of an order never held', async () => {
    const hems = await f.sharedHems(1);
    const deviceId = hems.devices[0]!.id;
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const held = await flexOrderFor(hems, deviceId, retailer);
    const untouched = await flexOrderFor(hems, deviceId, retailer);
    const window = { start: iso(held.startMs), end: iso(held.startMs + 2 * QUARTER_MS) };
    const shift = await issued(retailer, { hemsId: hems.hemsId, deviceId, kind: 'SHIFT', ...window, reason: 'FLEX_ORDER', orderId: held.orderId });
    // The DSO closes both requests: FLEX_RESTORE, and the orders (not started) leave the open orders.
    for (const { requestId } of [held, untouched]) {
      expect((await t.graphql(`mutation($id: ID!) { closeFlexRequest(id: $id) { status } }`, { key: f.dsoKey, variables: { id: requestId } })).body.errors).toBeUndefined();
    }
    const { rows: open } = await t.database.handle.pool.query(`SELECT 1 FROM flexibility.open_order_points_v WHERE order_id = ANY($1)`, [[held.orderId, untouched.orderId]]);
    expect(open).toEqual([]);
    const before = await counts();

    const restore = await issued(retailer, { hemsId: hems.hemsId, kind: 'RESTORE', ...window, reason: 'FLEX_ORDER', orderId: held.orderId });
    expect(restore).toMatchObject({ kind: 'RESTORE', reason: 'FLEX_ORDER', orderId: held.orderId, status: 'SENT', issuerId: hems.retailerId });
    expect(await counts()).toEqual({ commands: before.commands + 1, events: before.events, audit: before.audit + 1 });
    // Holding off again is the order's, which is over; restoring what was never held off is nobody's.
    expect(await refusal(retailer, { hemsId: hems.hemsId, deviceId, kind: 'SHIFT', ...window, reason: 'FLEX_ORDER', orderId: held.orderId })).toEqual([
      ['BAD_USER_INPUT', 'orderId', `no flex order ${held.orderId} of yours, ordered or activated on an open request, covers this HEMS's metering point`],
    ]);
    expect(await refusal(retailer, { hemsId: hems.hemsId, kind: 'RESTORE', ...window, reason: 'FLEX_ORDER', orderId: untouched.orderId })).toEqual([
      [
        'BAD_USER_INPUT',
        'orderId',
        `no flex order ${untouched.orderId} of yours, ordered or activated on an open request, covers this HEMS's metering point, and you sent this HEMS no SHIFT or CURTAIL for it to restore`,
      ],
    ]);
    expect(await counts()).toEqual({ commands: before.commands + 1, events: before.events, audit: before.audit + 1 });
    // The DSO, which ordered that flexibility, reads both commands sent for it.
    const dso = await t.graphql<{ hemsCommands: { edges: { node: { id: string; reason: string } }[] } }>(LIST_OWN, { key: f.dsoKey, variables: { hemsId: hems.hemsId } });
    expect(dso.body.data!.hemsCommands.edges.map((edge) => edge.node)).toEqual([
      { id: restore.id, reason: 'FLEX_ORDER' },
      { id: shift.id, reason: 'FLEX_ORDER' },
    ]);
  });

  it('takes a CONTRACTED_POWER_ORDER RESTORE after the DSO restored the order from the sender that curtailed the HEMS for it, and the DSO sees none of those commands', async () => {
    const hems = await f.sharedHems();
    const retailer = await f.keyFor('retailer', hems.retailerId);
    const [curtailed, untouched] = [await orderOn(hems), await orderOn(hems)];
    const curtail = await issued(retailer, curtailment(hems, curtailed));
    for (const orderId of [curtailed, untouched]) {
      expect((await t.graphql(`mutation($id: ID!) { restoreContractedPowerOrder(id: $id) { id } }`, { key: f.dsoKey, variables: { id: orderId } })).body.errors).toBeUndefined();
    }
    const window = { start: iso(Date.now() + HOUR_MS), end: iso(Date.now() + 2 * HOUR_MS) };
    const restore = await issued(retailer, { hemsId: hems.hemsId, kind: 'RESTORE', ...window, reason: 'CONTRACTED_POWER_ORDER', orderId: curtailed });
    expect(restore).toMatchObject({ kind: 'RESTORE', reason: 'CONTRACTED_POWER_ORDER', orderId: curtailed, status: 'SENT' });
    expect(await refusal(retailer, curtailment(hems, curtailed))).toEqual([
      ['BAD_USER_INPUT', 'orderId', `no contracted-power order ${curtailed} in force covers this HEMS's metering point and is addressed to you`],
    ]);
    expect(await refusal(retailer, { hemsId: hems.hemsId, kind: 'RESTORE', ...window, reason: 'CONTRACTED_POWER_ORDER', orderId: untouched })).toEqual([
      [
        'BAD_USER_INPUT',
        'orderId',
        `no contracted-power order ${untouched} in force covers this HEMS's metering point and is addressed to you, and you sent this HEMS no SHIFT or CURTAIL for it to restore`,
      ],
    ]);
    // The sender sees both; the DSO neither (only commands sent for flex orders are its).
    const own = await t.graphql<{ hemsCommands: { edges: { node: { id: string } }[] } }>(LIST_OWN, { key: retailer, variables: { hemsId: hems.hemsId } });
    expect(own.body.data!.hemsCommands.edges.map((edge) => edge.node.id)).toEqual([restore.id, curtail.id]);
    const dso = await t.graphql<{ hemsCommands: { edges: unknown[] } }>(LIST_OWN, { key: f.dsoKey, variables: { hemsId: hems.hemsId } });
    expect(dso.body.data!.hemsCommands.edges).toEqual([]);
    expect((await t.graphql(ONE, { key: f.dsoKey, variables: { id: curtail.id } })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

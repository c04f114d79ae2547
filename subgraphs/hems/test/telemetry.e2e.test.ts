import { randomUUID } from 'node:crypto';
import { flexRequestInput } from '../../../tools/testing/flex-request-input';
import { pointsSuppliedNowBy, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs, type TestSubscriber } from '../../../tools/testing/ws-subscriber';
import { latestOutboxId } from '../../kit/outbox-tail';

/**
 * reportHemsTelemetry through the gateway (who may report, what is refused, what is stored) and
 * the presence it drives: a HEMS silent for HEMS_OFFLINE_AFTER_S (3 s here) goes offline, which
 * the parties it is shared with, and only they, are told over hubEvents.
 */

const OFFLINE_AFTER_S = 3;

let t: TestHub;
let dsoKey: string;

beforeAll(async () => {
  t = await startTestHub({ customers: 300, settings: { hemsOfflineAfterS: OFFLINE_AFTER_S } });
  dsoKey = await t.createKey('dso', 'dso');
});
afterAll(() => t.stop());

const REPORT = `mutation($input: ReportHemsTelemetryInput!) { reportHemsTelemetry(input: $input) { reports devices duplicates } }`;

interface Receipt {
  reportHemsTelemetry: { reports: number; devices: number; duplicates: number };
}

interface TestHems {
  hemsId: string;
  pointId: string;
  /** An EV charger of 7.4 kW and a water heater of 2 kW. */
  ev: string;
  heater: string;
  retailerId: string;
}

const taken = new Set<string>();

/**
 * A HEMS of our own with two devices behind a point the retailer supplies now, shared with it (a
 * hems:read consent), so that no test depends on which households the seed gave a HEMS.
 */
async function sharedHems(retailerId: string): Promise<TestHems> {
  const seeded = new Set(t.parish.hemsSystems.map((hems) => hems.meteringPointId));
  const point = pointsSuppliedNowBy(t.parish, retailerId).find((candidate) => !seeded.has(candidate.id) && !taken.has(candidate.id))!;
  taken.add(point.id);
  const hemsId = `T-HEMS-${taken.size}`;
  const db = t.database.handle.pool;
  await db.query(`INSERT INTO hems.systems (id, metering_point_id, vendor, installed_at) VALUES ($1, $2, 'Test', now() - interval '1 year')`, [hemsId, point.id]);
  await db.query(
    `INSERT INTO hems.devices (id, hems_id, kind, rated_power_kw) VALUES ($1 || '-EV', $1, 'EV_CHARGER', 7.4), ($1 || '-WH', $1, 'WATER_HEATER', 2)`,
    [hemsId],
  );
  await db.query(
    `INSERT INTO hub.consents (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
     VALUES ($1, $2, $3, '{hems:read}', now() - interval '1 day', now() + interval '1 year', 'test')`,
    [randomUUID(), point.id, retailerId],
  );
  return { hemsId, pointId: point.id, ev: `${hemsId}-EV`, heater: `${hemsId}-WH`, retailerId };
}

const iso = (ms: number) => new Date(ms).toISOString();

function reportOf(hems: TestHems, atMs: number, evKw = 7.4, heaterKw = 0) {
  return {
    hemsId: hems.hemsId,
    at: iso(atMs),
    devices: [
      { deviceId: hems.ev, state: evKw > 0 ? 'ON' : 'OFF', powerKw: evKw },
      { deviceId: hems.heater, state: heaterKw > 0 ? 'ON' : 'STANDBY', powerKw: heaterKw },
    ],
  };
}

const report = (key: string, reports: unknown[]) => t.graphql<Receipt>(REPORT, { key, variables: { input: { reports } } });

async function telemetryRows(hemsId: string): Promise<number> {
  const { rows } = await t.database.handle.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM hems.telemetry WHERE hems_id = $1', [hemsId]);
  return rows[0]!.n;
}

async function presentState(deviceId: string) {
  const { rows } = await t.database.handle.pool.query<{ state: string | null; power_kw: number | null; state_at: Date | null }>(
    'SELECT state, power_kw, state_at FROM hems.devices WHERE id = $1',
    [deviceId],
  );
  return rows[0]!;
}

describe('reportHemsTelemetry', () => {
  it("stores a retailer platform's batch, moves each device's present state to its newest report and marks a HEMS reporting now online", async () => {
    const first = await sharedHems('ret-edpc');
    const second = await sharedHems('ret-edpc');
    const key = await t.createKey('retailer', 'ret-edpc');
    const now = Date.now();
    // The newer report first: the present state is the newest, whatever the order.
    const { body } = await report(key, [reportOf(first, now, 3.2, 2), reportOf(first, now - 60_000, 7.4, 0), reportOf(second, now - 30_000, 0, 1.5)]);

    expect(body.errors).toBeUndefined();
    expect(body.data!.reportHemsTelemetry).toEqual({ reports: 3, devices: 6, duplicates: 0 });
    expect(await telemetryRows(first.hemsId)).toBe(4);
    expect(await presentState(first.ev)).toEqual({ state: 'ON', power_kw: 3.2, state_at: new Date(now) });
    expect(await presentState(second.heater)).toEqual({ state: 'ON', power_kw: 1.5, state_at: new Date(now - 30_000) });

    const read = await t.graphql<{ hems: { online: boolean; lastSeenAt: string; devices: { id: string; state: string; powerKw: number }[] } }>(
      `query($id: ID!) { hems(id: $id) { online lastSeenAt devices { id state powerKw } } }`,
      { key, variables: { id: first.hemsId } },
    );
    expect(read.body.data!.hems).toEqual({
      online: true,
      lastSeenAt: iso(now),
      devices: [
        { id: first.ev, state: 'ON', powerKw: 3.2 },
        { id: first.heater, state: 'ON', powerKw: 2 },
      ],
    });
    const { rows } = await t.database.handle.pool.query<{ n: number; detail: string }>(
      `SELECT count(*) OVER ()::int AS n, detail FROM hub.audit_log WHERE operation = 'reportHemsTelemetry' AND organisation_id = 'ret-edpc' AND target = '2 HEMS'`,
    );
    // The second HEMS's only report is older than HEMS_OFFLINE_AFTER_S: stored, but no sign that it is online now.
    expect(rows).toEqual([{ n: 1, detail: '3 reports, 6 device rows (0 already stored), 1 HEMS back online' }]);
    const { rows: presence } = await t.database.handle.pool.query('SELECT id, online, last_seen_at FROM hems.systems WHERE id = ANY($1) ORDER BY id', [[first.hemsId, second.hemsId]]);
    expect(presence).toEqual([
      { id: first.hemsId, online: true, last_seen_at: new Date(now) },
      { id: second.hemsId, online: false, last_seen_at: new Date(now - 30_000) },
    ]);
  });

  it("lets a HEMS's own key report for it, and refuses it, writing nothing, for another HEMS", async () => {
    const own = await sharedHems('ret-edpc');
    const other = await sharedHems('ret-edpc');
    const key = await t.createKey('hems', own.hemsId);
    const now = Date.now();

    const accepted = await report(key, [reportOf(own, now - 1_000)]);
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data!.reportHemsTelemetry).toEqual({ reports: 1, devices: 2, duplicates: 0 });

    const refused = await report(key, [reportOf(own, now), reportOf(other, now)]);
    expect(refused.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(refused.body.errors![0]!.message).toBe(`This key reports only for HEMS ${own.hemsId}; nothing was written: reports[1].hemsId`);
    expect(await telemetryRows(own.hemsId)).toBe(2);
    expect(await telemetryRows(other.hemsId)).toBe(0);
  });

  it('refuses a HEMS not shared with the retailer exactly like an unknown one, and keys that may not report at all', async () => {
    const shared = await sharedHems('ret-endesa');
    const now = Date.now();
    const stranger = await t.createKey('retailer', 'ret-edpc');
    for (const hemsId of [shared.hemsId, 'NO-SUCH-HEMS']) {
      const { body } = await report(stranger, [{ ...reportOf(shared, now), hemsId }]);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rejected: [{ index: 0, path: 'reports[0].hemsId', reason: `no HEMS ${hemsId} that you may report for` }] });
    }
    for (const key of [dsoKey, await t.createKey('customer', shared.pointId), await t.createKey('retailer', 'ret-endesa', ['hems:read'])]) {
      const { body } = await report(key, [reportOf(shared, now)]);
      expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
    expect(await telemetryRows(shared.hemsId)).toBe(0);
  });

  const now = () => Date.now();
  const BAD: [string, (hems: TestHems) => unknown, string, RegExp][] = [
    ['a device the HEMS does not have', (h) => ({ ...reportOf(h, now()), devices: [{ deviceId: 'NO-SUCH-DEVICE', state: 'ON', powerKw: 1 }] }), 'reports[1].devices[0].deviceId', /^no device NO-SUCH-DEVICE on HEMS /],
    ['a power above the rating', (h) => reportOf(h, now(), 7.5), 'reports[1].devices[0].powerKw', /^7\.5 kW is above the device's rated power of 7\.4 kW$/],
    ['a negative power', (h) => reportOf(h, now(), 0, -0.5), 'reports[1].devices[1].powerKw', /^negative$/],
    ['a time in the future', (h) => reportOf(h, now() + 5 * 60_000), 'reports[1].at', /^in the future/],
    ['a time more than a day old', (h) => reportOf(h, now() - 25 * 3_600_000), 'reports[1].at', /^older than 24 hours$/],
    ['a device twice in one report', (h) => ({ ...reportOf(h, now()), devices: [reportOf(h, now()).devices[0], reportOf(h, now()).devices[0]] }), 'reports[1].devices[1].deviceId', /^repeats devices\[0\]/],
  ];

  it.each(BAD)('refuses a batch with %s as BAD_USER_INPUT naming the item, and writes nothing of it', async (_, bad, path, reason) => {
    const hems = await sharedHems('ret-edpc');
    const key = await t.createKey('retailer', 'ret-edpc');
    const { body } = await report(key, [reportOf(hems, now() - 60_000), bad(hems)]);

    expect(body.data).toBeNull();
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toContain(`nothing was written: ${path}: `);
    const rejected = body.errors![0]!.extensions!.rejected as { index: number; path: string; reason: string }[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ index: 1, path });
    expect(rejected[0]!.reason).toMatch(reason);
    expect(await telemetryRows(hems.hemsId)).toBe(0);
    expect(await presentState(hems.ev)).toEqual({ state: null, power_kw: null, state_at: null });
  });

  it('keeps a report sent again once', async () => {
    const hems = await sharedHems('ret-edpc');
    const key = await t.createKey('retailer', 'ret-edpc');
    const batch = [reportOf(hems, now() - 60_000), reportOf(hems, now() - 30_000)];
    expect((await report(key, batch)).body.data!.reportHemsTelemetry).toEqual({ reports: 2, devices: 4, duplicates: 0 });
    expect((await report(key, [...batch, reportOf(hems, now())])).body.data!.reportHemsTelemetry).toEqual({ reports: 3, devices: 6, duplicates: 4 });
    expect(await telemetryRows(hems.hemsId)).toBe(6);
  });

  it('keeps telemetry as it was written: it cannot be changed or removed', async () => {
    const hems = await sharedHems('ret-edpc');
    await report(await t.createKey('retailer', 'ret-edpc'), [reportOf(hems, now())]);
    const db = t.database.handle.pool;
    await expect(db.query('UPDATE hems.telemetry SET power_kw = 0 WHERE hems_id = $1', [hems.hemsId])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM hems.telemetry WHERE hems_id = $1', [hems.hemsId])).rejects.toThrow(/append-only/);
    expect(await telemetryRows(hems.hemsId)).toBe(2);
  });
});

const EVENTS = `subscription($after: ID) {
  hubEvents(types: [HEMS_STATUS, FLEX_REQUEST], after: $after) {
    eventId type
    hemsStatus { eventId kind lastSeenAt hems { id online } }
  }
}`;

interface EventFrame {
  data: {
    hubEvents: {
      eventId: string;
      type: string;
      hemsStatus: { eventId: string; kind: string; lastSeenAt: string; hems: { id: string; online: boolean } | null } | null;
    };
  };
}

describe('HEMS presence', () => {
  const subscribers: TestSubscriber<EventFrame>[] = [];
  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
  });

  const subscribe = (key: string, after: string) => {
    const subscriber = subscribeOverWs<EventFrame>(t.hub.url, key, EVENTS, { after });
    subscribers.push(subscriber);
    return subscriber;
  };
  /** The next status event of this HEMS: other tests' HEMS shared with the same retailer go offline too. */
  const nextStatusOf = async (subscriber: TestSubscriber<EventFrame>, hemsId: string) => {
    for (;;) {
      const event = (await subscriber.next()).data.hubEvents;
      if (event.hemsStatus?.hems?.id === hemsId) return event;
    }
  };

  it('tells the retailer a HEMS is shared with when it goes offline and when it reports again, and tells nobody else', async () => {
    // A second replica sweeps too: the HEMS still goes offline once.
    await t.startReplica();
    const hems = await sharedHems('ret-luzboa');
    const platform = await t.createKey('retailer', 'ret-luzboa');
    const since = String(await latestOutboxId(t.database.handle.pool));
    const sharing = subscribe(platform, since);
    const otherRetailer = subscribe(await t.createKey('retailer', 'ret-goldenergy'), since);
    const dso = subscribe(dsoKey, since);
    await Promise.all([sharing.connected, otherRetailer.connected, dso.connected]);

    const firstAt = Date.now();
    expect((await report(platform, [reportOf(hems, firstAt)])).body.errors).toBeUndefined();
    const online = await nextStatusOf(sharing, hems.hemsId);
    expect(online).toMatchObject({ type: 'HEMS_STATUS', hemsStatus: { kind: 'ONLINE', lastSeenAt: iso(firstAt), hems: { id: hems.hemsId, online: true } } });
    expect(online.hemsStatus!.eventId).toBe(online.eventId);

    // No sleep: the sweep's event is what the test waits for.
    const offline = await nextStatusOf(sharing, hems.hemsId);
    expect(offline).toMatchObject({ hemsStatus: { kind: 'OFFLINE', lastSeenAt: iso(firstAt), hems: { id: hems.hemsId, online: false } } });
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(OFFLINE_AFTER_S * 1000);

    const againAt = Date.now();
    expect((await report(platform, [reportOf(hems, againAt)])).body.errors).toBeUndefined();
    expect(await nextStatusOf(sharing, hems.hemsId)).toMatchObject({ hemsStatus: { kind: 'ONLINE', lastSeenAt: iso(againAt) } });

    // A market event the others receive (published to the other retailer: it has a customer on that feeder), last: the first event they receive must be this one.
    const feederId = t.parish.connections.find((connection) => t.parish.meteringPoints.some((point) => point.id === connection.meteringPointId && point.retailerId === 'ret-goldenergy'))!.feederId;
    const flex = await t.graphql<{ createFlexRequest: { id: string } }>(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      key: dsoKey,
      variables: { input: flexRequestInput(feederId, 10) },
    });
    expect(flex.body.errors).toBeUndefined();
    for (const subscriber of [otherRetailer, dso]) {
      expect((await subscriber.next()).data.hubEvents).toMatchObject({ type: 'FLEX_REQUEST', hemsStatus: null });
      expect(subscriber.errors).toEqual([]);
    }
    expect(sharing.errors).toEqual([]);
    const { rows } = await t.database.handle.pool.query<{ kind: string }>(
      `SELECT payload->>'kind' AS kind FROM hub.outbox WHERE type = 'HEMS_STATUS' AND payload->>'hemsId' = $1 ORDER BY id`,
      [hems.hemsId],
    );
    expect(rows.map((row) => row.kind)).toEqual(['ONLINE', 'OFFLINE', 'ONLINE']);
  });
});

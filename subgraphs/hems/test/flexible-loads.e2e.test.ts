import { eq } from 'drizzle-orm';
import { devices } from '../../../schema/tables';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { MAX_FLEXIBLE_LOADS } from '../flexible-load.rules';
import { hemsFixture, type HemsFixture } from './shared-hems.fixture';

/**
 * The customers' flexibility conditions through the gateway: the customer sets its own, the
 * retailer it shares its HEMS with sets them on its behalf, nobody else can; a set replaces the
 * whole of the HEMS's, or is refused whole.
 */

let t: TestHub;
let f: HemsFixture;

const LOAD_FIELDS = 'id earliestStart latestEnd maxShiftMinutes minRunMinutes priority optedOut device { id flexibleLoad { id } }';
const SET = `mutation($input: SetFlexibleLoadsInput!) { setFlexibleLoads(input: $input) { id flexibleLoads { ${LOAD_FIELDS} } } }`;
const READ = `query($id: ID!) { hems(id: $id) { id flexibleLoads { ${LOAD_FIELDS} } devices { id flexibleLoad { priority } } } }`;

interface Load {
  id: string;
  earliestStart: string;
  latestEnd: string;
  maxShiftMinutes: number;
  minRunMinutes: number;
  priority: number;
  optedOut: boolean;
  device: { id: string; flexibleLoad: { id: string } | null };
}
interface HemsLoads {
  id: string;
  flexibleLoads: Load[];
  devices?: { id: string; flexibleLoad: { priority: number } | null }[];
}

const load = (deviceId: string, overrides: Record<string, unknown> = {}) => ({
  deviceId,
  earliestStart: '18:00',
  latestEnd: '23:00',
  maxShiftMinutes: 60,
  minRunMinutes: 30,
  priority: 1,
  optedOut: false,
  ...overrides,
});

const setLoads = (key: string, hemsId: string, loads: unknown[]) => t.graphql<{ setFlexibleLoads: HemsLoads }>(SET, { key, variables: { input: { hemsId, loads } } });

/** What is stored of the HEMS's conditions, and how many audit lines setFlexibleLoads has written for it. */
async function stored(hemsId: string): Promise<{ loads: unknown[]; audit: number }> {
  const pool = t.database.handle.pool;
  const loads = await pool.query(`SELECT * FROM hems.flexible_loads WHERE hems_id = $1 ORDER BY device_id`, [hemsId]);
  const audit = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM hub.audit_log WHERE operation = 'setFlexibleLoads' AND target = $1`, [hemsId]);
  return { loads: loads.rows, audit: Number(audit.rows[0]!.n) };
}

beforeAll(async () => {
  t = await startTestHub();
  f = await hemsFixture(t);
});

afterAll(() => t.stop());

describe('setting the conditions', () => {
  it('lets the customer set its loads and read them back by priority; a new set replaces the old and keeps each device’s load id', async () => {
    const hems = await f.sharedHems();
    const [first, second] = hems.devices;
    const key = await f.keyFor('customer', hems.pointId);

    const { body } = await setLoads(key, hems.hemsId, [load(first!.id, { priority: 2 }), load(second!.id, { priority: 1, optedOut: true, earliestStart: '07:15', latestEnd: '09:45', maxShiftMinutes: 0, minRunMinutes: 150 })]);
    expect(body.errors).toBeUndefined();
    const set = body.data!.setFlexibleLoads;
    expect(set.flexibleLoads).toEqual([
      { id: `FL-${second!.id}`, earliestStart: '07:15', latestEnd: '09:45', maxShiftMinutes: 0, minRunMinutes: 150, priority: 1, optedOut: true, device: { id: second!.id, flexibleLoad: { id: `FL-${second!.id}` } } },
      { id: `FL-${first!.id}`, earliestStart: '18:00', latestEnd: '23:00', maxShiftMinutes: 60, minRunMinutes: 30, priority: 2, optedOut: false, device: { id: first!.id, flexibleLoad: { id: `FL-${first!.id}` } } },
    ]);
    const read = await t.graphql<{ hems: HemsLoads }>(READ, { key, variables: { id: hems.hemsId } });
    expect(read.body.data!.hems.flexibleLoads).toEqual(set.flexibleLoads);

    const again = await setLoads(key, hems.hemsId, [load(first!.id, { priority: 5 })]);
    expect(again.body.data!.setFlexibleLoads.flexibleLoads).toEqual([expect.objectContaining({ id: `FL-${first!.id}`, priority: 5 })]);
    const after = await t.graphql<{ hems: HemsLoads }>(READ, { key, variables: { id: hems.hemsId } });
    expect(after.body.data!.hems.devices!.find((device) => device.id === second!.id)!.flexibleLoad).toBeNull();
    expect(after.body.data!.hems.devices!.find((device) => device.id === first!.id)!.flexibleLoad).toEqual({ priority: 5 });
    expect((await stored(hems.hemsId)).audit).toBe(2);

    // An empty set: nothing of the household is flexible any more.
    expect((await setLoads(key, hems.hemsId, [])).body.data!.setFlexibleLoads.flexibleLoads).toEqual([]);
    expect((await stored(hems.hemsId)).loads).toEqual([]);
  });

  it('lets the retailer the HEMS is shared with set them on the customer’s behalf, recorded as its own', async () => {
    const hems = await f.sharedHems();
    const { body } = await setLoads(await f.keyFor('retailer', hems.retailerId), hems.hemsId, [load(hems.devices[0]!.id, { priority: 3 })]);
    expect(body.errors).toBeUndefined();
    const customer = await t.graphql<{ hems: HemsLoads }>(READ, { key: await f.keyFor('customer', hems.pointId), variables: { id: hems.hemsId } });
    expect(customer.body.data!.hems.flexibleLoads).toEqual([expect.objectContaining({ id: `FL-${hems.devices[0]!.id}`, priority: 3 })]);
    const { rows } = await t.database.handle.pool.query(`SELECT organisation_id, role, detail FROM hub.audit_log WHERE operation = 'setFlexibleLoads' AND target = $1`, [hems.hemsId]);
    expect(rows).toEqual([{ organisation_id: hems.retailerId, role: 'retailer', detail: '1 flexible loads, 0 opted out' }]);
  });

  it('round-trips windows over midnight and all day', async () => {
    const hems = await f.sharedHems(3);
    const [a, b, c] = hems.devices;
    const key = await f.keyFor('customer', hems.pointId);
    const { body } = await setLoads(key, hems.hemsId, [
      load(a!.id, { earliestStart: '22:30', latestEnd: '06:00', minRunMinutes: 450, priority: 1 }),
      load(b!.id, { earliestStart: '00:00', latestEnd: '00:00', minRunMinutes: 1440, maxShiftMinutes: 1440, priority: 2 }),
      load(c!.id, { earliestStart: '23:59', latestEnd: '00:00', minRunMinutes: 1, priority: 3 }),
    ]);
    expect(body.errors).toBeUndefined();
    expect(body.data!.setFlexibleLoads.flexibleLoads.map((l) => [l.earliestStart, l.latestEnd, l.minRunMinutes])).toEqual([
      ['22:30', '06:00', 450],
      ['00:00', '00:00', 1440],
      ['23:59', '00:00', 1],
    ]);
    const { rows } = await t.database.handle.pool.query(`SELECT earliest_start_minute, latest_end_minute FROM hems.flexible_loads WHERE hems_id = $1 ORDER BY priority`, [hems.hemsId]);
    expect(rows).toEqual([
      { earliest_start_minute: 1350, latest_end_minute: 360 },
      { earliest_start_minute: 0, latest_end_minute: 0 },
      { earliest_start_minute: 1439, latest_end_minute: 0 },
    ]);
  });
});

describe('who may set them', () => {
  it('answers NOT_FOUND to another retailer, the DSO and a retailer no longer shared with, FORBIDDEN to a party that sees but may not set them; nothing changes', async () => {
    const hems = await f.sharedHems();
    const customer = await f.keyFor('customer', hems.pointId);
    expect((await setLoads(customer, hems.hemsId, [load(hems.devices[0]!.id)])).body.errors).toBeUndefined();
    const before = await stored(hems.hemsId);
    const other = f.otherRetailer(hems.retailerId);
    // Even a consent does not open another retailer's way: it does not supply the household.
    await f.share(hems.pointId, other);
    const aggregator = 'agg-test-flex';
    await f.share(hems.pointId, aggregator);
    const attempt = (key: string) => setLoads(key, hems.hemsId, [load(hems.devices[1]!.id, { priority: 9 })]);

    for (const key of [await f.keyFor('retailer', other), f.dsoKey, await f.keyFor('customer', t.parish.meteringPoints.find((p) => p.id !== hems.pointId)!.id)]) {
      const { body } = await attempt(key);
      expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(body.errors?.[0]?.message).toBe('HEMS not found');
    }
    expect((await attempt(await f.keyFor('aggregator', aggregator))).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A HEMS's own key reports telemetry and outcomes; it reads and sets nothing.
    expect((await attempt(await f.keyFor('hems', hems.hemsId))).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await setLoads(customer, 'HEMS-NOWHERE', [])).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    await f.stopSharing(hems.pointId, hems.retailerId);
    expect((await attempt(await f.keyFor('retailer', hems.retailerId))).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await stored(hems.hemsId)).toEqual(before);
  });
});

describe('bad input', () => {
  it('refuses every bad set with BAD_USER_INPUT naming the item, writing nothing', async () => {
    const hems = await f.sharedHems(3);
    const [a, b, c] = hems.devices;
    await t.database.handle.db.update(devices).set({ controllable: false }).where(eq(devices.id, c!.id));
    const elsewhere = t.parish.hemsDevices.find((device) => device.hemsId !== hems.hemsId)!;
    const key = await f.keyFor('customer', hems.pointId);
    expect((await setLoads(key, hems.hemsId, [load(a!.id)])).body.errors).toBeUndefined();
    const before = await stored(hems.hemsId);

    const cases: [unknown[], string][] = [
      [[load('NO-SUCH-DEVICE')], 'loads[0].deviceId'],
      [[load(a!.id), load(elsewhere.id)], 'loads[1].deviceId'],
      [[load(a!.id), load(b!.id), load(a!.id)], 'loads[2].deviceId'],
      [[load(c!.id)], 'loads[0].deviceId'],
      [[load(a!.id), load(b!.id, { earliestStart: '24:00' })], 'loads[1].earliestStart'],
      [[load(a!.id, { earliestStart: '7:00' })], 'loads[0].earliestStart'],
      [[load(a!.id, { latestEnd: '23:60' })], 'loads[0].latestEnd'],
      [[load(a!.id, { latestEnd: '18:00:00' })], 'loads[0].latestEnd'],
      [[load(a!.id, { maxShiftMinutes: 1441 })], 'loads[0].maxShiftMinutes'],
      [[load(a!.id, { maxShiftMinutes: -1 })], 'loads[0].maxShiftMinutes'],
      [[load(a!.id, { minRunMinutes: -1 })], 'loads[0].minRunMinutes'],
      [[load(a!.id, { minRunMinutes: 301 })], 'loads[0].minRunMinutes'],
      [[load(a!.id, { earliestStart: '23:00', latestEnd: '01:00', minRunMinutes: 121 })], 'loads[0].minRunMinutes'],
      [[load(a!.id, { priority: 0 })], 'loads[0].priority'],
      [[load(a!.id, { priority: 100 })], 'loads[0].priority'],
      [Array.from({ length: MAX_FLEXIBLE_LOADS + 1 }, (_, i) => load(i === 0 ? a!.id : `${hems.hemsId}-X${i}`)), 'loads'],
    ];
    for (const [loads, field] of cases) {
      const { body } = await setLoads(key, hems.hemsId, loads);
      expect([field, body.errors?.[0]?.extensions]).toEqual([field, expect.objectContaining({ code: 'BAD_USER_INPUT', field })]);
      expect(body.errors?.[0]?.message).toContain(field);
    }
    expect(await stored(hems.hemsId)).toEqual(before);
  });

  it('lists every problem of a set at once, by item', async () => {
    const hems = await f.sharedHems();
    const [a, b] = hems.devices;
    const { body } = await setLoads(await f.keyFor('customer', hems.pointId), hems.hemsId, [load(a!.id), load(b!.id, { earliestStart: '25:00', priority: 0 }), load('NOPE')]);
    const error = body.errors![0]!;
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'loads[1].earliestStart',
      rejected: [
        { index: 1, reason: expect.stringMatching(/^loads\[1\]\.earliestStart: /) },
        { index: 1, reason: expect.stringMatching(/^loads\[1\]\.priority: /) },
        { index: 2, reason: expect.stringMatching(/^loads\[2\]\.deviceId: /) },
      ],
    });
    expect(error.message).toMatch(/^3 problems in the flexible loads, nothing was written: /);
  });
});

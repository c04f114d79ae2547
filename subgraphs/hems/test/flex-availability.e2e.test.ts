import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { DAY_MS, MINUTE_MS, QUARTER_MS, lisbonLocalDay, lisbonOffsetMs } from '../../kit/calendar';
import { localTimeUtcMs } from '../flex-availability.rules';
import { hemsFixture, iso, type HemsFixture } from './shared-hems.fixture';

/**
 * availableFlexibility through the gateway, on HEMS of our own behind one secondary substation
 * (the seed's HEMS are kept offline, so none of them counts): what a retailer gets per quarter-hour
 * tomorrow evening and how it follows opt-outs, faults, presence and commands; the DSO's totals;
 * another retailer's share; who is refused.
 */

let t: TestHub;
let f: HemsFixture;

const QUERY = `query($scope: FlexScopeInput!, $from: DateTime!, $to: DateTime!, $min: Int) {
  availableFlexibility(scope: $scope, from: $from, to: $to, minDurationMinutes: $min) {
    intervalStart reductionKw hemsCount loadCount maxDurationMinutes
    byPriority { priority reductionKw hemsCount }
    loads { hemsId deviceId flexibleLoadId deviceKind priority reductionKw maxDurationMinutes }
  }
}`;

interface Interval {
  intervalStart: string;
  reductionKw: number;
  hemsCount: number;
  loadCount: number;
  maxDurationMinutes: number;
  byPriority: { priority: number; reductionKw: number; hemsCount: number }[];
  loads: { hemsId: string; deviceId: string; flexibleLoadId: string; deviceKind: string; priority: number; reductionKw: number; maxDurationMinutes: number }[] | null;
}

/** A household's device and the customer's conditions for it (local HH:MM as minutes). */
interface TestLoad {
  kind: string;
  ratedPowerKw: number;
  window: [number, number];
  maxShiftMinutes: number;
  minRunMinutes: number;
  priority: number;
}

const hhmm = (hour: number, minute = 0) => hour * 60 + minute;
const EV = (ratedPowerKw: number): TestLoad => ({ kind: 'EV_CHARGER', ratedPowerKw, window: [hhmm(18), hhmm(7)], maxShiftMinutes: 240, minRunMinutes: 60, priority: 1 });
const HEATER: TestLoad = { kind: 'WATER_HEATER', ratedPowerKw: 2, window: [hhmm(17), hhmm(23)], maxShiftMinutes: 120, minRunMinutes: 30, priority: 2 };
const BATTERY: TestLoad = { kind: 'BATTERY', ratedPowerKw: 5, window: [hhmm(18), hhmm(22)], maxShiftMinutes: 120, minRunMinutes: 0, priority: 2 };
const PV: TestLoad = { kind: 'PV_INVERTER', ratedPowerKw: 3, window: [hhmm(8), hhmm(20)], maxShiftMinutes: 120, minRunMinutes: 0, priority: 1 };

interface Household {
  hemsId: string;
  pointId: string;
  retailerId: string;
  /** Device ids, in the order of its loads. */
  devices: string[];
}

let substationId: string;
let retailerId: string;
let otherRetailerId: string;
/** The retailer's: an EV charger and a water heater; an EV charger and a PV inverter; a battery. */
let a: Household;
let b: Household;
let c: Household;
/** The other retailer's, behind the same substation: an EV charger. */
let d: Household;

const tomorrow = () => lisbonLocalDay(Date.now()) + 1;
/** Tomorrow 17:00 to 23:00 local: 24 quarter-hours. */
const evening = () => ({ from: iso(localTimeUtcMs(tomorrow(), hhmm(17))), to: iso(localTimeUtcMs(tomorrow(), hhmm(23))) });
/** The local HH:MM of an instant. */
const localHhmm = (at: string) => {
  const ms = Date.parse(at);
  return new Date(ms + lisbonOffsetMs(ms)).toISOString().slice(11, 16);
};
const tomorrowAt = (hour: number, minute = 0) => localTimeUtcMs(tomorrow(), hhmm(hour, minute));

async function ask(key: string, scope: Record<string, string>, window: { from: string; to: string } = evening(), min?: number) {
  const { body } = await t.graphql<{ availableFlexibility: Interval[] }>(QUERY, { key, variables: { scope, ...window, min } });
  return body;
}

async function series(key: string, scope: Record<string, string> = { secondarySubstationId: substationId }, min?: number): Promise<Map<string, Interval>> {
  const body = await ask(key, scope, evening(), min);
  expect(body.errors).toBeUndefined();
  return new Map(body.data!.availableFlexibility.map((interval) => [localHhmm(interval.intervalStart), interval]));
}

/** reductionKw per local HH:MM. */
const kwBy = (intervals: Map<string, Interval>) => Object.fromEntries([...intervals].map(([at, interval]) => [at, interval.reductionKw]));

/** What the retailer is owed per quarter-hour from 17:00: each load from its window's start to the last start that leaves its minimum run. */
function expectedKw(loads: { kw: number; first: string; last: string }[]): Record<string, number> {
  const expected: Record<string, number> = {};
  for (let minute = hhmm(17); minute < hhmm(23); minute += 15) {
    const at = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    expected[at] = Math.round(loads.filter((load) => load.first <= at && at <= load.last).reduce((sum, load) => sum + load.kw, 0) * 1000) / 1000;
  }
  return expected;
}

// By hand: an EV charger (18:00–07:00, 60 min run) from 18:00 to the end of the evening; the heater
// (17:00–23:00, 30 min run) from 17:00 to 22:15; the battery (18:00–22:00, no run) from 18:00 to 21:45.
const A_EV = { kw: 7.4, first: '18:00', last: '22:45' };
const A_HEATER = { kw: 2, first: '17:00', last: '22:15' };
const B_EV = { kw: 3.7, first: '18:00', last: '22:45' };
const C_BATTERY = { kw: 5, first: '18:00', last: '21:45' };
const D_EV = { kw: 7.4, first: '18:00', last: '22:45' };
const RETAILERS_EVENING = () => expectedKw([A_EV, A_HEATER, B_EV, C_BATTERY]);

const sql = (text: string, values: unknown[] = []) => t.database.handle.pool.query(text, values);

/** A HEMS of our own at a point without one, online, its devices ON with the customer's conditions, shared with its retailer. */
async function household(pointId: string, pointRetailerId: string, loads: TestLoad[]): Promise<Household> {
  const hemsId = `FX-${pointId}`;
  await sql(`INSERT INTO hems.systems (id, metering_point_id, vendor, installed_at, online, last_seen_at) VALUES ($1, $2, 'Test', now() - interval '1 year', true, now())`, [hemsId, pointId]);
  const devices: string[] = [];
  for (const [i, load] of loads.entries()) {
    const deviceId = `${hemsId}-D${i + 1}`;
    devices.push(deviceId);
    await sql(`INSERT INTO hems.devices (id, hems_id, kind, rated_power_kw, controllable, state, power_kw, state_at) VALUES ($1, $2, $3, $4, true, 'ON', 0, now())`, [deviceId, hemsId, load.kind, load.ratedPowerKw]);
    await sql(
      `INSERT INTO hems.flexible_loads (id, hems_id, device_id, earliest_start_minute, latest_end_minute, max_shift_minutes, min_run_minutes, priority, opted_out)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false)`,
      [`FL-${deviceId}`, hemsId, deviceId, load.window[0], load.window[1], load.maxShiftMinutes, load.minRunMinutes, load.priority],
    );
  }
  await f.share(pointId, pointRetailerId);
  return { hemsId, pointId, retailerId: pointRetailerId, devices };
}

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  f = await hemsFixture(t);
  // None of the seed's HEMS counts: only ours are online.
  await sql(`UPDATE hems.systems SET online = false`);

  const { parish } = t;
  const substationOf = new Map(parish.feeders.map((feeder) => [feeder.id, feeder.secondarySubstationId]));
  const withHems = new Set(parish.hemsSystems.map((hems) => hems.meteringPointId));
  const free = new Map<string, Map<string, string[]>>();
  for (const connection of parish.connections) {
    const point = parish.meteringPoints.find((candidate) => candidate.id === connection.meteringPointId)!;
    if (withHems.has(point.id) || point.usage !== 'RESIDENTIAL' || !point.retailerId) continue;
    const byRetailer = free.get(substationOf.get(connection.feederId)!) ?? new Map<string, string[]>();
    byRetailer.set(point.retailerId, [...(byRetailer.get(point.retailerId) ?? []), point.id]);
    free.set(substationOf.get(connection.feederId)!, byRetailer);
  }
  const [chosen, byRetailer] = [...free].find(([, retailers]) => [...retailers.values()].filter((points) => points.length >= 1).length >= 2 && [...retailers.values()].some((points) => points.length >= 3))!;
  substationId = chosen;
  [retailerId] = [...byRetailer].find(([, points]) => points.length >= 3)!;
  [otherRetailerId] = [...byRetailer].find(([id]) => id !== retailerId)!;
  const [pointA, pointB, pointC] = byRetailer.get(retailerId)!;
  a = await household(pointA!, retailerId, [EV(7.4), HEATER]);
  b = await household(pointB!, retailerId, [EV(3.7), PV]);
  c = await household(pointC!, retailerId, [BATTERY]);
  d = await household(byRetailer.get(otherRetailerId)![0]!, otherRetailerId, [EV(7.4)]);
});

afterAll(() => t.stop());

describe('availableFlexibility for a retailer', () => {
  it('gives per quarter-hour tomorrow evening what its shared HEMS behind the substation could take off, by priority, and which loads', async () => {
    const key = await f.keyFor('retailer', retailerId);
    const intervals = await series(key);
    expect(intervals.size).toBe(24);
    expect(kwBy(intervals)).toEqual(RETAILERS_EVENING());
    expect(intervals.get('17:00')).toMatchObject({ reductionKw: 2, hemsCount: 1, loadCount: 1, maxDurationMinutes: 120 });

    const six = intervals.get('18:00')!;
    expect(six).toMatchObject({ reductionKw: 18.1, hemsCount: 3, loadCount: 4, maxDurationMinutes: 240 });
    expect(six.byPriority).toEqual([
      { priority: 1, reductionKw: 11.1, hemsCount: 2 },
      { priority: 2, reductionKw: 7, hemsCount: 2 },
    ]);
    // The PV inverter is offered by its customer but adds load when curtailed: never counted.
    const byPriorityThenHems = (x: { priority: number; hemsId: string; deviceId: string }, y: typeof x) =>
      x.priority - y.priority || (x.hemsId < y.hemsId ? -1 : x.hemsId > y.hemsId ? 1 : 0) || (x.deviceId < y.deviceId ? -1 : 1);
    const contribution = (household: Household, device: number, deviceKind: string, priority: number, reductionKw: number, maxDurationMinutes: number) => ({
      hemsId: household.hemsId,
      deviceId: household.devices[device]!,
      flexibleLoadId: `FL-${household.devices[device]!}`,
      deviceKind,
      priority,
      reductionKw,
      maxDurationMinutes,
    });
    expect(six.loads).toEqual(
      [contribution(a, 0, 'EV_CHARGER', 1, 7.4, 240), contribution(b, 0, 'EV_CHARGER', 1, 3.7, 240), contribution(a, 1, 'WATER_HEATER', 2, 2, 120), contribution(c, 0, 'BATTERY', 2, 5, 120)].sort(
        byPriorityThenHems,
      ),
    );
    // The heater at 22:15 can wait one quarter-hour before its last half-hour run.
    expect(intervals.get('22:15')!.loads!.find((load) => load.deviceId === a.devices[1])!.maxDurationMinutes).toBe(15);
  });

  it('counts only loads that can be held for minDurationMinutes', async () => {
    const key = await f.keyFor('retailer', retailerId);
    // At least three hours: only the EV chargers (four hours) qualify.
    expect(kwBy(await series(key, { secondarySubstationId: substationId }, 180))).toEqual(expectedKw([A_EV, B_EV]));
  });

  it('gives the same for its own portfolio, and logs each household that offers some of it', async () => {
    const key = await f.keyFor('retailer', retailerId);
    expect(kwBy(await series(key, { retailerId }))).toEqual(RETAILERS_EVENING());
    const { rows } = await sql(`SELECT DISTINCT metering_point_id FROM hub.access_log WHERE organisation_id = $1 AND resource = 'availableFlexibility' ORDER BY 1`, [retailerId]);
    expect(rows.map((row: { metering_point_id: string }) => row.metering_point_id)).toEqual([a.pointId, b.pointId, c.pointId].sort());
  });

  it('drops a load the customer opts out, and takes it back when opted in again', async () => {
    const key = await f.keyFor('retailer', retailerId);
    await sql(`UPDATE hems.flexible_loads SET opted_out = true WHERE device_id = $1`, [a.devices[0]]);
    expect(kwBy(await series(key))).toEqual(expectedKw([A_HEATER, B_EV, C_BATTERY]));
    await sql(`UPDATE hems.flexible_loads SET opted_out = false WHERE device_id = $1`, [a.devices[0]]);
    expect(kwBy(await series(key))).toEqual(RETAILERS_EVENING());
  });

  it('drops a device that reports FAULT, and takes it back once it reports ON', async () => {
    const key = await f.keyFor('retailer', retailerId);
    await sql(`UPDATE hems.devices SET state = 'FAULT' WHERE id = $1`, [b.devices[0]]);
    const faulty = await series(key);
    expect(kwBy(faulty)).toEqual(expectedKw([A_EV, A_HEATER, C_BATTERY]));
    expect(faulty.get('18:00')!.hemsCount).toBe(2);
    await sql(`UPDATE hems.devices SET state = 'ON' WHERE id = $1`, [b.devices[0]]);
    expect(kwBy(await series(key))).toEqual(RETAILERS_EVENING());
  });

  it('drops every load of a HEMS gone offline, and takes them back when it is online again', async () => {
    const key = await f.keyFor('retailer', retailerId);
    await sql(`UPDATE hems.systems SET online = false WHERE id = $1`, [c.hemsId]);
    expect(kwBy(await series(key))).toEqual(expectedKw([A_EV, A_HEATER, B_EV]));
    await sql(`UPDATE hems.systems SET online = true, last_seen_at = now() WHERE id = $1`, [c.hemsId]);
    expect(kwBy(await series(key))).toEqual(RETAILERS_EVENING());
  });

  it('drops a load over the quarter-hours a command commits it, and takes it back from the start of the RESTORE that ends it', async () => {
    const key = await f.keyFor('retailer', retailerId);
    const command = (id: string, kind: string, startMs: number, endMs: number, issuedAgoS: number) =>
      sql(
        `INSERT INTO hems.commands (id, hems_id, device_id, kind, start, "end", reason, order_id, issuer_id, issued_by_key_id, issued_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'FLEX_ORDER', 'order-fx-1', $7, 'test', now() - make_interval(secs => $8), $5)`,
        [id, a.hemsId, a.devices[0], kind, new Date(startMs), new Date(endMs), retailerId, issuedAgoS],
      );
    await command('cmd-fx-shift', 'SHIFT', tomorrowAt(19), tomorrowAt(20), 60);
    const committed = await series(key);
    const held = new Set(['19:00', '19:15', '19:30', '19:45']);
    for (const [at, interval] of committed) expect(interval.reductionKw).toBeCloseTo(RETAILERS_EVENING()[at]! - (held.has(at) ? 7.4 : 0), 9);
    expect(committed.get('19:00')!.loads!.some((load) => load.deviceId === a.devices[0])).toBe(false);

    await command('cmd-fx-restore', 'RESTORE', tomorrowAt(19, 30), tomorrowAt(19, 31), 0);
    const restored = await series(key);
    expect(restored.get('19:15')!.reductionKw).toBeCloseTo(RETAILERS_EVENING()['19:15']! - 7.4, 9);
    expect(restored.get('19:30')!.reductionKw).toBe(RETAILERS_EVENING()['19:30']);

    await sql(`UPDATE hems.commands SET status = 'REJECTED', rejected_at = now() WHERE id = 'cmd-fx-shift'`);
    expect(kwBy(await series(key))).toEqual(RETAILERS_EVENING());
  });

  it('stops counting a HEMS the customer no longer shares with it, which the DSO still counts', async () => {
    const key = await f.keyFor('retailer', retailerId);
    await f.stopSharing(c.pointId, retailerId);
    expect(kwBy(await series(key))).toEqual(expectedKw([A_EV, A_HEATER, B_EV]));
    expect(kwBy(await series(f.dsoKey, { retailerId }))).toEqual(RETAILERS_EVENING());
    await f.share(c.pointId, retailerId);
    expect(kwBy(await series(key))).toEqual(RETAILERS_EVENING());
  });
});

describe('availableFlexibility for others', () => {
  it("gives the DSO the totals of every HEMS behind the substation, and of a retailer's portfolio, without loads", async () => {
    const area = await series(f.dsoKey);
    expect(kwBy(area)).toEqual(expectedKw([A_EV, A_HEATER, B_EV, C_BATTERY, D_EV]));
    expect(area.get('18:00')).toMatchObject({ hemsCount: 4, loadCount: 5, loads: null });
    expect(kwBy(await series(f.dsoKey, { retailerId: otherRetailerId }))).toEqual(expectedKw([D_EV]));
  });

  it("gives another retailer its own HEMS only, and refuses it this retailer's portfolio", async () => {
    const key = await f.keyFor('retailer', otherRetailerId);
    const intervals = await series(key);
    expect(kwBy(intervals)).toEqual(expectedKw([D_EV]));
    expect(intervals.get('18:00')!.loads!.map((load) => load.hemsId)).toEqual([d.hemsId]);
    const refused = await ask(key, { retailerId });
    expect(refused.data).toBeNull();
    expect(refused.errors![0]).toMatchObject({ message: "A retailer's portfolio is for that retailer and the DSO", extensions: { code: 'FORBIDDEN' } });
  });

  it('gives an aggregator only the HEMS a customer shares with it', async () => {
    const key = await f.keyFor('aggregator', 'agg-flexpt');
    expect(kwBy(await series(key))).toEqual(expectedKw([]));
    await f.share(d.pointId, 'agg-flexpt');
    const shared = await series(key);
    expect(kwBy(shared)).toEqual(expectedKw([D_EV]));
    expect(shared.get('18:00')!.loads!.map((load) => load.hemsId)).toEqual([d.hemsId]);
    await f.stopSharing(d.pointId, 'agg-flexpt');
    const refused = await ask(key, { retailerId });
    expect(refused.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('refuses a customer, the regulator and a researcher', async () => {
    for (const key of [await f.keyFor('customer', a.pointId), await f.keyFor('regulator', 'erse'), await f.keyFor('researcher', 'ist')]) {
      const body = await ask(key, { secondarySubstationId: substationId });
      expect(body.data).toBeNull();
      expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
  });

  it('refuses a window over 7 days, one off the quarter-hour, two scopes at once, an unknown substation and a hold under 15 minutes, naming what is wrong', async () => {
    const key = await f.keyFor('retailer', retailerId);
    const from = tomorrowAt(17);
    const cases: [Record<string, string>, { from: string; to: string }, RegExp][] = [
      [{ secondarySubstationId: substationId }, { from: iso(from), to: iso(from + 7 * DAY_MS + QUARTER_MS) }, /at most 7 days/],
      [{ secondarySubstationId: substationId }, { from: iso(from + MINUTE_MS), to: iso(from + DAY_MS) }, /aligned to 15 minutes/],
      [{ secondarySubstationId: substationId, retailerId }, evening(), /exactly one of feederId, secondarySubstationId, retailerId/],
      [{ secondarySubstationId: 'PT-NOWHERE' }, evening(), /unknown secondary substation PT-NOWHERE/],
    ];
    for (const [scope, window, message] of cases) {
      const body = await ask(key, scope, window);
      expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(body.errors![0]!.message).toMatch(message);
    }
    const tooShort = await ask(key, { secondarySubstationId: substationId }, evening(), 10);
    expect(tooShort.errors![0]).toMatchObject({ message: 'minDurationMinutes must be a whole number of minutes from 15 to 1440', extensions: { code: 'BAD_USER_INPUT' } });
  });
});

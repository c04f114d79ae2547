import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { DeviceKind } from '../../schema/hems';
import { ISP_MS } from '../../schema/flexibility';
import { DAY_MS, dayType, lisbonLocalDay, lisbonWallToUtcMs, MINUTE_MS, WORKING } from '../../subgraphs/kit/calendar';
import type { DatabaseHandle } from '../../subgraphs/kit/db';
import { localDayText } from '../../subgraphs/kit/local-day';
import { MAX_HOLD_MINUTES } from '../../subgraphs/hems/flex-availability.rules';
import { readingWindows } from '../../subgraphs/flexibility/flex-settlement.rules';
import { writeHistory, type HeldOffLoad } from '../seed/history';
import type { Parish } from '../seed/parish';
import { postGraphQL } from '../testing/hub-fixture';
import { openBenchHub } from './bench-hub';
import type { Scenario } from './scenario';
import { medianOf, percentile, round } from './stats';

const CONGESTION_POINTS = 200;
const HEMS_PER_POINT = 10;
/** Every bench HEMS has these controllable devices, each a flexible load in the evening. */
const DEVICES: readonly { kind: DeviceKind; ratedPowerKw: number; priority: number }[] = [
  { kind: 'EV_CHARGER', ratedPowerKw: 7.4, priority: 1 },
  { kind: 'WATER_HEATER', ratedPowerKw: 2, priority: 2 },
  { kind: 'HEAT_PUMP', ratedPowerKw: 3, priority: 3 },
];
const HEMS_KW = DEVICES.reduce((sum, device) => sum + device.ratedPowerKw, 0);
const LOADS_FROM_MINUTE = 17 * 60;
const LOADS_TO_MINUTE = 23 * 60;
/** The requests' window, Lisbon time: 18:00-20:00, 8 ISPs. */
const WINDOW_FROM_MINUTE = 18 * 60;
const WINDOW_TO_MINUTE = 20 * 60;
/** Per ISP: about half of the HEMS behind a point covers the minimum, so the DSO needs two or three offers of four. */
const REQUEST_MIN_KW = 60;
const REQUEST_MAX_KW = 100;
/** Requests the DSO's platform has in flight at once; the same for its reads and orders. */
const DSO_CONCURRENCY = 4;
/** Requests each retailer's platform works on at once. */
const RETAILER_CONCURRENCY = 4;
const STAGE_TIMEOUT_MS = 120_000;
/** What each HEMS of the past day's orders held off per ISP (kW): about what a household draws in the evening; one drawing less shows only that. */
const PAST_HELD_OFF_KW = 0.5;
const BASELINE_DAYS = 5;
const SETTLE_RUNS = 3;
const FLOOR_RUNS = 5;
/** How far back an order's ISPs are moved so that its activation can be reported live (their end passed). */
const RAN_BACK_DAYS = 2;

const CREATE = 'mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }';
const AVAILABILITY = `query($scope: FlexScopeInput!, $from: DateTime!, $to: DateTime!, $minutes: Int!) { availableFlexibility(scope: $scope, from: $from, to: $to, minDurationMinutes: $minutes) { intervalStart reductionKw } }`;
const SUBMIT = 'mutation($input: SubmitFlexOfferInput!) { submitFlexOffer(input: $input) { id } }';
const SUFFICIENCY = 'query($id: ID!) { flexRequest(id: $id) { sufficiency { start minKw offeredKw shortfallKw } } }';
const AUTO_SELECT = 'mutation($id: ID!) { autoSelectFlexOffers(flexRequestId: $id) { id organisationId } }';
const REPORT = 'mutation($input: ReportActivationInput!) { reportActivation(input: $input) { id status } }';
const CLOSE = 'mutation($id: ID!) { closeFlexRequest(id: $id) { id status } }';
const SETTLE = 'mutation($day: String!) { settleFlexOrders(day: $day) { settled unsettledOrderIds } }';
const REQUEST_EVENTS = 'subscription { flexRequests { eventId kind flexRequest { id congestionPointId periodStart periodEnd expiresAt isps { start minKw maxKw } } } }';
const ORDER_EVENTS = 'subscription { flexOrders { eventId kind flexOrder { id activationFactor offer { isps { start kw } } flexRequest { id congestionPointId } } } }';

interface BenchHems {
  id: string;
  meteringPointId: string;
  retailerId: string;
  substationId: string;
}

interface CongestionPoint {
  substationId: string;
  /** By retailer, the HEMS shared with it behind the substation. */
  hems: Map<string, BenchHems[]>;
}

interface RequestEvent {
  flexRequests: { kind: string; flexRequest: { id: string; congestionPointId: string; periodStart: string; periodEnd: string; expiresAt: string; isps: { start: string; minKw: number; maxKw: number }[] } };
}

interface OrderEvent {
  flexOrders: { kind: string; flexOrder: { id: string; activationFactor: number; offer: { isps: { start: string; kw: number }[] }; flexRequest: { id: string; congestionPointId: string } } };
}

/** Runs `work` on every item, `concurrency` at a time, in order. */
async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** A queue worked `concurrency` at a time: what a platform does with what is pushed to it. */
function workQueue<T>(concurrency: number, work: (item: T) => Promise<void>, onError: (error: unknown) => void): (item: T) => void {
  const waiting: T[] = [];
  let running = 0;
  const pump = () => {
    while (running < concurrency && waiting.length > 0) {
      const item = waiting.shift()!;
      running++;
      work(item)
        .catch(onError)
        .finally(() => {
          running--;
          pump();
        });
    }
  };
  return (item) => {
    waiting.push(item);
    pump();
  };
}

interface Stage {
  finished: Promise<void>;
  /** Checks `done` again: call after each step of the stage. */
  tick(): void;
  fail(error: unknown): void;
}

/** Resolves when `done()` holds, checked at every tick; rejects STAGE_TIMEOUT_MS after it began, or on the first failure. */
function stage(name: string, done: () => boolean): Stage {
  const settle = { resolve: () => undefined as void, reject: (error: unknown): void => void error };
  const finished = new Promise<void>((resolve, reject) => Object.assign(settle, { resolve, reject }));
  const timer = setTimeout(() => settle.reject(new Error(`${name}: not done within ${STAGE_TIMEOUT_MS} ms`)), STAGE_TIMEOUT_MS);
  return {
    finished,
    tick: () => {
      if (!done()) return;
      clearTimeout(timer);
      settle.resolve();
    },
    fail: (error) => {
      clearTimeout(timer);
      settle.reject(error);
    },
  };
}

/**
 * The congestion points: secondary substations with points of every retailer supplied now, the
 * first CONGESTION_POINTS by id; behind each, HEMS_PER_POINT households spread over the retailers
 * in turn (so each retailer has two or three HEMS there).
 */
function chooseFleet(parish: Parish, retailerIds: readonly string[]): CongestionPoint[] {
  const substationOfFeeder = new Map(parish.feeders.map((feeder) => [feeder.id, feeder.secondarySubstationId]));
  const substationOf = new Map(parish.connections.map((connection) => [connection.meteringPointId, substationOfFeeder.get(connection.feederId)!]));
  const households = new Map<string, Map<string, string[]>>();
  for (const point of parish.meteringPoints) {
    if (point.usage !== 'RESIDENTIAL') continue;
    const substation = substationOf.get(point.id)!;
    const byRetailer = households.get(substation) ?? new Map<string, string[]>();
    byRetailer.set(point.retailerId, [...(byRetailer.get(point.retailerId) ?? []), point.id]);
    households.set(substation, byRetailer);
  }
  const points: CongestionPoint[] = [];
  let n = 0;
  for (const [substationId, byRetailer] of [...households].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (points.length === CONGESTION_POINTS) break;
    const chosen = new Map<string, BenchHems[]>(retailerIds.map((id) => [id, []]));
    for (let turn = 0, taken = 0; taken < HEMS_PER_POINT && turn < HEMS_PER_POINT; turn++) {
      for (const retailerId of retailerIds) {
        const meteringPointId = byRetailer.get(retailerId)?.[turn];
        if (!meteringPointId || taken === HEMS_PER_POINT) continue;
        chosen.get(retailerId)!.push({ id: `BF-${String(++n).padStart(5, '0')}`, meteringPointId, retailerId, substationId });
        taken++;
      }
    }
    if ([...chosen.values()].every((hems) => hems.length > 0) && [...chosen.values()].flat().length === HEMS_PER_POINT) points.push({ substationId, hems: chosen });
    else n -= [...chosen.values()].flat().length;
  }
  return points;
}

/** The fleet in the tables: HEMS online now, their devices and evening conditions, each shared with its retailer. The seed's HEMS and flex market go first. */
async function writeFleet(database: DatabaseHandle, fleet: readonly BenchHems[]): Promise<void> {
  const db = database.pool;
  await db.query('TRUNCATE hems.systems, flexibility.flex_requests CASCADE');
  await db.query(
    `INSERT INTO hems.systems (id, metering_point_id, vendor, protocol, installed_at, online, last_seen_at)
     SELECT id, point, 'Bench', 'MQTT', now() - interval '1 year', true, now() FROM unnest($1::text[], $2::text[]) AS f(id, point)`,
    [fleet.map((hems) => hems.id), fleet.map((hems) => hems.meteringPointId)],
  );
  await db.query(
    `INSERT INTO hems.devices (id, hems_id, kind, rated_power_kw, controllable)
     SELECT s.id || '-D' || d.n, s.id, d.kind, d.rated, true
     FROM hems.systems s CROSS JOIN unnest($1::hems.device_kind[], $2::float8[]) WITH ORDINALITY AS d(kind, rated, n)`,
    [DEVICES.map((device) => device.kind), DEVICES.map((device) => device.ratedPowerKw)],
  );
  await db.query(
    `INSERT INTO hems.flexible_loads (id, hems_id, device_id, earliest_start_minute, latest_end_minute, max_shift_minutes, min_run_minutes, priority, opted_out)
     SELECT s.id || '-F' || d.n, s.id, s.id || '-D' || d.n, $2, $3, 120, 30, d.priority, false
     FROM hems.systems s CROSS JOIN unnest($1::int[]) WITH ORDINALITY AS d(priority, n)`,
    [DEVICES.map((device) => device.priority), LOADS_FROM_MINUTE, LOADS_TO_MINUTE],
  );
  await db.query(
    `INSERT INTO hub.consents (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
     SELECT 'bench-share-' || id, point, retailer, '{hems:read}', now() - interval '30 days', now() + interval '1 year', 'bench'
     FROM unnest($1::text[], $2::text[], $3::text[]) AS f(id, point, retailer)`,
    [fleet.map((hems) => hems.id), fleet.map((hems) => hems.meteringPointId), fleet.map((hems) => hems.retailerId)],
  );
  await db.query('ANALYZE hems.systems; ANALYZE hems.devices; ANALYZE hems.flexible_loads; ANALYZE hub.consents');
}

/** The ISPs of the window on a local day. */
function windowIsps(localDay: number): number[] {
  const starts: number[] = [];
  for (let minute = WINDOW_FROM_MINUTE; minute < WINDOW_TO_MINUTE; minute += ISP_MS / MINUTE_MS) starts.push(lisbonWallToUtcMs(localDay * DAY_MS + minute * MINUTE_MS));
  return starts;
}

const isWorking = (localDay: number) => dayType(localDay) === WORKING;

/** The past day to settle: the most recent working day before today, and its BASELINE_DAYS earlier working days. */
function pastDays(todayLocal: number): { day: number; firstDay: number } {
  let day = todayLocal - 1;
  while (!isWorking(day)) day--;
  let firstDay = day;
  for (let found = 0; found < BASELINE_DAYS; ) if (isWorking(--firstDay)) found++;
  return { day, firstDay };
}

interface PastOrders {
  orderIds: string[];
  /** The orders' points, by order: what the settlement reads. */
  pointKeys: { orderId: string; key: number }[];
  windows: { fromMs: number; toMs: number }[];
}

/**
 * A past day of CONGESTION_POINTS settled-to-be orders, written straight into the tables: on
 * each congestion point a closed request for the window, one retailer's offer of its HEMS there
 * (retailers in turn), ordered and reported, one FLEX_ORDER command per HEMS; their points'
 * readings on the day and BASELINE_DAYS working days before (writeHistory for those points only),
 * with PAST_HELD_OFF_KW per HEMS taken out in the ordered ISPs.
 */
async function writePastDay(database: DatabaseHandle, parish: Parish, points: readonly CongestionPoint[], retailerIds: readonly string[], todayLocal: number): Promise<PastOrders & { day: number }> {
  const { day, firstDay } = pastDays(todayLocal);
  const starts = windowIsps(day);
  const iso = (ms: number) => new Date(ms).toISOString();
  const periodStart = starts[0]!;
  const periodEnd = starts.at(-1)! + ISP_MS;
  const orders = points.map((point, i) => {
    const retailerId = retailerIds[i % retailerIds.length]!;
    return { i, point, retailerId, hems: point.hems.get(retailerId)! };
  });
  const heldOff: HeldOffLoad[] = orders.flatMap(({ hems }) => hems.flatMap((h) => starts.map((startMs) => ({ meteringPointId: h.meteringPointId, startMs, endMs: startMs + ISP_MS, kw: PAST_HELD_OFF_KW }))));
  const pointIds = new Set(orders.flatMap(({ hems }) => hems.map((h) => h.meteringPointId)));
  const dayStartsMs = Array.from({ length: day - firstDay + 1 }, (_, k) => (firstDay + k) * DAY_MS);
  await writeHistory(database, { ...parish, meteringPoints: parish.meteringPoints.filter((point) => pointIds.has(point.id)) }, { dayStartsMs, heldOff });

  const db = database.pool;
  const id = (kind: string, i: number) => `bench-${kind}-${String(i).padStart(3, '0')}`;
  const each = <T>(make: (order: (typeof orders)[number]) => T[]) => orders.flatMap(make);
  const requestRows = orders.map(({ i, point }) => [id('fr', i), point.substationId] as const);
  await db.query(
    `INSERT INTO flexibility.flex_requests (id, congestion_point_kind, congestion_point_id, secondary_substation_id, status, revision, period_start, period_end, expires_at, created_at, closed_at, close_reason, restored_at)
     SELECT r.id, 'SECONDARY_SUBSTATION', r.point, r.point, 'CLOSED', 1, $3, $4, $3::timestamptz - interval '6 hours', $3::timestamptz - interval '1 day', $4, 'PERIOD_ENDED', $4
     FROM unnest($1::text[], $2::text[]) AS r(id, point)`,
    [requestRows.map(([requestId]) => requestId), requestRows.map(([, point]) => point), iso(periodStart), iso(periodEnd)],
  );
  const offerKw = (hems: readonly BenchHems[]) => hems.length * PAST_HELD_OFF_KW;
  const ispRows = each(({ i, hems }) => starts.map((startMs) => [id('fr', i), id('fof', i), iso(startMs), offerKw(hems)] as const));
  await db.query(`INSERT INTO flexibility.flex_request_isps (request_id, start, min_kw, max_kw) SELECT r, s, kw, kw FROM unnest($1::text[], $2::timestamptz[], $3::float8[]) AS i(r, s, kw)`, [
    ispRows.map((row) => row[0]),
    ispRows.map((row) => row[2]),
    ispRows.map((row) => row[3]),
  ]);
  const recipientRows = each(({ i }) => retailerIds.map((retailerId) => [id('fr', i), retailerId] as const));
  await db.query('INSERT INTO flexibility.flex_request_recipients (request_id, organisation_id) SELECT * FROM unnest($1::text[], $2::text[])', [recipientRows.map((row) => row[0]), recipientRows.map((row) => row[1])]);
  await db.query(
    `INSERT INTO flexibility.flex_offers (id, request_id, request_revision, organisation_id, status, price_eur_per_kwh, expires_at, idempotency_key, content_hash, created_at)
     SELECT o.id, o.request, 1, o.retailer, 'ORDERED', 0.15, $4, o.id, o.id, $4::timestamptz - interval '20 hours' FROM unnest($1::text[], $2::text[], $3::text[]) AS o(id, request, retailer)`,
    [orders.map(({ i }) => id('fof', i)), orders.map(({ i }) => id('fr', i)), orders.map(({ retailerId }) => retailerId), iso(periodStart)],
  );
  await db.query('INSERT INTO flexibility.flex_offer_isps (offer_id, start, kw) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[])', [
    ispRows.map((row) => row[1]),
    ispRows.map((row) => row[2]),
    ispRows.map((row) => row[3]),
  ]);
  const orderIds = orders.map(({ i }) => id('fo', i));
  await db.query(
    `INSERT INTO flexibility.flex_orders (id, offer_id, request_id, organisation_id, status, activation_factor, ordered_at, activated_at)
     SELECT o.id, o.offer, o.request, o.retailer, 'ACTIVATED', 1, $5::timestamptz - interval '5 hours', $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS o(id, offer, request, retailer)`,
    [orderIds, orders.map(({ i }) => id('fof', i)), orders.map(({ i }) => id('fr', i)), orders.map(({ retailerId }) => retailerId), iso(periodStart), iso(periodEnd)],
  );
  const commandRows = each(({ i, retailerId, hems }) => hems.map((h) => [`bench-hc-${h.id}`, h.id, `${h.id}-D1`, id('fo', i), retailerId] as const));
  await db.query(
    `INSERT INTO hems.commands (id, hems_id, device_id, kind, start, "end", reason, order_id, issuer_id, issued_by_key_id, status, issued_at, expires_at, executed_at)
     SELECT c.id, c.hems, c.device, 'SHIFT', $6, $7, 'FLEX_ORDER', c.order_id, c.issuer, 'bench', 'EXECUTED', $6::timestamptz - interval '5 hours', $6, $6
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS c(id, hems, device, order_id, issuer)`,
    [commandRows.map((row) => row[0]), commandRows.map((row) => row[1]), commandRows.map((row) => row[2]), commandRows.map((row) => row[3]), commandRows.map((row) => row[4]), iso(periodStart), iso(periodEnd)],
  );
  const activationRows = each(({ i, hems }) => hems.flatMap((h) => starts.map((startMs) => [id('fo', i), h.id, iso(startMs)] as const)));
  await db.query(
    `INSERT INTO flexibility.flex_activations (order_id, hems_id, start, kw, reported_at) SELECT a.o, a.h, a.s, $4, $5 FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS a(o, h, s)`,
    [activationRows.map((row) => row[0]), activationRows.map((row) => row[1]), activationRows.map((row) => row[2]), PAST_HELD_OFF_KW, iso(periodEnd)],
  );
  await db.query('ANALYZE');

  const keyOf = new Map(parish.meteringPoints.map((point) => [point.id, point.key]));
  return {
    day,
    orderIds,
    pointKeys: orders.flatMap(({ i, hems }) => hems.map((h) => ({ orderId: id('fo', i), key: keyOf.get(h.meteringPointId)! }))),
    windows: readingWindows({ isps: starts.map((startMs) => ({ startMs, offeredKw: 0 })), activationStartsMs: starts }),
  };
}

/**
 * The floor: one statement reading what the settlement reads, every order's points in every
 * window, summed per order and instant, by the points' keys (no lookup of the CPE code, no
 * access or order rows). OFFSET 0 keeps the sub-query a LATERAL lookup per point and window,
 * as the settlement's point_readings is: joined flat, the same read took 1.24 s in one run
 * against 0.11 s, slower than the settlement it is the floor of.
 */
function settlementFloor(database: DatabaseHandle, past: PastOrders) {
  return database.pool.query(
    `SELECT o.order_id, r.interval_start, sum(r.import_wh)::int AS import_wh, count(*)::int AS points
     FROM unnest($1::text[], $2::int[]) AS o(order_id, point_key)
     CROSS JOIN unnest($3::timestamptz[], $4::timestamptz[]) AS w(from_ts, to_ts)
     CROSS JOIN LATERAL (
       SELECT interval_start, import_wh FROM metering.readings
       WHERE metering_point_key = o.point_key AND interval_start >= w.from_ts AND interval_start < w.to_ts OFFSET 0
     ) r
     GROUP BY 1, 2`,
    [past.pointKeys.map((p) => p.orderId), past.pointKeys.map((p) => p.key), past.windows.map((w) => new Date(w.fromMs)), past.windows.map((w) => new Date(w.toMs))],
  );
}

async function unsettle(database: DatabaseHandle, orderIds: readonly string[]): Promise<void> {
  await database.pool.query('DELETE FROM flexibility.flex_settlement_isps WHERE order_id = ANY($1)', [orderIds]);
  await database.pool.query('DELETE FROM flexibility.flex_settlements WHERE order_id = ANY($1)', [orderIds]);
  await database.pool.query(`UPDATE flexibility.flex_orders SET status = 'ACTIVATED', settled_at = NULL WHERE id = ANY($1)`, [orderIds]);
}

const ms = (samples: readonly number[]) => ({ p50Ms: round(percentile(samples, 50)), p99Ms: round(percentile(samples, 99)) });

/**
 * The flexibility market's whole lifecycle on CONGESTION_POINTS secondary substations with
 * HEMS_PER_POINT HEMS each (four retailers), through the gateway over HTTP and graphql-ws:
 * requests pushed to the retailers, offers from their available flexibility, sufficiency,
 * automatic selection, HEMS commands and activation reports for the orders, the restore; then a
 * past day of as many orders settled, next to the floor of one SQL statement reading the same readings.
 */
export const flexScenario: Scenario = {
  name: 'flex',
  description: 'flexibility market: 200 congestion points, 4 retailers, 2,000 HEMS, request to settlement; settling a day vs one SQL read of its readings',
  async run({ customers }) {
    const bench = await openBenchHub(customers);
    const clients: Client[] = [];
    try {
      const { database, parish, createKey } = bench;
      const url = `${bench.hub.url}/graphql`;
      const retailerIds = parish.organisations.filter((org) => org.kind === 'retailer').map((org) => org.id);
      const points = chooseFleet(parish, retailerIds);
      const fleet = points.flatMap((point) => [...point.hems.values()].flat());
      await writeFleet(database, fleet);
      const todayLocal = lisbonLocalDay(Date.now());
      const past = await writePastDay(database, parish, points, retailerIds, todayLocal);
      // Seen now, so that none goes offline (HEMS_OFFLINE_AFTER_S) during the lifecycle.
      await database.pool.query('UPDATE hems.systems SET last_seen_at = now()');
      const dsoKey = (await createKey('dso', 'dso')).key;
      const retailerKeys = new Map(await Promise.all(retailerIds.map(async (id) => [id, (await createKey('retailer', id)).key] as const)));
      const pointOf = new Map(points.map((point) => [point.substationId, point]));
      const pointIndex = new Map(points.map((point, i) => [point.substationId, i]));

      const ask = async <T>(key: string, query: string, variables: Record<string, unknown>): Promise<T> => {
        const { body } = await postGraphQL<T>(url, query, { authorization: `Bearer ${key}` }, variables);
        if (body.errors || !body.data) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors ?? body).slice(0, 400)}`);
        return body.data;
      };
      const timed = async <T>(samples: number[], work: () => Promise<T>): Promise<T> => {
        const startedMs = performance.now();
        const result = await work();
        samples.push(performance.now() - startedMs);
        return result;
      };

      // Tomorrow evening: ISPs ahead, offers taken until an hour from now.
      const starts = windowIsps(todayLocal + 1);
      const expiresAt = new Date(Math.min(Date.now() + 3_600_000, starts[0]!)).toISOString();
      const requestIsps = starts.map((startMs) => ({ start: new Date(startMs).toISOString(), minKw: REQUEST_MIN_KW, maxKw: REQUEST_MAX_KW }));

      // What happened when (performance.now()), by request and by order.
      // createFlexRequest sent: the request commits after, so timing from here bounds 'from commit' from above.
      const sentAtMs = new Map<string, number>();
      const requestFrames = new Map<string, Map<string, number>>();
      const offersAnsweredMs = new Map<string, Map<string, number>>();
      const orderFramesMs = new Map<string, number>();
      const orderRequest = new Map<string, string>();
      const activationsAnsweredMs = new Map<string, number>();
      const restoreFrames = new Map<string, Map<string, number>>();
      const closeSentMs = new Map<string, number>();
      const samples = { create: [] as number[], availability: [] as number[], submit: [] as number[], sufficiency: [] as number[], select: [] as number[], commands: [] as number[], report: [] as number[], close: [] as number[] };
      let ordersExpected = 0;
      const mark = (map: Map<string, Map<string, number>>, id: string, retailerId: string) => {
        const byRetailer = map.get(id) ?? new Map<string, number>();
        if (!byRetailer.has(retailerId)) byRetailer.set(retailerId, performance.now());
        map.set(id, byRetailer);
      };

      const everyRetailer = (map: Map<string, Map<string, number>>) => [...map.values()].reduce((n, byRetailer) => n + byRetailer.size, 0) === points.length * retailerIds.length;
      // Each begins (and its timeout runs) just before its step; the push handlers only use it after.
      let offered: Stage | null = null;
      let activated: Stage | null = null;
      let restored: Stage | null = null;
      const failure = (error: unknown) => (restored ?? activated ?? offered)?.fail(error);

      const onRequest = (retailerId: string, key: string) =>
        workQueue<RequestEvent['flexRequests']>(
          RETAILER_CONCURRENCY,
          async ({ flexRequest: request }) => {
            const scope = { secondarySubstationId: request.congestionPointId };
            // The request's ISPs are one run: an offer over them counts only loads held for all of it (as submitFlexOffer checks).
            const minutes = Math.min(MAX_HOLD_MINUTES, (Date.parse(request.periodEnd) - Date.parse(request.periodStart)) / MINUTE_MS);
            const availability = await timed(samples.availability, () =>
              ask<{ availableFlexibility: { intervalStart: string; reductionKw: number }[] }>(key, AVAILABILITY, { scope, from: request.periodStart, to: request.periodEnd, minutes }),
            );
            const availableAt = new Map(availability.availableFlexibility.map((interval) => [Date.parse(interval.intervalStart), interval.reductionKw]));
            const isps = request.isps.flatMap((isp) => {
              const kw = Math.min(availableAt.get(Date.parse(isp.start)) ?? 0, isp.maxKw);
              return kw > 0 ? [{ start: isp.start, kw }] : [];
            });
            // Prices differ by retailer and by point, so the cheapest set is not always the same retailers.
            const priceEurPerKwh = round(0.1 + ((retailerIds.indexOf(retailerId) * 7 + pointIndex.get(request.congestionPointId)!) % 10) / 50, 3);
            await timed(samples.submit, () =>
              ask(key, SUBMIT, { input: { flexRequestId: request.id, isps, priceEurPerKwh, expiresAt: request.expiresAt, idempotencyKey: `bench-${request.id}` } }),
            );
            mark(offersAnsweredMs, request.id, retailerId);
            offered?.tick();
          },
          failure,
        );

      const onOrder = (retailerId: string, key: string) =>
        workQueue<OrderEvent['flexOrders']>(
          RETAILER_CONCURRENCY,
          async ({ flexOrder: order }) => {
            // Its HEMS behind the point, as many as the ordered kW needs (each can take HEMS_KW off).
            const orderedKw = Math.max(...order.offer.isps.map((isp) => isp.kw * order.activationFactor));
            const own = pointOf.get(order.flexRequest.congestionPointId)!.hems.get(retailerId)!;
            const chosen = own.slice(0, Math.min(own.length, Math.ceil(orderedKw / HEMS_KW - 1e-9)));
            const commands = chosen.flatMap((hems) => DEVICES.map((_, d) => ({ hemsId: hems.id, deviceId: `${hems.id}-D${d + 1}` })));
            // A flex order's commands lie within its offer's ISPs (which may leave out some of the request's).
            const offerStartsMs = order.offer.isps.map((isp) => Date.parse(isp.start));
            const commandStart = new Date(Math.min(...offerStartsMs)).toISOString();
            const commandEnd = new Date(Math.max(...offerStartsMs) + ISP_MS).toISOString();
            const document = `mutation { ${commands
              .map(
                (command, c) =>
                  `c${c}: issueHemsCommand(input: { hemsId: "${command.hemsId}", deviceId: "${command.deviceId}", kind: SHIFT, start: "${commandStart}", end: "${commandEnd}", reason: FLEX_ORDER, orderId: "${order.id}" }) { id }`,
              )
              .join(' ')} }`;
            await timed(samples.commands, () => ask(key, document, {}));
            // A report waits for its ISPs' end, and these are tomorrow's: time is run forward by moving
            // the order's ISPs RAN_BACK_DAYS back (untimed), and the report names them there.
            await database.pool.query(`UPDATE flexibility.flex_offer_isps SET start = start - make_interval(days => $2) WHERE offer_id = (SELECT offer_id FROM flexibility.flex_orders WHERE id = $1)`, [
              order.id,
              RAN_BACK_DAYS,
            ]);
            const ranStart = (start: string) => new Date(Date.parse(start) - RAN_BACK_DAYS * DAY_MS).toISOString();
            const isps = order.offer.isps.flatMap((isp) => chosen.map((hems) => ({ start: ranStart(isp.start), hemsId: hems.id, kw: round((isp.kw * order.activationFactor) / chosen.length, 3) })));
            await timed(samples.report, () => ask(key, REPORT, { input: { orderId: order.id, isps } }));
            activationsAnsweredMs.set(order.id, performance.now());
            activated?.tick();
          },
          failure,
        );

      // Every retailer's platform subscribed to requests and orders before the first request.
      const wsUrl = url.replace(/^http/, 'ws');
      const subscribed: Promise<void>[] = [];
      for (const [retailerId, key] of retailerKeys) {
        const requests = onRequest(retailerId, key);
        const orders = onOrder(retailerId, key);
        const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { apiKey: key }, retryAttempts: 0, lazy: false });
        clients.push(client);
        subscribed.push(new Promise((resolve) => client.on('connected', () => resolve())));
        const failed = (error: unknown) => failure(new Error(`subscription of ${retailerId}: ${JSON.stringify(error).slice(0, 400)}`));
        client.subscribe<RequestEvent>(
          { query: REQUEST_EVENTS },
          {
            next: ({ data, errors }) => {
              if (errors || !data) return failed(errors);
              const event = data.flexRequests;
              if (event.kind === 'CREATED') {
                mark(requestFrames, event.flexRequest.id, retailerId);
                requests(event);
              } else if (event.kind === 'BY_DSO') {
                mark(restoreFrames, event.flexRequest.id, retailerId);
                restored?.tick();
              }
            },
            error: failed,
            complete: () => undefined,
          },
        );
        client.subscribe<OrderEvent>(
          { query: ORDER_EVENTS },
          {
            next: ({ data, errors }) => {
              if (errors || !data) return failed(errors);
              if (data.flexOrders.kind !== 'ORDERED') return;
              orderFramesMs.set(data.flexOrders.flexOrder.id, performance.now());
              orderRequest.set(data.flexOrders.flexOrder.id, data.flexOrders.flexOrder.flexRequest.id);
              orders(data.flexOrders);
            },
            error: failed,
            complete: () => undefined,
          },
        );
      }
      await Promise.all(subscribed);

      // Request → pushed → offers: the DSO publishes every request; retailers answer as they get them.
      const requestIds = new Map<string, string>();
      const created = (offered = stage('offers', () => sentAtMs.size === points.length && everyRetailer(offersAnsweredMs)));
      const lifecycleStartedMs = performance.now();
      await inPool(points, DSO_CONCURRENCY, async (point) => {
        const sent = performance.now();
        const { createFlexRequest } = await timed(samples.create, () => ask<{ createFlexRequest: { id: string } }>(dsoKey, CREATE, { input: { congestionPointId: point.substationId, isps: requestIsps, expiresAt } }));
        sentAtMs.set(createFlexRequest.id, sent);
        requestIds.set(point.substationId, createFlexRequest.id);
        created.tick();
      });
      await created.finished;
      const offersMs = performance.now() - lifecycleStartedMs;

      // Sufficiency, then the cheapest sufficient set.
      let shortIsps = 0;
      await inPool([...requestIds.values()], DSO_CONCURRENCY, async (id) => {
        const { flexRequest } = await timed(samples.sufficiency, () => ask<{ flexRequest: { sufficiency: { shortfallKw: number }[] } }>(dsoKey, SUFFICIENCY, { id }));
        shortIsps += flexRequest.sufficiency.filter((isp) => isp.shortfallKw > 0).length;
      });
      const selectSentMs = new Map<string, number>();
      let ordersPlaced = 0;
      const ordering = (activated = stage('activation reports', () => ordersExpected > 0 && activationsAnsweredMs.size === ordersExpected));
      const selectStartedMs = performance.now();
      await inPool([...requestIds.values()], DSO_CONCURRENCY, async (id) => {
        selectSentMs.set(id, performance.now());
        const { autoSelectFlexOffers } = await timed(samples.select, () => ask<{ autoSelectFlexOffers: { id: string }[] }>(dsoKey, AUTO_SELECT, { id }));
        ordersPlaced += autoSelectFlexOffers.length;
      });
      ordersExpected = ordersPlaced;
      ordering.tick();
      await ordering.finished;
      const ordersToActivationMs = performance.now() - selectStartedMs;

      // Back to normal: the DSO closes every request; FLEX_RESTORE reaches every retailer.
      const closing = (restored = stage('restore', () => everyRetailer(restoreFrames)));
      await inPool([...requestIds.values()], DSO_CONCURRENCY, async (id) => {
        closeSentMs.set(id, performance.now());
        await timed(samples.close, () => ask(dsoKey, CLOSE, { id }));
      });
      closing.tick();
      await closing.finished;

      // Settling the past day, next to the floor.
      const day = localDayText(past.day);
      const settle = async () => {
        await unsettle(database, past.orderIds);
        const startedMs = performance.now();
        const { settleFlexOrders } = await ask<{ settleFlexOrders: { settled: number; unsettledOrderIds: string[] } }>(dsoKey, SETTLE, { day });
        const elapsedMs = performance.now() - startedMs;
        if (settleFlexOrders.settled !== past.orderIds.length) {
          throw new Error(`settleFlexOrders(${day}) settled ${settleFlexOrders.settled} of ${past.orderIds.length}; unsettled: ${settleFlexOrders.unsettledOrderIds.slice(0, 5).join(', ')}`);
        }
        return elapsedMs;
      };
      // One untimed run, as the floor has its warm-up.
      await settle();
      const settleSamples: number[] = [];
      for (let i = 0; i < SETTLE_RUNS; i++) settleSamples.push(await settle());
      const { rows: deliveredRows } = await database.pool.query<{ delivered: number; ordered: number; days: number }>(
        `SELECT sum(i.delivered_kw)::float8 AS delivered, sum(i.ordered_kw)::float8 AS ordered, min(cardinality(s.baseline_days))::int AS days
         FROM flexibility.flex_settlements s JOIN flexibility.flex_settlement_isps i USING (order_id) WHERE s.order_id = ANY($1)`,
        [past.orderIds],
      );
      const floorMs = await medianOf(() => settlementFloor(database, past), { warmup: 1, runs: FLOOR_RUNS });
      const settlementDayMs = percentile(settleSamples, 50);

      const requestIdList = [...requestIds.values()];
      const requestToOffer = requestIdList.map((id) => Math.max(...offersAnsweredMs.get(id)!.values()) - sentAtMs.get(id)!);
      const pushed = requestIdList.map((id) => Math.max(...requestFrames.get(id)!.values()) - sentAtMs.get(id)!);
      const orderToActivation = [...activationsAnsweredMs].map(([id, atMs]) => atMs - orderFramesMs.get(id)!);
      const orderPushed = [...orderFramesMs].map(([id, atMs]) => atMs - selectSentMs.get(orderRequest.get(id)!)!);
      const restore = requestIdList.map((id) => Math.max(...restoreFrames.get(id)!.values()) - closeSentMs.get(id)!);
      const row = (step: string, values: readonly number[], note = '') => ({ step, count: values.length, ...ms(values), note });
      const delivered = deliveredRows[0]!;
      return {
        metrics: {
          congestionPoints: points.length,
          hems: fleet.length,
          requestToOfferP50Ms: round(percentile(requestToOffer, 50)),
          requestToOfferP99Ms: round(percentile(requestToOffer, 99)),
          createP99Ms: round(percentile(samples.create, 99)),
          pushP99Ms: round(percentile(pushed, 99)),
          submitOfferP99Ms: round(percentile(samples.submit, 99)),
          sufficiencyP99Ms: round(percentile(samples.sufficiency, 99)),
          autoSelectP99Ms: round(percentile(samples.select, 99)),
          orderToActivationP99Ms: round(percentile(orderToActivation, 99)),
          restoreP99Ms: round(percentile(restore, 99)),
          offersStageMs: round(offersMs),
          ordersToActivationStageMs: round(ordersToActivationMs),
          orders: ordersPlaced,
          settlementDayMs: round(settlementDayMs),
          settlementFloorMs: round(floorMs),
          settlementFloorRatio: round(settlementDayMs / floorMs, 2),
        },
        table: [
          row('createFlexRequest (DSO, 4 in flight)', samples.create),
          row('pushed: request sent → frame at every retailer', pushed),
          row('availableFlexibility (retailer, the substation)', samples.availability),
          row('submitFlexOffer', samples.submit),
          row('requestToOffer: request sent → every retailer’s offer committed', requestToOffer, `all ${points.length * retailerIds.length} offers in ${round(offersMs / 1000)} s`),
          row('sufficiency read (DSO)', samples.sufficiency, `${shortIsps} ISPs short`),
          row('autoSelectFlexOffers (DSO)', samples.select, `${ordersPlaced} orders`),
          row('order pushed: autoSelect sent → frame at the retailer', orderPushed),
          row('issueHemsCommand × devices of the order, one document', samples.commands),
          row('reportActivation', samples.report),
          row('order frame → activation reported', orderToActivation),
          row('closeFlexRequest (DSO)', samples.close),
          row('restore: close sent → FLEX_RESTORE at every retailer', restore),
          row(`settleFlexOrders(${day}), ${past.orderIds.length} orders`, settleSamples, `target < 2,000; baseline ${delivered.days} days; delivered ${round(delivered.delivered)} of ${round(delivered.ordered)} kW·ISP ordered`),
          { step: 'floor: one SQL read of the same readings (median)', count: FLOOR_RUNS, p50Ms: round(floorMs), p99Ms: '', note: `ratio ${round(settlementDayMs / floorMs, 2)}` },
        ],
      };
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
      await bench.close();
    }
  },
};

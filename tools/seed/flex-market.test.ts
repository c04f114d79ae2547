import { DAY_MS, dayType, lisbonLocalDay, lisbonWallToUtcMs, QUARTER_MS, WORKING } from '../../subgraphs/kit/calendar';
import { localDayText } from '../../subgraphs/kit/local-day';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { planFlexMarket, type FlexMarketPlan } from './flex-market';
import { lastMidnightMs } from './history';
import { createCurveGenerator, type CurvePoint } from './load-curves';
import { seedHistory } from './main';
import { DEFAULT_SEED, generateParish, type Parish } from './parish';
import { writeParish } from './write';

/** Eight days hold any working day's five earlier working days when it is the first after a weekend. */
const DAYS = 8;

let db: TestDatabase;
let parish: Parish;
let plan: FlexMarketPlan;
let orderDay: number;

const query = async <T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> => (await db.handle.pool.query<T>(text, values)).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  parish = generateParish({ customers: 300 });
  plan = planFlexMarket(parish, DEFAULT_SEED)!;
  await writeParish(db.handle, parish);
  await seedHistory(db.handle, parish, { days: DAYS });
  const [request] = await query<{ period_start: Date }>('SELECT period_start FROM flexibility.flex_requests WHERE id = $1', [plan.requestId]);
  orderDay = lisbonLocalDay(request!.period_start.getTime());
});

afterAll(() => db.drop());

const isWorking = (day: number) => dayType(day) === WORKING;
/** Lisbon wall-clock quarter-hour `minute` of a local day, as an instant. */
const wallClock = (day: number, minute: number) => new Date(lisbonWallToUtcMs(day * DAY_MS + minute * 60_000));
const WINDOW_MINUTES = Array.from({ length: 8 }, (_, i) => 20 * 60 + 15 * i);

describe('the seeded flex order', () => {
  it('settles from the seeded readings with the earlier working days as its baseline and positive delivered flexibility in every ISP', async () => {
    const [order] = await query<{ status: string }>('SELECT status FROM flexibility.flex_orders WHERE id = $1', [plan.orderId]);
    expect(order!.status).toBe('SETTLED');
    const [settlement] = await query<{ baseline_days: string[]; metering_point_ids: string[]; amount_micro_eur: string }>(
      'SELECT baseline_days::text[] AS baseline_days, metering_point_ids, amount_micro_eur FROM flexibility.flex_settlements WHERE order_id = $1',
      [plan.orderId],
    );
    // The history window's working days before the order's day, most recent first, up to five.
    const firstDay = lastMidnightMs() / DAY_MS - DAYS;
    const expectedDays: string[] = [];
    for (let day = orderDay - 1; day >= firstDay && expectedDays.length < 5; day--) if (isWorking(day)) expectedDays.push(localDayText(day));
    expect(isWorking(orderDay)).toBe(true);
    expect(expectedDays.length).toBeGreaterThanOrEqual(2);
    expect(settlement!.baseline_days).toEqual(expectedDays);
    const points = plan.offers[0].hems.map((hems) => hems.meteringPointId).sort();
    expect(settlement!.metering_point_ids).toEqual(points);
    expect(Number(settlement!.amount_micro_eur)).toBeGreaterThan(0);

    // Baseline and actual recomputed from the readings: the points' summed import, kW.
    const kwAt = async (instants: Date[]) =>
      (
        await query<{ kw: number }>(
          `SELECT sum(r.import_wh)::float8 * 4 / 1000 AS kw FROM metering.readings r JOIN metering.metering_points p ON p.key = r.metering_point_key
           WHERE p.id = ANY($1) AND r.interval_start = ANY($2::timestamptz[]) GROUP BY r.interval_start ORDER BY r.interval_start`,
          [points, instants],
        )
      ).map((row) => row.kw);
    const isps = await query<{ start: Date; baseline_kw: number; actual_kw: number; delivered_kw: number; ordered_kw: number }>(
      'SELECT start, baseline_kw, actual_kw, delivered_kw, ordered_kw FROM flexibility.flex_settlement_isps WHERE order_id = $1 ORDER BY start',
      [plan.orderId],
    );
    expect(isps.map((isp) => isp.start)).toEqual(WINDOW_MINUTES.map((minute) => wallClock(orderDay, minute)));
    const actual = await kwAt(WINDOW_MINUTES.map((minute) => wallClock(orderDay, minute)));
    const baselineDays = expectedDays.map((text) => Date.parse(text) / DAY_MS);
    const baseline = await Promise.all(WINDOW_MINUTES.map(async (minute) => (await kwAt(baselineDays.map((day) => wallClock(day, minute)))).reduce((a, b) => a + b, 0) / baselineDays.length));
    for (const [i, isp] of isps.entries()) {
      expect(isp.actual_kw).toBeCloseTo(actual[i]!, 3);
      expect(isp.baseline_kw).toBeCloseTo(baseline[i]!, 3);
      expect(isp.delivered_kw).toBeGreaterThan(0);
      expect(isp.delivered_kw).toBeCloseTo(Math.max(0, baseline[i]! - actual[i]!), 3);
    }
  });

  it('takes the commanded chargers’ draw out of their points’ readings in the ordered ISPs, and nowhere else', async () => {
    const curvePoints = parish.meteringPoints.map((point): CurvePoint => ({ ...(point as CurvePoint), homeCharger: parish.homeChargers.get(point.id) }));
    const curves = createCurveGenerator(curvePoints, DEFAULT_SEED);
    const indexOf = new Map(parish.meteringPoints.map((point, i) => [point.id, i]));
    const hems = plan.offers[0].hems[0]!;
    const stored = async (at: Date) =>
      (await query<{ import_wh: number }>('SELECT r.import_wh FROM metering.readings r JOIN metering.metering_points p ON p.key = r.metering_point_key WHERE p.id = $1 AND r.interval_start = $2', [hems.meteringPointId, at]))[0]!.import_wh;
    for (const minute of WINDOW_MINUTES) {
      const at = wallClock(orderDay, minute);
      const generated = curves.reading(indexOf.get(hems.meteringPointId)!, at.getTime()).importWh;
      // The car charges at its full 7.4 kW through the window: 1,850 Wh a quarter-hour.
      expect(await stored(at)).toBe(Math.max(0, generated - 1850));
    }
    const after = new Date(wallClock(orderDay, 22 * 60).getTime() + QUARTER_MS);
    expect(await stored(after)).toBe(curves.reading(indexOf.get(hems.meteringPointId)!, after.getTime()).importWh);
  });

  it('is one chain: a closed request, offers of two retailers at different prices, the cheaper ordered, its HEMS commanded and reported', async () => {
    const [request] = await query<{ status: string; close_reason: string; congestion_point_id: string }>('SELECT status, close_reason, congestion_point_id FROM flexibility.flex_requests WHERE id = $1', [
      plan.requestId,
    ]);
    expect(request).toEqual({ status: 'CLOSED', close_reason: 'PERIOD_ENDED', congestion_point_id: parish.congestion!.feederId });
    const offers = await query<{ organisation_id: string; price_eur_per_kwh: number; ordered: boolean }>(
      `SELECT f.organisation_id, f.price_eur_per_kwh, o.id IS NOT NULL AS ordered FROM flexibility.flex_offers f LEFT JOIN flexibility.flex_orders o ON o.offer_id = f.id
       WHERE f.request_id = $1 ORDER BY f.price_eur_per_kwh`,
      [plan.requestId],
    );
    expect(offers).toHaveLength(2);
    expect(offers[0]!.organisation_id).not.toBe(offers[1]!.organisation_id);
    expect(offers[0]!.price_eur_per_kwh).toBeLessThan(offers[1]!.price_eur_per_kwh);
    expect(offers.map((offer) => offer.ordered)).toEqual([true, false]);
    const commands = await query<{ hems_id: string; reason: string; status: string; issuer_id: string }>('SELECT hems_id, reason, status, issuer_id FROM hems.commands WHERE order_id = $1 ORDER BY hems_id', [plan.orderId]);
    expect(commands).toEqual(plan.offers[0].hems.map((hems) => ({ hems_id: hems.hemsId, reason: 'FLEX_ORDER', status: 'EXECUTED', issuer_id: offers[0]!.organisation_id })).sort((a, b) => (a.hems_id < b.hems_id ? -1 : 1)));
    const [reported] = await query<{ hems: number; isps: number; kw: number }>('SELECT count(DISTINCT hems_id)::int AS hems, count(DISTINCT start)::int AS isps, sum(kw)::float8 AS kw FROM flexibility.flex_activations WHERE order_id = $1', [plan.orderId]);
    expect(reported!.hems).toBe(commands.length);
    expect(reported!.isps).toBe(8);
    expect(reported!.kw).toBeCloseTo(commands.length * 8 * 7.4, 6);
  });

  it('is written once: seeding the history again leaves it as it was', async () => {
    const before = await query('SELECT * FROM flexibility.flex_settlements WHERE order_id = $1', [plan.orderId]);
    await seedHistory(db.handle, parish, { days: DAYS });
    expect(await query('SELECT * FROM flexibility.flex_settlements WHERE order_id = $1', [plan.orderId])).toEqual(before);
    expect(await query('SELECT id FROM flexibility.flex_orders WHERE request_id = $1', [plan.requestId])).toHaveLength(1);
  });
});

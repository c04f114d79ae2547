import { lastMidnightMs, writeHistory } from '../../../tools/seed/history';
import { pointsSuppliedNowBy, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { DAY_MS, QUARTER_MS, lisbonLocalDay, lisbonMidnightUtcMs, quartersInLocalDay } from '../../kit/calendar';
import { ForecastService } from '../forecast.repo';
import { dayLayout } from '../forecast.rules';
import { LoadHistoryRepo } from '../load-history.repo';

/**
 * Forecasts through the gateway, on a small seeded parish with two weeks of 15-minute history:
 * who may ask for which scope, the series, the backtest against seasonal-naive, and the functions
 * the power-flow runs call.
 */

let t: TestHub;
let dsoKey: string;

const HISTORY_DAYS = 14;
const iso = (ms: number) => new Date(ms).toISOString();

const FORECAST = `query($scope: ForecastScopeInput!, $from: DateTime!, $to: DateTime!) {
  forecast(scope: $scope, from: $from, to: $to) { meteringPoints intervals { intervalStart loadKw pvKw netKw } }
}`;
const ACCURACY = `query($scope: ForecastScopeInput!, $days: Int!) {
  forecastAccuracy(scope: $scope, days: $days) {
    days intervals mapeIntervals method { mapePercent nrmsePercent } seasonalNaive { mapePercent nrmsePercent } mapeImprovementPercent nrmseImprovementPercent
  }
}`;

interface Series {
  meteringPoints: number;
  intervals: { intervalStart: string; loadKw: number; pvKw: number; netKw: number }[];
}
interface Metrics {
  mapePercent: number;
  nrmsePercent: number;
}
interface Accuracy {
  days: number;
  intervals: number;
  method: Metrics;
  seasonalNaive: Metrics;
  mapeImprovementPercent: number;
  nrmseImprovementPercent: number;
}

const tomorrow = () => lisbonLocalDay(Date.now()) + 1;
const tomorrowWindow = () => ({ from: iso(lisbonMidnightUtcMs(tomorrow())), to: iso(lisbonMidnightUtcMs(tomorrow() + 1)) });

const forecast = (key: string, scope: Record<string, string>, window = tomorrowWindow()) =>
  t.graphql<{ forecast: Series }>(FORECAST, { key, variables: { scope, ...window } });

const substationIds = () => t.parish.secondarySubstations.map((substation) => substation.id);
const retailerIds = () => t.parish.organisations.filter((org) => org.kind === 'retailer').map((org) => org.id);

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  const end = lastMidnightMs();
  await writeHistory(t.database.handle, t.parish, { dayStartsMs: Array.from({ length: HISTORY_DAYS }, (_, i) => end - (i + 1) * DAY_MS) });
  dsoKey = await t.createKey('dso', 'dso');
}, 60_000);

afterAll(() => t.stop());

describe('forecast', () => {
  it("forecasts tomorrow's quarter-hours of a secondary substation for the DSO, net = load − PV", async () => {
    const substation = substationIds()[0]!;
    const { body } = await forecast(dsoKey, { secondarySubstationId: substation });
    expect(body.errors).toBeUndefined();
    const series = body.data!.forecast;
    const points = t.parish.connections.filter((c) => t.parish.feeders.find((f) => f.id === c.feederId)?.secondarySubstationId === substation);
    expect(series.meteringPoints).toBe(points.length);
    expect(series.intervals).toHaveLength(quartersInLocalDay(tomorrow()));
    expect(series.intervals[1]!.intervalStart).toBe(iso(lisbonMidnightUtcMs(tomorrow()) + QUARTER_MS));
    for (const interval of series.intervals) {
      expect(interval.loadKw).toBeGreaterThan(0);
      expect(interval.pvKw).toBeGreaterThanOrEqual(0);
      expect(interval.netKw).toBeCloseTo(interval.loadKw - interval.pvKw, 9);
    }
  });

  it("keeps a feeder's forecast to the DSO: a retailer and the TSO are refused, naming grid:operate", async () => {
    const feederId = t.parish.feeders[0]!.id;
    // A feeder may hold a handful of households: its forecast is their readings, weighted.
    for (const key of [await t.createKey('retailer', retailerIds()[0]!), await t.createKey('tso', 'ren')]) {
      const refused = await forecast(key, { feederId });
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.body.errors?.[0]?.message).toMatch(/grid:operate/);
    }
    const dso = await forecast(await t.createKey('dso', 'dso'), { feederId });
    expect(dso.body.errors).toBeUndefined();
    expect(dso.body.data!.forecast.intervals.length).toBeGreaterThan(90);
  });

  it("gives a retailer its own customer's forecast and logs it as a read of the point's readings, but not another's", async () => {
    const [own, other] = retailerIds() as [string, string];
    const key = await t.createKey('retailer', own);
    const mine = pointsSuppliedNowBy(t.parish, own)[0]!;
    const { body } = await forecast(key, { meteringPointId: mine.id });
    expect(body.errors).toBeUndefined();
    expect(body.data!.forecast.meteringPoints).toBe(1);
    const logged = await t.database.handle.pool.query<{ organisation_id: string; resource: string; period_to: Date }>(
      `SELECT organisation_id, resource, period_to FROM hub.access_log WHERE metering_point_id = $1 AND resource = 'forecast'`,
      [mine.id],
    );
    expect(logged.rows).toEqual([{ organisation_id: own, resource: 'forecast', period_to: new Date(lisbonMidnightUtcMs(tomorrow())) }]);

    const theirs = pointsSuppliedNowBy(t.parish, other).find((point) => !t.parish.supplyContracts.some((c) => c.meteringPointId === point.id && c.retailerId === own))!;
    const refused = await forecast(key, { meteringPointId: theirs.id });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const unknown = await forecast(key, { meteringPointId: 'PT0000000000000000XX' });
    expect(unknown.body.errors?.[0]?.message).toBe(refused.body.errors?.[0]?.message);
    // A key without metering:read cannot ask for a point at all.
    const tso = await forecast(await t.createKey('tso', 'ren'), { meteringPointId: mine.id });
    expect(tso.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(tso.body.errors?.[0]?.message).toMatch(/metering:read/);
  });

  it('refuses bad scopes and windows, naming the problem', async () => {
    const substation = substationIds()[0]!;
    const fromMs = lisbonMidnightUtcMs(tomorrow());
    const problem = async (scope: Record<string, string>, window: { from: string; to: string }) => {
      const { body } = await forecast(dsoKey, scope, window);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      return body.errors![0]!.message;
    };
    const day = { from: iso(fromMs), to: iso(fromMs + DAY_MS) };
    expect(await problem({ secondarySubstationId: substation, feederId: t.parish.feeders[0]!.id }, day)).toMatch(/exactly one of/);
    expect(await problem({ secondarySubstationId: 'PT9999' }, day)).toBe('unknown secondary substation PT9999');
    expect(await problem({ secondarySubstationId: substation }, { from: iso(fromMs), to: iso(fromMs + 7 * DAY_MS + QUARTER_MS) })).toMatch(/at most 7 days/);
    expect(await problem({ secondarySubstationId: substation }, { from: iso(fromMs + 60_000), to: iso(fromMs + DAY_MS) })).toMatch(/aligned to 15 minutes/);
    expect(await problem({ secondarySubstationId: substation }, { from: iso(fromMs + 8 * DAY_MS), to: iso(fromMs + 9 * DAY_MS) })).toMatch(/7 days ahead/);
    const seven = await forecast(dsoKey, { secondarySubstationId: substation }, { from: iso(fromMs), to: iso(fromMs + 7 * DAY_MS) });
    expect(seven.body.errors).toBeUndefined();
    const accuracy = await t.graphql(ACCURACY, { key: dsoKey, variables: { scope: { secondarySubstationId: substation }, days: 29 } });
    expect(accuracy.body.errors?.[0]?.message).toBe('days must be a whole number from 1 to 28');
  });
});

describe("the seeded feeder's evening charging", () => {
  it("is carried into tomorrow's forecast at the same local time", async () => {
    const congestion = t.parish.congestion!;
    // The local quarter-hour with most chargers on, and what they draw then.
    const chargerKw = Array.from({ length: 96 }, (_, slot) =>
      congestion.homeChargers.reduce((sum, { charger }) => {
        const overlap = Math.min(slot * 15 + 15, charger.startMinute + charger.durationMinutes) - Math.max(slot * 15, charger.startMinute);
        return sum + (overlap > 0 ? (charger.powerKw * overlap) / 15 : 0);
      }, 0),
    );
    const peak = chargerKw.indexOf(Math.max(...chargerKw));
    const at = (localDay: number) => dayLayout(localDay).slot.indexOf(peak);
    const { body } = await forecast(dsoKey, { feederId: congestion.feederId });
    const forecastKw = body.data!.forecast.intervals[at(tomorrow())]!.netKw;

    // What the feeder drew then on each of the last seven days.
    const history = new LoadHistoryRepo(t.database.handle.db);
    const points = (await history.pointsOfFeeder(congestion.feederId))!;
    const lastWeek = Array.from({ length: 7 }, (_, i) => tomorrow() - 8 + i);
    const fromMs = lisbonMidnightUtcMs(lastWeek[0]!);
    const measured = [...(await history.measuredNetKw(points, fromMs, lisbonMidnightUtcMs(tomorrow() - 1))).values()];
    const feederKw = (day: number) => measured.reduce((sum, series) => sum + series[(dayLayout(day).startMs - fromMs) / QUARTER_MS + at(day)]!, 0);
    const measuredKw = lastWeek.reduce((sum, day) => sum + feederKw(day), 0) / lastWeek.length;
    expect(chargerKw[peak]).toBeGreaterThan(30);
    expect(forecastKw).toBeGreaterThan(chargerKw[peak]!);
    expect(Math.abs(forecastKw - measuredKw) / measuredKw).toBeLessThan(0.1);
  });
});

describe('forecastAccuracy', () => {
  it('beats seasonal-naive on MAPE and NRMSE at every secondary substation', async () => {
    for (const secondarySubstationId of substationIds()) {
      const { body } = await t.graphql<{ forecastAccuracy: Accuracy }>(ACCURACY, { key: dsoKey, variables: { scope: { secondarySubstationId }, days: 7 } });
      expect(body.errors).toBeUndefined();
      const accuracy = body.data!.forecastAccuracy;
      expect(accuracy.days).toBe(7);
      expect(accuracy.intervals).toBeGreaterThanOrEqual(7 * 92);
      expect(accuracy.method.mapePercent).toBeLessThan(accuracy.seasonalNaive.mapePercent);
      expect(accuracy.method.nrmsePercent).toBeLessThan(accuracy.seasonalNaive.nrmsePercent);
      expect(accuracy.nrmseImprovementPercent).toBeCloseTo((100 * (accuracy.seasonalNaive.nrmsePercent - accuracy.method.nrmsePercent)) / accuracy.seasonalNaive.nrmsePercent, 6);
    }
  });

  it("backtests a retailer's own customer on the readings it may read", async () => {
    const own = retailerIds()[0]!;
    const mine = pointsSuppliedNowBy(t.parish, own)[0]!;
    const { body } = await t.graphql<{ forecastAccuracy: Accuracy }>(ACCURACY, { key: await t.createKey('retailer', own), variables: { scope: { meteringPointId: mine.id }, days: 3 } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.forecastAccuracy.days).toBe(3);
  });
});

describe('for power-flow runs', () => {
  it('forecasts net kW per point, summing to the substation forecast, and reads measured net kW with NaN where nothing is stored', async () => {
    const substation = substationIds()[0]!;
    const points = (await new LoadHistoryRepo(t.database.handle.db).pointsOfSecondarySubstation(substation))!;
    const { from, to } = tomorrowWindow();
    const perPoint = await new ForecastService(t.database.handle.db).forecastNetKw(points, Date.parse(from), Date.parse(to));
    expect([...perPoint.keys()].sort()).toEqual([...points].sort());
    const { body } = await forecast(dsoKey, { secondarySubstationId: substation });
    body.data!.forecast.intervals.forEach((interval, i) => {
      expect([...perPoint.values()].reduce((sum, series) => sum + series[i]!, 0)).toBeCloseTo(interval.netKw, 6);
    });

    const point = points[0]!;
    const end = lastMidnightMs();
    const measured = await new LoadHistoryRepo(t.database.handle.db).measuredNetKw([point], end - QUARTER_MS, end + QUARTER_MS);
    const { rows } = await t.database.handle.pool.query<{ net: number }>(
      `SELECT (import_wh - export_wh) * 4 / 1000.0 AS net FROM metering.readings r JOIN metering.metering_points p ON p.key = r.metering_point_key
       WHERE p.id = $1 AND r.interval_start = $2`,
      [point, new Date(end - QUARTER_MS)],
    );
    expect(measured.get(point)![0]).toBeCloseTo(Number(rows[0]!.net), 9);
    expect(measured.get(point)![1]).toBeNaN();
  });
});

import { writeHistory } from '../../../tools/seed/history';
import { pointsSuppliedNowBy, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { DAILY_WINTER, POINT_READINGS, SUBSTATION_POINTS } from './tariff-sql.fixture';

/**
 * peakHours through the gateway on a seeded parish with the readings of the autumn-change day
 * (Sunday 25 October 2026, 25 local hours: 100 quarter-hours, local hour 1 twice), each figure
 * against plain SQL on metering.readings; then who may ask for what.
 */

let t: TestHub;
let dsoKey: string;
let substationId: string;
let substationPoints: string[];

// Local day 25 October 2026: from 23:00 UTC the day before (summer time) to 00:00 UTC the day after.
const FROM = '2026-10-24T23:00:00.000Z';
const TO = '2026-10-26T00:00:00.000Z';

const PEAK_HOURS = `query($scope: TariffScopeInput!, $from: DateTime!, $to: DateTime!, $cycle: TariffCycle, $topHours: Int) {
  peakHours(scope: $scope, from: $from, to: $to, cycle: $cycle, topHours: $topHours) {
    meteringPointCount quarterHours energyKwh
    hours { hour energyKwh quarterHours meanKw rank top }
    weekDays { day energyKwh quarterHours meanKw rank }
    periods { period energyKwh quarterHours sharePct }
  }
}`;

interface Group {
  energyKwh: number;
  quarterHours: number;
  meanKw: number | null;
  rank: number | null;
}
type PeakHoursData = {
  peakHours: {
    meteringPointCount: number;
    quarterHours: number;
    energyKwh: number;
    hours: (Group & { hour: number; top: boolean })[];
    weekDays: (Group & { day: string })[];
    periods: { period: string; energyKwh: number; quarterHours: number; sharePct: number | null }[];
  };
};

const ask = async (key: string, scope: Record<string, unknown>, variables: Record<string, unknown> = {}) =>
  (await t.graphql<PeakHoursData>(PEAK_HOURS, { key, variables: { scope, from: FROM, to: TO, ...variables } })).body;
const sql = <R extends Record<string, unknown>>(text: string, values: unknown[]) => t.database.handle.pool.query<R>(text, values);

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  dsoKey = await t.createKey('dso', 'dso');
  await writeHistory(t.database.handle, t.parish, { dayStartsMs: [Date.parse('2026-10-24T00:00:00Z'), Date.parse('2026-10-25T00:00:00Z')] });
  const sizes = new Map<string, number>();
  const substationOf = new Map(t.parish.feeders.map((f) => [f.id, f.secondarySubstationId]));
  for (const c of t.parish.connections) sizes.set(substationOf.get(c.feederId)!, (sizes.get(substationOf.get(c.feederId)!) ?? 0) + 1);
  substationId = [...sizes].sort((a, b) => b[1] - a[1])[0]![0];
  substationPoints = (await sql<{ id: string }>(SUBSTATION_POINTS, [substationId])).rows.map((row) => row.id);
}, 60_000);

afterAll(() => t.stop());

describe('peak hours of an area, against SQL on the readings', () => {
  it("gives each local hour's energy and mean power over the quarter-hours it had: hour 1 twice on the autumn change", async () => {
    const body = await ask(dsoKey, { secondarySubstationId: substationId });
    expect(body.errors).toBeUndefined();
    const result = body.data!.peakHours;
    const { rows } = await sql<{ hour: number; wh: string; quarters: string }>(
      `SELECT extract(hour FROM r.interval_start AT TIME ZONE 'Europe/Lisbon')::int AS hour, sum(r.import_wh) AS wh, count(DISTINCT r.interval_start) AS quarters
       FROM ${POINT_READINGS} GROUP BY 1 ORDER BY 1`,
      [substationPoints, FROM, TO],
    );
    expect(rows).toHaveLength(24);
    expect(result.meteringPointCount).toBe(substationPoints.length);
    expect(result.quarterHours).toBe(100);
    for (const row of rows) {
      const hour = result.hours[row.hour]!;
      expect(hour.hour).toBe(row.hour);
      expect(hour.quarterHours).toBe(Number(row.quarters));
      expect(hour.energyKwh).toBeCloseTo(Number(row.wh) / 1000, 9);
      expect(hour.meanKw).toBeCloseTo((Number(row.wh) * 4) / Number(row.quarters) / 1000, 9);
    }
    expect(result.hours[1]!.quarterHours).toBe(8);
    // Ranked by mean power, the top three flagged.
    const byKw = [...result.hours].sort((a, b) => b.meanKw! - a.meanKw!);
    expect(byKw.map((h) => h.rank)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(result.hours.filter((h) => h.top).map((h) => h.hour).sort((a, b) => a - b)).toEqual(byKw.slice(0, 3).map((h) => h.hour).sort((a, b) => a - b));
    // A Sunday: every quarter-hour on SUNDAY.
    expect(result.weekDays.find((d) => d.day === 'SUNDAY')).toMatchObject({ quarterHours: 100, rank: 1 });
    expect(result.weekDays.filter((d) => d.day !== 'SUNDAY').every((d) => d.quarterHours === 0 && d.rank === null)).toBe(true);
  });

  it("shares the energy among the daily cycle's ERSE periods", async () => {
    const body = await ask(dsoKey, { secondarySubstationId: substationId }, { cycle: 'DAILY' });
    const { rows } = await sql<{ period: string; wh: string; quarters: string }>(
      `SELECT ${DAILY_WINTER} AS period, sum(r.import_wh) AS wh, count(DISTINCT r.interval_start) AS quarters FROM ${POINT_READINGS} GROUP BY 1`,
      [substationPoints, FROM, TO],
    );
    const total = rows.reduce((sum, row) => sum + Number(row.wh), 0);
    for (const period of body.data!.peakHours.periods) {
      const row = rows.find((r) => r.period === period.period);
      expect(period.energyKwh).toBeCloseTo(Number(row?.wh ?? 0) / 1000, 9);
      expect(period.quarterHours).toBe(Number(row?.quarters ?? 0));
      expect(period.sharePct).toBeCloseTo((Number(row?.wh ?? 0) / total) * 100, 9);
    }
  });

  it('gives the whole network its total', async () => {
    const body = await ask(dsoKey, { network: true });
    const { rows } = await sql<{ wh: string }>(`SELECT sum(import_wh) AS wh FROM metering.readings r WHERE r.interval_start >= $1 AND r.interval_start < $2`, [FROM, TO]);
    expect(body.data!.peakHours.meteringPointCount).toBe(t.parish.meteringPoints.length);
    expect(body.data!.peakHours.energyKwh).toBeCloseTo(Number(rows[0]!.wh) / 1000, 6);
  });
});

describe('who may ask for peak hours', () => {
  const smallFeeder = () => {
    const counts = new Map<string, number>();
    for (const c of t.parish.connections) counts.set(c.feederId, (counts.get(c.feederId) ?? 0) + 1);
    return [...counts].find(([, n]) => n < 10)![0];
  };

  it('refuses the regulator a feeder of fewer than MIN_AGGREGATE_POINTS points, as the aggregate rule withholds it', async () => {
    const regulatorKey = await t.createKey('regulator', 'erse');
    const body = await ask(regulatorKey, { feederId: smallFeeder() });
    expect(body.data).toBeNull();
    expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(body.errors![0]!.message).toMatch(/aggregate rule .*\(TOO_FEW_POINTS\)/);
  });

  it("gives the regulator the network's figures, the DSO's", async () => {
    const regulatorKey = await t.createKey('regulator', 'erse');
    const [regulator, dso] = await Promise.all([ask(regulatorKey, { network: true }), ask(dsoKey, { network: true })]);
    expect(regulator.errors).toBeUndefined();
    expect(regulator.data).toEqual(dso.data);
  });

  it('refuses a developer a set of metering points', async () => {
    const developerKey = await t.createKey('developer', 'dev-sandbox');
    const body = await ask(developerKey, { meteringPointIds: [t.parish.meteringPoints[0]!.id] });
    expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(body.errors![0]!.message).toMatch(/^sets of metering points are only for points you may read one by one/);
  });

  it("gives a retailer its customers' peak hours, and refuses it a foreign point without naming who supplies it", async () => {
    const retailerId = 'ret-luzboa';
    const key = await t.createKey('retailer', retailerId);
    const own = pointsSuppliedNowBy(t.parish, retailerId).slice(0, 5).map((p) => p.id);
    const body = await ask(key, { meteringPointIds: own });
    expect(body.errors).toBeUndefined();
    const { rows } = await sql<{ wh: string }>(`SELECT sum(r.import_wh) AS wh FROM ${POINT_READINGS}`, [own, FROM, TO]);
    expect(body.data!.peakHours.energyKwh).toBeCloseTo(Number(rows[0]!.wh) / 1000, 9);

    const foreign = t.parish.meteringPoints.find((p) => p.retailerId !== retailerId)!;
    const refused = await ask(key, { meteringPointIds: [...own, foreign.id] });
    expect(refused.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const text = JSON.stringify(refused);
    expect(text).not.toContain(foreign.retailerId);
    expect(text).not.toContain(foreign.id);
  });

  it("cuts a retailer's customer to its supply period: a point that switched to it mid-day counts from the switch", async () => {
    const retailerId = 'ret-goldenergy';
    const point = t.parish.meteringPoints.find((p) => p.retailerId !== retailerId)!;
    const switchAt = '2026-10-25T12:00:00.000Z';
    await sql(`UPDATE metering.supply_contracts SET valid_to = $2 WHERE metering_point_id = $1 AND valid_to IS NULL`, [point.id, switchAt]);
    await sql(`INSERT INTO metering.supply_contracts (metering_point_id, retailer_id, valid_from) VALUES ($1, $2, $3)`, [point.id, retailerId, switchAt]);
    await sql(`UPDATE metering.metering_points SET retailer_id = $2 WHERE id = $1`, [point.id, retailerId]);
    const key = await t.createKey('retailer', retailerId);
    const body = await ask(key, { meteringPointIds: [point.id] });
    expect(body.errors).toBeUndefined();
    const { rows } = await sql<{ wh: string; quarters: string }>(`SELECT sum(r.import_wh) AS wh, count(*) AS quarters FROM ${POINT_READINGS} AND r.interval_start >= $4`, [[point.id], FROM, TO, switchAt]);
    expect(body.data!.peakHours.quarterHours).toBe(Number(rows[0]!.quarters));
    expect(body.data!.peakHours.energyKwh).toBeCloseTo(Number(rows[0]!.wh) / 1000, 9);
  });
});

describe('bad input and bounds', () => {
  it('refuses a window that does not start on a local midnight, or is longer than 400 days', async () => {
    const offMidnight = (await t.graphql(PEAK_HOURS, { key: dsoKey, variables: { scope: { network: true }, from: '2026-10-25T00:00:00Z', to: TO } })).body;
    expect(offMidnight.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(offMidnight.errors![0]!.message).toMatch(/^from must be a local midnight in Lisbon/);
    const long = (await t.graphql(PEAK_HOURS, { key: dsoKey, variables: { scope: { network: true }, from: '2025-01-01T00:00:00Z', to: '2026-02-06T00:00:00Z' } })).body;
    expect(long.errors![0]!.message).toBe('the window holds 401 local days: at most 400');
  });

  it('reads a set of points of at most 60,000 point-days, and an area over any window', async () => {
    // The 300-point parish over 201 local days (27 October 2025, winter, to 16 May 2026, summer): 60,300 point-days.
    expect(t.parish.meteringPoints).toHaveLength(300);
    const window = { from: '2025-10-27T00:00:00.000Z', to: '2026-05-15T23:00:00.000Z' };
    const over = await ask(dsoKey, { meteringPointIds: t.parish.meteringPoints.map((point) => point.id) }, window);
    expect(over.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(over.errors![0]!.message).toBe(
      "a set of points' peak hours reads each one's readings: 300 metering points over 201 local days are 60,300 point-days, at most 60,000: fewer metering points, an area, or a shorter window",
    );
    const atBound = await ask(dsoKey, { meteringPointIds: t.parish.meteringPoints.map((point) => point.id) }, { ...window, to: '2026-05-14T23:00:00.000Z' });
    expect(atBound.errors).toBeUndefined();
    expect((await ask(dsoKey, { network: true }, window)).errors).toBeUndefined();
  });

  it('refuses a scope named twice, and a topHours out of range', async () => {
    expect((await ask(dsoKey, { network: true, feederId: 'x' })).errors![0]!.message).toMatch(/^give the scope as exactly one of/);
    expect((await ask(dsoKey, { network: true }, { topHours: 0 })).errors![0]!.message).toBe('topHours must be a whole number from 1 to 24');
  });

  it('refuses a hundred aliases by their cost, before running any', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: peakHours(scope: { network: true }, from: "${FROM}", to: "${TO}") { energyKwh }`).join('\n');
    const { body } = await t.graphql(`{ ${aliases} }`, { key: dsoKey });
    expect(body.data ?? null).toBeNull();
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(/over the budget .*Query\.peakHours/);
  });
});

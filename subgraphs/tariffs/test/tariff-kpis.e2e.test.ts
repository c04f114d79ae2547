import { writeHistory } from '../../../tools/seed/history';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { ASSIGNED_ENERGY_EUR, ASSIGNED_POWER_EUR, DAILY_WINTER, POINT_READINGS, SUBSTATION_POINTS } from './tariff-sql.fixture';

/**
 * tariffKpis through the gateway: a pilot of 20 flat-tariff points moved to the daily two-rate
 * scheme on Monday 23 November 2026, against 20 other points, over 23-24 November with 16-17
 * November as the baseline (winter weekdays: local midnights at 00:00 UTC). Every input figure
 * (peak energy, costs) comes from plain SQL on the readings and the scheme tables, and the KPIs
 * from it by their definitions (TariffKpis' descriptions).
 */

let t: TestHub;
let dsoKey: string;
let pilot: string[];
let control: string[];
let substations: [string, number][];

const PERIOD = { from: '2026-11-23T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z' };
const BASELINE = { from: '2026-11-16T00:00:00.000Z', to: '2026-11-18T00:00:00.000Z' };
// A period of 101 local days (27 October 2025 to 5 February 2026) and a baseline of 100 (to 16 May 2026, summer).
const LONG_WINDOWS = { from: '2025-10-27T00:00:00.000Z', to: '2026-02-05T00:00:00.000Z', baselineFrom: '2026-02-05T00:00:00.000Z', baselineTo: '2026-05-15T23:00:00.000Z' };
const midnights = (window: { from: string }) => [window.from, new Date(Date.parse(window.from) + 86_400_000).toISOString()];

const KPIS = `query($input: TariffKpisInput!) {
  tariffKpis(input: $input) {
    cycle
    pilot { meteringPointCount period { days quarterHours coveredDays energyKwh peakKwh peakKwhPerDay peakSharePct } baseline { days quarterHours coveredDays energyKwh peakKwh peakSharePct } }
    control { meteringPointCount period { energyKwh peakKwh peakSharePct } baseline { energyKwh peakKwh peakSharePct } }
    peakChangePct controlPeakChangePct peakChangeVsControlPct expectedPeakSharePct loadShiftedOutOfPeakKwh loadShiftedOutOfPeakPct
    pilotPeriodCostEur pilotBaselineSchemesCostEur pilotBaselineRevenueEur customerSavingsEur dsoRevenueChangeEur
  }
}`;

type Window = { days: number; quarterHours: number; coveredDays: number; energyKwh: number; peakKwh: number; peakKwhPerDay: number; peakSharePct: number | null };
type KpisData = {
  tariffKpis: {
    cycle: string;
    pilot: { meteringPointCount: number; period: Window; baseline: Window };
    control: { meteringPointCount: number; period: Window; baseline: Window };
    peakChangePct: number;
    controlPeakChangePct: number;
    peakChangeVsControlPct: number;
    expectedPeakSharePct: number;
    loadShiftedOutOfPeakKwh: number;
    loadShiftedOutOfPeakPct: number;
    pilotPeriodCostEur: number;
    pilotBaselineSchemesCostEur: number;
    pilotBaselineRevenueEur: number;
    customerSavingsEur: number;
    dsoRevenueChangeEur: number;
  };
};

const kpis = async (key: string, pilotSample: Record<string, unknown>, controlSample: Record<string, unknown>, windows: Record<string, string> = {}) =>
  (
    await t.graphql<KpisData>(KPIS, {
      key,
      variables: { input: { pilot: pilotSample, control: controlSample, from: PERIOD.from, to: PERIOD.to, baselineFrom: BASELINE.from, baselineTo: BASELINE.to, ...windows } },
    })
  ).body;
const sql = <R extends Record<string, unknown>>(text: string, values: unknown[]) => t.database.handle.pool.query<R>(text, values);

/** Energy and ponta (daily cycle) of the points over the window, kWh. */
async function energy(points: string[], window: { from: string; to: string }): Promise<{ kwh: number; peakKwh: number }> {
  const { rows } = await sql<{ wh: string; peak: string }>(
    `SELECT sum(r.import_wh) AS wh, coalesce(sum(r.import_wh) FILTER (WHERE ${DAILY_WINTER} = 'ponta'), 0) AS peak FROM ${POINT_READINGS}`,
    [points, window.from, window.to],
  );
  return { kwh: Number(rows[0]!.wh) / 1000, peakKwh: Number(rows[0]!.peak) / 1000 };
}

/** What the points pay over the window on the schemes assigned, energy and contracted power, EUR. */
async function assignedCost(points: string[], window: { from: string; to: string }): Promise<number> {
  const [e, p] = await Promise.all([sql<{ eur: string }>(ASSIGNED_ENERGY_EUR, [points, window.from, window.to]), sql<{ eur: string }>(ASSIGNED_POWER_EUR, [points, midnights(window)])]);
  return Number(e.rows[0]!.eur) + Number(p.rows[0]!.eur);
}

beforeAll(async () => {
  // An operation budget above the default, so that windows of months are refused by the point-days bound, not by their cost.
  t = await startTestHub({ customers: 300, settings: { maxOperationCost: 100_000_000 } });
  dsoKey = await t.createKey('dso', 'dso');
  // And one day in each window of the point-days case, which has readings to compare.
  const longWindows = [LONG_WINDOWS.from, LONG_WINDOWS.baselineFrom];
  await writeHistory(t.database.handle, t.parish, { dayStartsMs: [...midnights(BASELINE), ...midnights(PERIOD), ...longWindows].map(Date.parse) });
  const flat = (await sql<{ id: string }>(`SELECT metering_point_id AS id FROM tariffs.assignments WHERE scheme_id = 'TP-SIMPLES' AND valid_to IS NULL ORDER BY 1`, [])).rows.map((r) => r.id);
  pilot = flat.slice(0, 20);
  control = flat.slice(20, 40);
  // The pilot moves to the daily two-rate scheme at the start of the period.
  await sql(`UPDATE tariffs.assignments SET valid_to = $2 WHERE metering_point_id = ANY($1::text[]) AND valid_to IS NULL`, [pilot, PERIOD.from]);
  await sql(`INSERT INTO tariffs.assignments (metering_point_id, scheme_id, valid_from) SELECT id, 'TP-BI-DIARIO', $2 FROM unnest($1::text[]) AS id`, [pilot, PERIOD.from]);
  const sizes = new Map<string, number>();
  const substationOf = new Map(t.parish.feeders.map((f) => [f.id, f.secondarySubstationId]));
  for (const c of t.parish.connections) sizes.set(substationOf.get(c.feederId)!, (sizes.get(substationOf.get(c.feederId)!) ?? 0) + 1);
  substations = [...sizes].sort((a, b) => b[1] - a[1]);
}, 60_000);

afterAll(() => t.stop());

describe("the pilot's KPIs, against SQL on the readings", () => {
  it('measures peak consumption, load shifted, savings and revenue by their definitions', async () => {
    const body = await kpis(dsoKey, { meteringPointIds: pilot }, { meteringPointIds: control });
    expect(body.errors).toBeUndefined();
    const result = body.data!.tariffKpis;
    const [pW, pB, cW, cB] = await Promise.all([energy(pilot, PERIOD), energy(pilot, BASELINE), energy(control, PERIOD), energy(control, BASELINE)]);

    expect(result.cycle).toBe('DAILY');
    expect(result.pilot.meteringPointCount).toBe(20);
    expect(result.pilot.period).toMatchObject({ days: 2, quarterHours: 192, coveredDays: 2 });
    expect(result.pilot.period.energyKwh).toBeCloseTo(pW.kwh, 9);
    expect(result.pilot.period.peakKwh).toBeCloseTo(pW.peakKwh, 9);
    expect(result.pilot.period.peakKwhPerDay).toBeCloseTo(pW.peakKwh / 2, 9);
    expect(result.pilot.baseline.peakKwh).toBeCloseTo(pB.peakKwh, 9);
    expect(result.control.period.peakKwh).toBeCloseTo(cW.peakKwh, 9);
    expect(result.control.baseline.peakSharePct).toBeCloseTo((cB.peakKwh / cB.kwh) * 100, 9);

    // Both windows are 2 days: per day, the change is that of the peak energy.
    const pilotChange = (pW.peakKwh / pB.peakKwh - 1) * 100;
    const controlChange = (cW.peakKwh / cB.peakKwh - 1) * 100;
    expect(result.peakChangePct).toBeCloseTo(pilotChange, 9);
    expect(result.controlPeakChangePct).toBeCloseTo(controlChange, 9);
    expect(result.peakChangeVsControlPct).toBeCloseTo(pilotChange - controlChange, 9);
    const expectedShare = pB.peakKwh / pB.kwh + cW.peakKwh / cW.kwh - cB.peakKwh / cB.kwh;
    expect(result.expectedPeakSharePct).toBeCloseTo(expectedShare * 100, 9);
    expect(result.loadShiftedOutOfPeakKwh).toBeCloseTo(pW.kwh * expectedShare - pW.peakKwh, 9);
    expect(result.loadShiftedOutOfPeakPct).toBeCloseTo(((pW.kwh * expectedShare - pW.peakKwh) / (pW.kwh * expectedShare)) * 100, 9);

    const periodCost = await assignedCost(pilot, PERIOD);
    const baselineRevenue = await assignedCost(pilot, BASELINE);
    // On the schemes of the baseline's end: all flat.
    const { rows } = await sql<{ eur: string }>(
      `SELECT (SELECT energy_price_nano_eur_per_kwh FROM tariffs.scheme_prices WHERE scheme_id = 'TP-SIMPLES' AND period = 'all') * $1::numeric / 1e12
        + (SELECT power_price_nano_eur_per_kva_day FROM tariffs.schemes WHERE id = 'TP-SIMPLES') * (SELECT sum(round(contracted_power_kva * 100)) * 2 FROM metering.metering_points WHERE id = ANY($2::text[])) / 1e11 AS eur`,
      [Math.round(pW.kwh * 1000), pilot],
    );
    const onBaselineSchemes = Number(rows[0]!.eur);
    expect(result.pilotPeriodCostEur).toBeCloseTo(periodCost, 8);
    expect(result.pilotBaselineRevenueEur).toBeCloseTo(baselineRevenue, 8);
    expect(result.pilotBaselineSchemesCostEur).toBeCloseTo(onBaselineSchemes, 8);
    expect(result.customerSavingsEur).toBeCloseTo(onBaselineSchemes - periodCost, 8);
    expect(result.dsoRevenueChangeEur).toBeCloseTo(periodCost - baselineRevenue, 8);
    // The two-rate scheme is not the flat one: the figures differ.
    expect(result.customerSavingsEur).not.toBeCloseTo(0, 2);
  });

  it('counts per day of data: a 4-day baseline with readings on 2 days compares as 2 days', async () => {
    const body = await kpis(dsoKey, { meteringPointIds: pilot }, { meteringPointIds: control }, { baselineFrom: '2026-11-14T00:00:00.000Z' });
    expect(body.errors).toBeUndefined();
    const result = body.data!.tariffKpis;
    expect(result.pilot.baseline).toMatchObject({ days: 4, quarterHours: 192, coveredDays: 2 });
    const [pW, pB] = await Promise.all([energy(pilot, PERIOD), energy(pilot, BASELINE)]);
    expect(result.peakChangePct).toBeCloseTo((pW.peakKwh / 2 / (pB.peakKwh / 2) - 1) * 100, 9);
  });

  it('takes a secondary substation as a group, and the weekly cycle', async () => {
    const [[big, bigCount], [other, otherCount]] = substations;
    const body = await kpis(dsoKey, { secondarySubstationId: big }, { secondarySubstationId: other }, { cycle: 'WEEKLY' });
    expect(body.errors).toBeUndefined();
    expect(body.data!.tariffKpis.cycle).toBe('WEEKLY');
    expect(body.data!.tariffKpis.pilot.meteringPointCount).toBe(bigCount);
    expect(body.data!.tariffKpis.control.meteringPointCount).toBe(otherCount);
    const points = (await sql<{ id: string }>(SUBSTATION_POINTS, [big])).rows.map((r) => r.id);
    expect(body.data!.tariffKpis.pilot.period.energyKwh).toBeCloseTo((await energy(points, PERIOD)).kwh, 9);
  });
});

describe('who may ask, and bad input', () => {
  it('gives a developer substations that pass the aggregate rule, and refuses it sets of points', async () => {
    const key = await t.createKey('developer', 'dev-sandbox');
    const [[big], [other]] = substations;
    const areas = await kpis(key, { secondarySubstationId: big }, { secondarySubstationId: other });
    expect(areas.errors).toBeUndefined();
    const points = await kpis(key, { meteringPointIds: pilot }, { secondarySubstationId: other });
    expect(points.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    // A KPI group names no other area than a secondary substation.
    expect(points.errors![0]!.message).toMatch(/ask for a secondary substation instead \(secondarySubstationId\)$/);
  });

  it('wants the pilot and the control disjoint', async () => {
    const body = await kpis(dsoKey, { meteringPointIds: pilot }, { meteringPointIds: [...control, pilot[0]!] });
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toBe('the pilot and the control group must be disjoint: 1 metering point is in both');
  });

  it("reads at most 60,000 point-days of the groups' points, a substation as the control counting none", async () => {
    const windows = LONG_WINDOWS;
    const [[substation]] = substations;
    const inSubstation = new Set((await sql<{ id: string }>(SUBSTATION_POINTS, [substation])).rows.map((row) => row.id));
    const all = t.parish.meteringPoints.map((point) => point.id);
    const others = all.filter((id) => !inSubstation.has(id));
    // The parish's 300 points as 150 + 150 over 201 days: 60,300 point-days.
    expect(all).toHaveLength(300);
    const body = await kpis(dsoKey, { meteringPointIds: all.slice(0, 150) }, { meteringPointIds: all.slice(150) }, windows);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toBe(
      "the pilot's and control's metering points read one by one, over the period and the baseline: 300 metering points over 201 local days are 60,300 point-days, at most 60,000: smaller groups (a secondary substation as the control reads its totals), or shorter windows",
    );
    // The pilot alone, under 60,000 / 201 = 298 points, against a substation: its points are not read one by one.
    expect(others.length).toBeLessThanOrEqual(298);
    expect(others.length + inSubstation.size).toBeGreaterThan(298);
    const withSubstation = await kpis(dsoKey, { meteringPointIds: others }, { secondarySubstationId: substation }, windows);
    expect(withSubstation.errors).toBeUndefined();
  });

  it('refuses a window in which a group has no readings, naming the group and the window', async () => {
    const body = await kpis(dsoKey, { meteringPointIds: pilot }, { meteringPointIds: control }, { baselineFrom: '2026-11-09T00:00:00.000Z', baselineTo: '2026-11-11T00:00:00.000Z' });
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'the pilot has no readings in the baseline: its figures per day of data cannot be computed',
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.baselineFrom' }),
      }),
    ]);
  });

  it('refuses a baseline that overlaps the period', async () => {
    const body = await kpis(dsoKey, { meteringPointIds: pilot }, { meteringPointIds: control }, { baselineFrom: '2026-11-22T00:00:00.000Z', baselineTo: '2026-11-24T00:00:00.000Z' });
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toBe('baseline: the baseline must not overlap the period: end it on or before from, or start it on or after to');
  });

  it('refuses a baseline that is not whole local days, naming it', async () => {
    const body = await kpis(dsoKey, { meteringPointIds: pilot }, { meteringPointIds: control }, { baselineTo: '2026-11-17T12:00:00.000Z' });
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(/^baseline: to must be a local midnight/);
    const sample = await kpis(dsoKey, { meteringPointIds: pilot, secondarySubstationId: 'x' }, { meteringPointIds: control });
    expect(sample.errors![0]!.message).toMatch(/^pilot: give the sample as exactly one of/);
  });
});

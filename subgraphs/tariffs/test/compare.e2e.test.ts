import { writeHistory } from '../../../tools/seed/history';
import { pointsSuppliedNowBy, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { ASSIGNED_ENERGY_EUR, ASSIGNED_POWER_EUR, DAILY_WINTER, POINT_READINGS, SUBSTATION_POINTS, WEEKLY_WINTER_WEEKDAY } from './tariff-sql.fixture';

/**
 * compareSchemes through the gateway on a seeded parish with two winter weekdays of readings
 * (Monday 23 and Tuesday 24 November 2026, local midnights at 00:00 UTC), every figure against
 * plain SQL on metering.readings and the scheme tables; then who may compare what.
 */

let t: TestHub;
let dsoKey: string;
let substationId: string;
let substationPoints: string[];

const FROM = '2026-11-23T00:00:00.000Z';
const TO = '2026-11-25T00:00:00.000Z';
const MIDNIGHTS = [FROM, '2026-11-24T00:00:00.000Z'];
const SCHEMES = ['TP-SIMPLES', 'TP-BI-DIARIO', 'TP-TRI-SEMANAL'];
const CPP = 'TEST-CPP-1';
const EVENT = { from: '2026-11-23T18:00:00.000Z', to: '2026-11-23T19:00:00.000Z' };

const COMPARE = `query($scope: TariffScopeInput!, $from: DateTime!, $to: DateTime!, $schemeIds: [ID!]!) {
  compareSchemes(scope: $scope, from: $from, to: $to, schemeIds: $schemeIds) {
    meteringPointCount quarterHours energyKwh contractedKvaDays
    schemes { scheme { id } lines { period energyKwh energyPriceEurPerKwh costEur } energyKwh energyEur powerEur customersCostEur dsoRevenueEur }
  }
}`;
const WITH_CURRENT = `query($scope: TariffScopeInput!, $from: DateTime!, $to: DateTime!, $schemeIds: [ID!]!) {
  compareSchemes(scope: $scope, from: $from, to: $to, schemeIds: $schemeIds) {
    schemes { customersCostEur changeVsCurrentEur changeVsCurrentPct }
    current { energyKwh energyEur powerEur customersCostEur dsoRevenueEur }
  }
}`;

interface Line {
  period: string;
  energyKwh: number;
  energyPriceEurPerKwh: number;
  costEur: number;
}
interface Comparison {
  scheme: { id: string };
  lines: Line[];
  energyKwh: number;
  energyEur: number;
  powerEur: number;
  customersCostEur: number;
  dsoRevenueEur: number;
  changeVsCurrentEur: number;
  changeVsCurrentPct: number | null;
}
type CompareData = {
  compareSchemes: {
    meteringPointCount: number;
    quarterHours: number;
    energyKwh: number;
    contractedKvaDays: number;
    schemes: Comparison[];
    current: { energyKwh: number; energyEur: number; powerEur: number; customersCostEur: number; dsoRevenueEur: number };
  };
};

const compare = async (key: string, scope: Record<string, unknown>, schemeIds: string[] = SCHEMES, query = COMPARE) =>
  (await t.graphql<CompareData>(query, { key, variables: { scope, from: FROM, to: TO, schemeIds } })).body;
const sql = <R extends Record<string, unknown>>(text: string, values: unknown[]) => t.database.handle.pool.query<R>(text, values);

/** Energy (Wh) of the points per ERSE period, by the given CASE, over the window or [from, to). */
async function energyByPeriod(points: string[], periodCase: string, from = FROM, to = TO): Promise<Map<string, number>> {
  const { rows } = await sql<{ period: string; wh: string }>(`SELECT ${periodCase} AS period, sum(r.import_wh) AS wh FROM ${POINT_READINGS} GROUP BY 1`, [points, from, to]);
  return new Map(rows.map((row) => [row.period, Number(row.wh)]));
}

/** Σ round(kVA × 100) of the points, from metering's table. */
async function centiKva(points: string[]): Promise<number> {
  const { rows } = await sql<{ n: string }>(`SELECT sum(round(contracted_power_kva * 100)) AS n FROM metering.metering_points WHERE id = ANY($1::text[])`, [points]);
  return Number(rows[0]!.n);
}

async function price(schemeId: string, period: string): Promise<number> {
  const { rows } = await sql<{ p: string }>(`SELECT energy_price_nano_eur_per_kwh AS p FROM tariffs.scheme_prices WHERE scheme_id = $1 AND period = $2`, [schemeId, period]);
  return Number(rows[0]!.p) / 1e9;
}

async function powerPrice(schemeId: string): Promise<number> {
  const { rows } = await sql<{ p: string }>(`SELECT power_price_nano_eur_per_kva_day AS p FROM tariffs.schemes WHERE id = $1`, [schemeId]);
  return Number(rows[0]!.p) / 1e9;
}

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  dsoKey = await t.createKey('dso', 'dso');
  await writeHistory(t.database.handle, t.parish, { dayStartsMs: MIDNIGHTS.map(Date.parse) });
  const sizes = new Map<string, number>();
  const substationOf = new Map(t.parish.feeders.map((f) => [f.id, f.secondarySubstationId]));
  for (const c of t.parish.connections) sizes.set(substationOf.get(c.feederId)!, (sizes.get(substationOf.get(c.feederId)!) ?? 0) + 1);
  substationId = [...sizes].sort((a, b) => b[1] - a[1])[0]![0];
  substationPoints = (await sql<{ id: string }>(SUBSTATION_POINTS, [substationId])).rows.map((row) => row.id);
  // A critical-peak draft of the DSO's (the daily three-rate base, 1 EUR/kWh at critical peak) with one event.
  await sql(
    `INSERT INTO tariffs.schemes (id, family, version, name, kind, cycle, status, power_price_nano_eur_per_kva_day, valid_from) VALUES ($1, $1, 1, 'Test CPP', 'CRITICAL_PEAK', 'DAILY', 'DRAFT', 60000000, '2026-01-01')`,
    [CPP],
  );
  await sql(
    `INSERT INTO tariffs.scheme_prices (scheme_id, period, energy_price_nano_eur_per_kwh) VALUES
     ($1, 'ponta', 250000000), ($1, 'cheias', 150000000), ($1, 'vazio_normal', 100000000), ($1, 'super_vazio', 80000000), ($1, 'critical_peak', 1000000000)`,
    [CPP],
  );
  await sql(`INSERT INTO tariffs.critical_peak_events (id, scheme_id, starts_at, ends_at) VALUES ('TEST-EVENT-1', $1, $2, $3)`, [CPP, EVENT.from, EVENT.to]);
}, 60_000);

afterAll(() => t.stop());

describe("a substation's schemes side by side, against SQL on the readings", () => {
  it('gives each scheme the energy of each period it prices, its cost, and the contracted power per kVA and day', async () => {
    const body = await compare(dsoKey, { secondarySubstationId: substationId });
    expect(body.errors).toBeUndefined();
    const result = body.data!.compareSchemes;
    const [daily, weekly, kvaCenti] = await Promise.all([energyByPeriod(substationPoints, DAILY_WINTER), energyByPeriod(substationPoints, WEEKLY_WINTER_WEEKDAY), centiKva(substationPoints)]);
    const total = [...daily.values()].reduce((a, b) => a + b, 0);
    expect(result.meteringPointCount).toBe(substationPoints.length);
    expect(result.quarterHours).toBe(192);
    expect(result.energyKwh).toBeCloseTo(total / 1000, 9);
    expect(result.contractedKvaDays).toBeCloseTo((kvaCenti * 2) / 100, 9);
    const wh = (periods: Map<string, number>, ...names: string[]) => names.reduce((sum, name) => sum + (periods.get(name) ?? 0), 0);
    const expected: Record<string, [string, number][]> = {
      'TP-SIMPLES': [['all', total]],
      'TP-BI-DIARIO': [
        ['vazio', wh(daily, 'vazio_normal', 'super_vazio')],
        ['fora_vazio', wh(daily, 'ponta', 'cheias')],
      ],
      'TP-TRI-SEMANAL': ['ponta', 'cheias', 'vazio_normal', 'super_vazio'].map((period) => [period, wh(weekly, period)]),
    };
    for (const comparison of result.schemes) {
      const lines = expected[comparison.scheme.id]!;
      expect(comparison.lines.map((line) => line.period)).toEqual(lines.map(([period]) => period));
      let energyEur = 0;
      for (const [period, energyWh] of lines) {
        const line = comparison.lines.find((l) => l.period === period)!;
        const eurPerKwh = await price(comparison.scheme.id, period);
        expect(line.energyKwh).toBeCloseTo(energyWh / 1000, 9);
        expect(line.energyPriceEurPerKwh).toBeCloseTo(eurPerKwh, 12);
        expect(line.costEur).toBeCloseTo((energyWh / 1000) * eurPerKwh, 8);
        energyEur += (energyWh / 1000) * eurPerKwh;
      }
      const powerEur = ((kvaCenti * 2) / 100) * (await powerPrice(comparison.scheme.id));
      expect(comparison.energyEur).toBeCloseTo(energyEur, 8);
      expect(comparison.powerEur).toBeCloseTo(powerEur, 8);
      expect(comparison.customersCostEur).toBeCloseTo(energyEur + powerEur, 8);
      expect(comparison.dsoRevenueEur).toBe(comparison.customersCostEur);
    }
  });

  it('compares each scheme with what the substation pays on the schemes its points are on', async () => {
    const body = await compare(dsoKey, { secondarySubstationId: substationId }, SCHEMES, WITH_CURRENT);
    expect(body.errors).toBeUndefined();
    const { current, schemes } = body.data!.compareSchemes;
    const energy = await sql<{ eur: string }>(ASSIGNED_ENERGY_EUR, [substationPoints, FROM, TO]);
    const power = await sql<{ eur: string }>(ASSIGNED_POWER_EUR, [substationPoints, MIDNIGHTS]);
    expect(current.energyEur).toBeCloseTo(Number(energy.rows[0]!.eur), 8);
    expect(current.powerEur).toBeCloseTo(Number(power.rows[0]!.eur), 8);
    expect(current.customersCostEur).toBeCloseTo(Number(energy.rows[0]!.eur) + Number(power.rows[0]!.eur), 8);
    for (const scheme of schemes) {
      expect(scheme.changeVsCurrentEur).toBeCloseTo(scheme.customersCostEur - current.customersCostEur, 8);
      expect(scheme.changeVsCurrentPct).toBeCloseTo(((scheme.customersCostEur - current.customersCostEur) / current.customersCostEur) * 100, 8);
    }
  });

  it("prices a critical-peak scheme's announced event at its critical-peak price", async () => {
    const body = await compare(dsoKey, { secondarySubstationId: substationId }, [CPP]);
    expect(body.errors).toBeUndefined();
    const [line] = body.data!.compareSchemes.schemes;
    const [daily, inEvent] = await Promise.all([energyByPeriod(substationPoints, DAILY_WINTER), energyByPeriod(substationPoints, DAILY_WINTER, EVENT.from, EVENT.to)]);
    const byPeriod = new Map(line!.lines.map((l) => [l.period, l.energyKwh]));
    expect(inEvent.get('ponta')).toBeGreaterThan(0);
    expect(byPeriod.get('critical_peak')).toBeCloseTo(inEvent.get('ponta')! / 1000, 9);
    expect(byPeriod.get('ponta')).toBeCloseTo((daily.get('ponta')! - inEvent.get('ponta')!) / 1000, 9);
    expect(byPeriod.get('cheias')).toBeCloseTo(daily.get('cheias')! / 1000, 9);
  });
});

describe('who may compare what', () => {
  it("compares a retailer's own portfolio: every point it supplied in the window, while it did", async () => {
    const retailerId = 'ret-endesa';
    const key = await t.createKey('retailer', retailerId);
    const body = await compare(key, { retailerPortfolio: true }, ['TP-SIMPLES']);
    expect(body.errors).toBeUndefined();
    const { rows } = await sql<{ wh: string; points: string }>(
      `SELECT sum(r.import_wh) AS wh, count(DISTINCT mp.id) AS points
       FROM metering.readings r JOIN metering.metering_points mp ON mp.key = r.metering_point_key
       JOIN metering.supply_contracts sc ON sc.metering_point_id = mp.id AND sc.retailer_id = $1 AND sc.valid_from <= r.interval_start AND (sc.valid_to IS NULL OR sc.valid_to > r.interval_start)
       WHERE r.interval_start >= $2 AND r.interval_start < $3`,
      [retailerId, FROM, TO],
    );
    const supplied = pointsSuppliedNowBy(t.parish, retailerId).map((p) => p.id);
    expect(body.data!.compareSchemes.meteringPointCount).toBe(Number(rows[0]!.points));
    expect(body.data!.compareSchemes.energyKwh).toBeCloseTo(Number(rows[0]!.wh) / 1000, 9);
    // No contract of the parish changes in these two days: the points it supplies now, every day.
    expect(Number(rows[0]!.points)).toBe(supplied.length);
    expect(body.data!.compareSchemes.contractedKvaDays).toBeCloseTo(((await centiKva(supplied)) * 2) / 100, 9);
  });

  it("refuses a retailer a foreign point without naming its retailer, and the DSO's draft as not found", async () => {
    const retailerId = 'ret-endesa';
    const key = await t.createKey('retailer', retailerId);
    const foreign = t.parish.meteringPoints.find((p) => p.retailerId !== retailerId)!;
    const refused = await compare(key, { meteringPointIds: [foreign.id] });
    expect(refused.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(JSON.stringify(refused)).not.toContain(foreign.retailerId);
    const draft = await compare(key, { retailerPortfolio: true }, [CPP]);
    expect(draft.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });

  it('gives the regulator the network, and refuses it a set of points and a small feeder', async () => {
    const key = await t.createKey('regulator', 'erse');
    const [network, dso] = await Promise.all([compare(key, { network: true }), compare(dsoKey, { network: true })]);
    expect(network.errors).toBeUndefined();
    expect(network.data).toEqual(dso.data);
    expect((await compare(key, { meteringPointIds: [t.parish.meteringPoints[0]!.id] })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const counts = new Map<string, number>();
    for (const c of t.parish.connections) counts.set(c.feederId, (counts.get(c.feederId) ?? 0) + 1);
    const small = [...counts].find(([, n]) => n < 10)![0];
    const refused = await compare(key, { feederId: small });
    expect(refused.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toMatch(/\(TOO_FEW_POINTS\)/);
  });
});

describe('bad input', () => {
  it('takes 1 to 10 distinct schemes that exist', async () => {
    const scope = { network: true };
    expect((await compare(dsoKey, scope, [])).errors![0]!.message).toBe('schemeIds must hold 1 to 10 ids');
    expect((await compare(dsoKey, scope, ['TP-SIMPLES', 'TP-SIMPLES'])).errors![0]!.message).toBe('schemeIds must not repeat an id');
    const unknown = await compare(dsoKey, scope, ['NO-SUCH-SCHEME']);
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });

  it('refuses, by its cost, an operation reading the current schemes of four scopes', async () => {
    const aliases = Array.from({ length: 4 }, (_, i) => `a${i}: compareSchemes(scope: { network: true }, from: "${FROM}", to: "${TO}", schemeIds: ["TP-SIMPLES"]) { current { customersCostEur } }`);
    const { body } = await t.graphql(`{ ${aliases.join('\n')} }`, { key: dsoKey });
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(/over the budget .*SchemeComparisons\.current/);
    const two = await t.graphql(`{ ${aliases.slice(0, 2).join('\n')} }`, { key: dsoKey });
    expect(two.body.errors).toBeUndefined();
  });

  // The 300-point parish over 200 local days (27 October 2025, winter, to 15 May 2026, summer) is
  // 60,000 point-days, the most one request reads point by point; over 201 days, 60,300.
  const AT_BOUND = { from: '2025-10-27T00:00:00.000Z', to: '2026-05-14T23:00:00.000Z' };
  const OVER_BOUND = { from: '2025-10-27T00:00:00.000Z', to: '2026-05-15T23:00:00.000Z' };
  const CURRENT = `query($scope: TariffScopeInput!, $from: DateTime!, $to: DateTime!) {
    compareSchemes(scope: $scope, from: $from, to: $to, schemeIds: ["TP-SIMPLES"]) { schemes { customersCostEur } current { customersCostEur } }
  }`;

  it("reads the current tariffs' cost of at most 60,000 point-days, and says what to ask instead", async () => {
    expect(t.parish.meteringPoints).toHaveLength(300);
    const over = (await t.graphql(CURRENT, { key: dsoKey, variables: { scope: { network: true }, ...OVER_BOUND } })).body;
    expect(over.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(over.errors![0]!.message).toBe(
      "the current tariffs' cost reads each metering point's readings: 300 metering points over 201 local days are 60,300 point-days, at most 60,000: a smaller area or a shorter window",
    );
    expect((await t.graphql(CURRENT, { key: dsoKey, variables: { scope: { network: true }, ...AT_BOUND } })).body.errors).toBeUndefined();
    // The schemes' costs of an area come from its totals: no bound but the window's.
    const totals = await t.graphql(COMPARE, { key: dsoKey, variables: { scope: { network: true }, ...OVER_BOUND, schemeIds: SCHEMES } });
    expect(totals.body.errors).toBeUndefined();
  });

  it('compares a set of points of at most 60,000 point-days', async () => {
    const scope = { meteringPointIds: t.parish.meteringPoints.map((point) => point.id) };
    const over = (await t.graphql(COMPARE, { key: dsoKey, variables: { scope, ...OVER_BOUND, schemeIds: SCHEMES } })).body;
    expect(over.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(over.errors![0]!.message).toBe(
      "comparing a set of points reads each one's readings: 300 metering points over 201 local days are 60,300 point-days, at most 60,000: fewer metering points, an area, or a shorter window",
    );
    expect((await t.graphql(CURRENT, { key: dsoKey, variables: { scope, ...AT_BOUND } })).body.errors).toBeUndefined();
  });

  it('tells only the DSO that a metering point does not exist', async () => {
    expect((await compare(dsoKey, { meteringPointIds: ['PT0000000000000000XX'] })).errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const retailerKey = await t.createKey('retailer', 'ret-edpc');
    expect((await compare(retailerKey, { meteringPointIds: ['PT0000000000000000XX'] })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

import { writeHistory } from '../../../tools/seed/history';
import { lisbonLocalDay, lisbonMidnightUtcMs } from '../../kit/calendar';
import { pointsSuppliedNowBy, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';

/**
 * Bills against a real hub on the readings of local October 2026 (31 days, the 25th 25 hours
 * long: 2,980 quarter-hours). Every expected figure is worked out here from the readings table and
 * the seed's published prices (tools/seed/parish.ts), with the ERSE daily two-rate rule written
 * out in SQL (vazio 22:00-08:00 local, all year), never with the bill's own rules.
 */

let t: TestHub;
let dsoKey: string;

const OCT_FROM = '2026-09-30T23:00:00.000Z'; // 1 October, 00:00 in Lisbon (summer time)
const OCT_TO = '2026-11-01T00:00:00.000Z'; // 1 November, 00:00 in Lisbon (winter time)
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Local midnight of October `day` 2026 (summer time until the 25th, 01:00 UTC). */
const octoberMidnight = (day: number) => new Date(Date.UTC(2026, 9, day) - (day <= 25 ? HOUR_MS : 0)).toISOString();

/** The seed's prices, nano-euros. */
const BI_DIARIO = { vazio: 103_600_000n, fora_vazio: 201_300_000n, power: 52_900_000n };
const SIMPLES = { all: 165_800_000n, power: 51_700_000n };

const BILL = `query($id: ID!, $from: DateTime!, $to: DateTime!, $schemeId: ID) {
  bill(meteringPointId: $id, from: $from, to: $to, schemeId: $schemeId) {
    meteringPointId from to quarterHours unbilledQuarterHours missingQuarterHours powerDays contractedPowerKva
    lines { schemeId period energyKwh energyPriceEurPerKwh costEur } energyEur powerEur totalEur
  }
}`;

interface BillLine {
  schemeId: string;
  period: string;
  energyKwh: number;
  energyPriceEurPerKwh: number;
  costEur: number;
}
interface Bill {
  meteringPointId: string;
  from: string;
  to: string;
  quarterHours: number;
  unbilledQuarterHours: number;
  missingQuarterHours: number;
  powerDays: number;
  contractedPowerKva: number;
  lines: BillLine[];
  energyEur: number;
  powerEur: number;
  totalEur: number;
}

const bill = (key: string, variables: { id: string; from?: string; to?: string; schemeId?: string }) =>
  t.graphql<{ bill: Bill }>(BILL, { key, variables: { from: OCT_FROM, to: OCT_TO, ...variables } });

/** The local midnight `days` local days from the one at `midnightMs`. */
const localMidnightDaysFrom = (midnightMs: number, days: number) => new Date(lisbonMidnightUtcMs(lisbonLocalDay(midnightMs) + days)).toISOString();
const eur = (pico: bigint) => Number(pico) / 1e12;
const centiKva = (kva: number) => BigInt(Math.round(kva * 100));

/** The point's import over [from, to) in the vazio of the daily cycle and outside it, and how many readings, summed by PostgreSQL. */
async function dailySums(pointId: string, from: string, to: string): Promise<{ vazio: bigint; foraVazio: bigint; readings: number }> {
  const { rows } = await t.database.handle.pool.query<{ vazio: string | null; fora_vazio: string | null; readings: string }>(
    `SELECT sum(r.import_wh) FILTER (WHERE extract(hour FROM r.interval_start AT TIME ZONE 'Europe/Lisbon') >= 22
                                        OR extract(hour FROM r.interval_start AT TIME ZONE 'Europe/Lisbon') < 8) AS vazio,
            sum(r.import_wh) FILTER (WHERE extract(hour FROM r.interval_start AT TIME ZONE 'Europe/Lisbon') BETWEEN 8 AND 21) AS fora_vazio,
            count(*) AS readings
     FROM metering.readings r JOIN metering.metering_points mp ON mp.key = r.metering_point_key
     WHERE mp.id = $1 AND r.interval_start >= $2 AND r.interval_start < $3`,
    [pointId, from, to],
  );
  const row = rows[0]!;
  return { vazio: BigInt(row.vazio ?? 0), foraVazio: BigInt(row.fora_vazio ?? 0), readings: Number(row.readings) };
}

/** The point's import over [from, to) inside the event and in all, by PostgreSQL. */
async function sumsWithin(pointId: string, from: string, to: string, event: { from: string; to: string }): Promise<{ inside: bigint; total: bigint }> {
  const { rows } = await t.database.handle.pool.query<{ inside: string | null; total: string }>(
    `SELECT sum(r.import_wh) FILTER (WHERE r.interval_start >= $4 AND r.interval_start < $5) AS inside, sum(r.import_wh) AS total
     FROM metering.readings r JOIN metering.metering_points mp ON mp.key = r.metering_point_key
     WHERE mp.id = $1 AND r.interval_start >= $2 AND r.interval_start < $3`,
    [pointId, from, to, event.from, event.to],
  );
  return { inside: BigInt(rows[0]!.inside ?? 0), total: BigInt(rows[0]!.total) };
}

type Point = TestHub['parish']['meteringPoints'][number];
/** The point's one scheme since its contract began, or null for a point that changed scheme (the seed's pilot households). */
function schemeOf(point: Point): string | null {
  const assignments = t.parish.tariffAssignments.filter((assignment) => assignment.meteringPointId === point.id);
  return assignments.length === 1 ? assignments[0]!.schemeId : null;
}
/** Distinct points on a scheme, handed out once each so that every test has its own. */
const taken = new Set<string>();
function pointOn(schemeId: string, where: (point: Point) => boolean = () => true): Point {
  const point = t.parish.meteringPoints.find((candidate) => !taken.has(candidate.id) && schemeOf(candidate) === schemeId && where(candidate));
  if (!point) throw new Error(`no free point on ${schemeId}`);
  taken.add(point.id);
  return point;
}

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  dsoKey = await t.createKey('dso', 'dso');
  // UTC days 30 September to 31 October hold every quarter-hour of local October.
  const start = Date.parse('2026-09-30T00:00:00.000Z');
  await writeHistory(t.database.handle, t.parish, { dayStartsMs: Array.from({ length: 32 }, (_, i) => start + i * DAY_MS) });
}, 120_000);

afterAll(() => t.stop());

describe('bill', () => {
  it('bills a month with a summer-time change: 2,980 quarter-hours, each priced once, as the readings summed in SQL', async () => {
    const point = pointOn('TP-BI-DIARIO');
    const sums = await dailySums(point.id, OCT_FROM, OCT_TO);
    const { body } = await bill(dsoKey, { id: point.id });
    expect(body.errors).toBeUndefined();
    const result = body.data!.bill;
    expect(sums.readings).toBe(2_980);
    expect(result).toMatchObject({ meteringPointId: point.id, from: OCT_FROM, to: OCT_TO, quarterHours: 2_980, unbilledQuarterHours: 0, missingQuarterHours: 0, powerDays: 31, contractedPowerKva: point.contractedPowerKva });
    expect(result.lines).toEqual([
      { schemeId: 'TP-BI-DIARIO', period: 'vazio', energyKwh: Number(sums.vazio) / 1000, energyPriceEurPerKwh: 0.1036, costEur: eur(sums.vazio * BI_DIARIO.vazio) },
      { schemeId: 'TP-BI-DIARIO', period: 'fora_vazio', energyKwh: Number(sums.foraVazio) / 1000, energyPriceEurPerKwh: 0.2013, costEur: eur(sums.foraVazio * BI_DIARIO.fora_vazio) },
    ]);
    const energy = sums.vazio * BI_DIARIO.vazio + sums.foraVazio * BI_DIARIO.fora_vazio;
    // kVA in hundredths × nEUR/kVA/day × 10 = pEUR a day, for 31 local days.
    const power = centiKva(point.contractedPowerKva) * BI_DIARIO.power * 10n * 31n;
    expect(result.energyEur).toBe(eur(energy));
    expect(result.powerEur).toBe(eur(power));
    expect(result.totalEur).toBe(eur(energy + power));
  });

  it('bills on another scheme over the whole window when schemeId is given: a what-if', async () => {
    const point = pointOn('TP-BI-DIARIO');
    const sums = await dailySums(point.id, OCT_FROM, OCT_TO);
    const total = sums.vazio + sums.foraVazio;
    const { body } = await bill(dsoKey, { id: point.id, schemeId: 'TP-SIMPLES' });
    expect(body.errors).toBeUndefined();
    const power = centiKva(point.contractedPowerKva) * SIMPLES.power * 10n * 31n;
    expect(body.data!.bill).toMatchObject({
      quarterHours: 2_980,
      powerDays: 31,
      lines: [{ schemeId: 'TP-SIMPLES', period: 'all', energyKwh: Number(total) / 1000, energyPriceEurPerKwh: 0.1658, costEur: eur(total * SIMPLES.all) }],
      totalEur: eur(total * SIMPLES.all + power),
    });
  });

  it("prices a critical-peak scheme's announced events at its critical_peak price", async () => {
    const point = pointOn('TP-BI-DIARIO');
    // 14 October, 18:00-21:00 local (summer: 17:00-20:00 UTC), entirely fora_vazio.
    const event = { from: '2026-10-14T17:00:00.000Z', to: '2026-10-14T20:00:00.000Z' };
    await t.database.handle.pool.query(
      `INSERT INTO tariffs.schemes (id, family, version, name, kind, cycle, status, power_price_nano_eur_per_kva_day, valid_from, published_at)
       VALUES ('TEST-CPP', 'TEST-CPP', 1, 'Test critical peak', 'CRITICAL_PEAK', 'DAILY', 'PUBLISHED', 50000000, '2026-01-01', now());
       INSERT INTO tariffs.scheme_prices (scheme_id, period, energy_price_nano_eur_per_kwh) VALUES
         ('TEST-CPP', 'vazio', 90000000), ('TEST-CPP', 'fora_vazio', 180000000), ('TEST-CPP', 'critical_peak', 900000000);
       INSERT INTO tariffs.critical_peak_events (id, scheme_id, starts_at, ends_at) VALUES ('TEST-CPP-1', 'TEST-CPP', '${event.from}', '${event.to}')`,
    );
    const daily = await dailySums(point.id, OCT_FROM, OCT_TO);
    const { inside } = await sumsWithin(point.id, OCT_FROM, OCT_TO, event);
    const { body } = await bill(dsoKey, { id: point.id, schemeId: 'TEST-CPP' });
    expect(body.errors).toBeUndefined();
    expect(body.data!.bill.lines.map((line) => [line.period, line.energyKwh])).toEqual([
      ['vazio', Number(daily.vazio) / 1000],
      ['fora_vazio', Number(daily.foraVazio - inside) / 1000],
      ['critical_peak', Number(inside) / 1000],
    ]);
    const energy = daily.vazio * 90_000_000n + (daily.foraVazio - inside) * 180_000_000n + inside * 900_000_000n;
    expect(body.data!.bill.energyEur).toBe(eur(energy));
  });

  it('splits the bill where the assignment changes, each local day charged power on the scheme of its first quarter-hour', async () => {
    const point = pointOn('TP-BI-DIARIO');
    const change = octoberMidnight(15);
    await t.database.handle.pool.query(`UPDATE tariffs.assignments SET valid_to = $2 WHERE metering_point_id = $1`, [point.id, change]);
    await t.database.handle.pool.query(`INSERT INTO tariffs.assignments (metering_point_id, scheme_id, valid_from) VALUES ($1, 'TP-SIMPLES', $2)`, [point.id, change]);
    const before = await dailySums(point.id, OCT_FROM, change);
    const after = await dailySums(point.id, change, OCT_TO);
    const { body } = await bill(dsoKey, { id: point.id });
    expect(body.errors).toBeUndefined();
    const result = body.data!.bill;
    expect(result.lines.map((line) => [line.schemeId, line.period, line.energyKwh])).toEqual([
      ['TP-BI-DIARIO', 'vazio', Number(before.vazio) / 1000],
      ['TP-BI-DIARIO', 'fora_vazio', Number(before.foraVazio) / 1000],
      ['TP-SIMPLES', 'all', Number(after.vazio + after.foraVazio) / 1000],
    ]);
    const energy = before.vazio * BI_DIARIO.vazio + before.foraVazio * BI_DIARIO.fora_vazio + (after.vazio + after.foraVazio) * SIMPLES.all;
    const power = centiKva(point.contractedPowerKva) * 10n * (14n * BI_DIARIO.power + 17n * SIMPLES.power);
    expect(result).toMatchObject({ quarterHours: 2_980, powerDays: 31, energyEur: eur(energy), powerEur: eur(power), totalEur: eur(energy + power) });
  });

  it('leaves out the quarter-hours on no scheme, and says how many', async () => {
    const point = pointOn('TP-SIMPLES');
    const assignedFrom = octoberMidnight(10);
    await t.database.handle.pool.query(`UPDATE tariffs.assignments SET valid_from = $2 WHERE metering_point_id = $1`, [point.id, assignedFrom]);
    const { body } = await bill(dsoKey, { id: point.id });
    expect(body.errors).toBeUndefined();
    const sums = await dailySums(point.id, assignedFrom, OCT_TO);
    expect(body.data!.bill).toMatchObject({ quarterHours: 2_980 - 9 * 96, unbilledQuarterHours: 9 * 96, powerDays: 22 });
    expect(body.data!.bill.lines).toEqual([expect.objectContaining({ period: 'all', energyKwh: Number(sums.vazio + sums.foraVazio) / 1000 })]);
  });

  it('counts the quarter-hours billed without a reading, at 0 Wh', async () => {
    const point = pointOn('TP-SIMPLES');
    const { body } = await bill(dsoKey, { id: point.id, from: octoberMidnight(31), to: '2026-11-02T00:00:00.000Z' });
    expect(body.errors).toBeUndefined();
    // 31 October has readings, 1 November none yet: both days bear contracted power.
    expect(body.data!.bill).toMatchObject({ quarterHours: 192, missingQuarterHours: 96, powerDays: 2 });
  });
});

describe('bill access', () => {
  const retailers = () => [...new Set(t.parish.meteringPoints.map((point) => point.retailerId))];
  const missingPoint = 'PT0002000000000000XX';

  it("gives a retailer its own customer's bill, the same as the DSO's, and logs the read with its window", async () => {
    const retailer = retailers()[0]!;
    const key = await t.createKey('retailer', retailer);
    const point = pointsSuppliedNowBy(t.parish, retailer).find((candidate) => !taken.has(candidate.id) && candidate.id !== missingPoint)!;
    taken.add(point.id);
    const own = await bill(key, { id: point.id });
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data).toEqual((await bill(dsoKey, { id: point.id })).body.data);
    const { rows } = await t.database.handle.pool.query(
      `SELECT period_from, period_to FROM hub.access_log WHERE organisation_id = $1 AND metering_point_id = $2 AND resource = 'bill'`,
      [retailer, point.id],
    );
    expect(rows).toEqual([{ period_from: new Date(OCT_FROM), period_to: new Date(OCT_TO) }]);
  });

  it("refuses a retailer another retailer's point exactly like a missing one, and its own point outside its supply period", async () => {
    const [retailer, other] = retailers();
    const key = await t.createKey('retailer', retailer!);
    const everSupplied = new Set(t.parish.supplyContracts.filter((contract) => contract.retailerId === retailer).map((contract) => contract.meteringPointId));
    const foreign = t.parish.meteringPoints.find((point) => point.retailerId === other && !everSupplied.has(point.id))!;
    const refused = await bill(key, { id: foreign.id });
    const missing = await bill(key, { id: missingPoint });
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual(missing.body.errors?.map((error) => [error.extensions?.code, error.message]));
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(refused.body)).not.toContain(foreign.id);

    const own = pointsSuppliedNowBy(t.parish, retailer!)[0]!;
    const contractFrom = t.parish.supplyContracts.find((contract) => contract.meteringPointId === own.id && contract.retailerId === retailer && contract.validTo === null)!.validFrom;
    // The 30 local days before its contract began (a contract begins at a local midnight).
    const before = await bill(key, { id: own.id, from: localMidnightDaysFrom(contractFrom.getTime(), -30), to: contractFrom.toISOString() });
    expect(before.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(before.body.errors?.[0]?.message).toMatch(/supply periods/);
  });

  it('refuses a former supplier its former point exactly like a missing one, even over its own supply period, and lets the new one bill its own', async () => {
    const contract = t.parish.supplyContracts.find((candidate) => candidate.validTo !== null && t.parish.meteringPoints.some((point) => point.id === candidate.meteringPointId && point.retailerId !== candidate.retailerId))!;
    const point = t.parish.meteringPoints.find((candidate) => candidate.id === contract.meteringPointId)!;
    const switchedAt = contract.validTo!.getTime();
    const formerKey = await t.createKey('retailer', contract.retailerId);
    const currentKey = await t.createKey('retailer', point.retailerId);
    // A switch takes effect at a local midnight: a week either side of it, in local days.
    const switchDay = new Date(switchedAt).toISOString();
    const weekBefore = { from: localMidnightDaysFrom(switchedAt, -7), to: switchDay };
    const weekAfter = { from: switchDay, to: localMidnightDaysFrom(switchedAt, 7) };
    const across = { from: weekBefore.from, to: weekAfter.to };
    const answer = async (key: string, id: string, window: { from: string; to: string }) => {
      const { body } = await bill(key, { id, ...window });
      return { data: body.data ?? null, errors: body.errors?.map((error) => [error.extensions?.code, error.message]) };
    };
    const unknown = await answer(formerKey, missingPoint, weekBefore);
    expect(unknown).toEqual({ data: null, errors: [['NOT_FOUND', 'Metering point not found']] });
    for (const window of [weekBefore, weekAfter, across]) expect(await answer(formerKey, point.id, window)).toEqual(unknown);
    const { rows } = await t.database.handle.pool.query(`SELECT 1 FROM hub.access_log WHERE organisation_id = $1 AND metering_point_id = $2 AND resource = 'bill'`, [contract.retailerId, point.id]);
    expect(rows).toEqual([]);
    expect((await bill(currentKey, { id: point.id, ...weekAfter })).body.errors).toBeUndefined();
    expect((await bill(currentKey, { id: point.id, ...across })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('gives a customer its own bill only', async () => {
    const [mine, theirs] = t.parish.meteringPoints.filter((point) => !taken.has(point.id));
    const key = await t.createKey('customer', mine!.id);
    expect((await bill(key, { id: mine!.id })).body.data?.bill.meteringPointId).toBe(mine!.id);
    const other = await bill(key, { id: theirs!.id });
    expect(other.body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['NOT_FOUND', 'Metering point not found']]);
  });

  it('refuses a stakeholder without individual access like a missing point', async () => {
    const key = await t.createKey('regulator', 'erse');
    const point = t.parish.meteringPoints[0]!;
    expect((await bill(key, { id: point.id })).body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
  });
});

describe('bill input', () => {
  const point = () => t.parish.meteringPoints[1]!.id;
  const refusal = async (variables: { from?: string; to?: string; schemeId?: string }) => {
    const { body } = await bill(dsoKey, { id: point(), ...variables });
    return body.errors?.map((error) => [error.extensions?.code, error.message]);
  };

  it('refuses windows that do not start and end on Lisbon local midnights, that are empty or longer than 400 days', async () => {
    // 00:00 UTC on 1 October is 01:00 in Lisbon.
    expect(await refusal({ from: '2026-10-01T00:00:00.000Z' })).toEqual([['BAD_USER_INPUT', expect.stringMatching(/^from must be a local midnight in Lisbon/)]]);
    expect(await refusal({ to: '2026-10-31T23:00:00.000Z' })).toEqual([['BAD_USER_INPUT', expect.stringMatching(/^to must be a local midnight in Lisbon/)]]);
    expect(await refusal({ from: OCT_TO, to: OCT_FROM })).toEqual([['BAD_USER_INPUT', 'to must be after from']]);
    // 27 September 2025 to 1 November 2026 is 400 local days; from the 25th, 402.
    expect(await refusal({ from: '2025-09-26T23:00:00.000Z', to: OCT_TO })).toBeUndefined();
    expect(await refusal({ from: '2025-09-24T23:00:00.000Z', to: OCT_TO })).toEqual([['BAD_USER_INPUT', 'the window holds 402 local days: at most 400']]);
  });

  it('answers NOT_FOUND for an unknown scheme, and for a draft to anyone but the DSO', async () => {
    expect(await refusal({ schemeId: 'TP-NONE' })).toEqual([['NOT_FOUND', 'Tariff scheme not found']]);
    await t.database.handle.pool.query(
      `INSERT INTO tariffs.schemes (id, family, version, name, kind, cycle, status, power_price_nano_eur_per_kva_day, valid_from)
       VALUES ('TEST-DRAFT', 'TEST-DRAFT', 1, 'Test draft', 'FLAT', NULL, 'DRAFT', 50000000, '2026-01-01');
       INSERT INTO tariffs.scheme_prices (scheme_id, period, energy_price_nano_eur_per_kwh) VALUES ('TEST-DRAFT', 'all', 150000000)`,
    );
    expect((await bill(dsoKey, { id: point(), schemeId: 'TEST-DRAFT' })).body.errors).toBeUndefined();
    const customerKey = await t.createKey('customer', point());
    expect((await bill(customerKey, { id: point(), schemeId: 'TEST-DRAFT' })).body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
      ['NOT_FOUND', 'Tariff scheme not found'],
    ]);
  });

  it('refuses, before running it, an operation asking for a hundred monthly bills', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `b${i}: bill(meteringPointId: "${point()}", from: "${OCT_FROM}", to: "${OCT_TO}") { totalEur }`);
    const { body } = await t.graphql(`{ ${aliases.join(' ')} }`, { key: dsoKey });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/over the budget .*Query\.bill/);
  });
});

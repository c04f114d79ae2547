import { writeHistory } from '../../../tools/seed/history';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';

/**
 * Revenue-neutral calibration against a real hub, on the readings of the local week of 19 to 25
 * October 2026 (the 25th 25 hours long: 676 quarter-hours). The revenue before, and the revenue
 * after at the prices returned, are worked out here from the readings table and the seed's prices
 * (tools/seed/parish.ts), with the ERSE daily two-rate rule written out in SQL (vazio 22:00-08:00
 * local, all year), never with the calibration's own rules.
 */

let t: TestHub;
let dsoKey: string;

const FROM = '2026-10-18T23:00:00.000Z'; // 19 October, 00:00 in Lisbon (summer time)
const TO = '2026-10-26T00:00:00.000Z'; // 26 October, 00:00 in Lisbon (winter time)
const DAYS = 7n;
const DAY_MS = 86_400_000;

/** The seed's prices, nano-euros. */
const PRICES: Record<string, { energy: Record<string, bigint>; power: bigint }> = {
  'TP-SIMPLES': { energy: { all: 165_800_000n }, power: 51_700_000n },
  'TP-BI-DIARIO': { energy: { vazio: 103_600_000n, fora_vazio: 201_300_000n }, power: 52_900_000n },
};

const CALIBRATE = `mutation($input: CalibrateRevenueNeutralInput!) {
  calibrateRevenueNeutral(input: $input) {
    scheme { id family version name kind cycle status energyPrices { period energyPriceEurPerKwh } powerPriceEurPerKvaDay validFrom validTo }
    revenueBeforeEur revenueAfterEur scaleFactor relativeDifference energyBeforeEur powerBeforeEur energyAfterEur powerAfterEur kvaDays sampleSize quarterHours
    lines { period ratio energyKwh energyPriceEurPerKwh costEur }
  }
}`;

interface Calibration {
  scheme: { id: string; family: string; version: number; name: string; kind: string; cycle: string | null; status: string; energyPrices: { period: string; energyPriceEurPerKwh: number }[]; powerPriceEurPerKvaDay: number; validFrom: string; validTo: string | null };
  revenueBeforeEur: number;
  revenueAfterEur: number;
  scaleFactor: number;
  relativeDifference: number;
  energyBeforeEur: number;
  powerBeforeEur: number;
  energyAfterEur: number;
  powerAfterEur: number;
  kvaDays: number;
  sampleSize: number;
  quarterHours: number;
  lines: { period: string; ratio: number; energyKwh: number; energyPriceEurPerKwh: number; costEur: number }[];
}

const calibrate = (input: Record<string, unknown>, key = dsoKey) => t.graphql<{ calibrateRevenueNeutral: Calibration }>(CALIBRATE, { key, variables: { input: { from: FROM, to: TO, ...input } } });

const eur = (pico: bigint) => Number(pico) / 1e12;
const nano = (eurPerKwh: number) => BigInt(Math.round(eurPerKwh * 1e9));
const centiKva = (kva: number) => BigInt(Math.round(kva * 100));
const priceOf = (result: Calibration, period: string) => result.lines.find((line) => line.period === period)!.energyPriceEurPerKwh;

type Point = TestHub['parish']['meteringPoints'][number];
let sample: Point[];
/** The point's one scheme since its contract began, or null for a point that changed scheme (the seed's pilot households). */
function schemeOf(point: Point): string | null {
  const assignments = t.parish.tariffAssignments.filter((assignment) => assignment.meteringPointId === point.id);
  return assignments.length === 1 ? assignments[0]!.schemeId : null;
}

interface PointSums {
  vazio: bigint;
  foraVazio: bigint;
  /** Inside the test's critical-peak event, all fora_vazio. */
  event: bigint;
}

/** Each sample point's import in the daily vazio, outside it, and inside [eventFrom, eventTo), summed by PostgreSQL. */
async function sumsByPoint(eventFrom: string, eventTo: string): Promise<Map<string, PointSums>> {
  const { rows } = await t.database.handle.pool.query<{ id: string; vazio: string; fora_vazio: string; event: string }>(
    `SELECT mp.id,
            coalesce(sum(r.import_wh) FILTER (WHERE extract(hour FROM r.interval_start AT TIME ZONE 'Europe/Lisbon') >= 22
                                                 OR extract(hour FROM r.interval_start AT TIME ZONE 'Europe/Lisbon') < 8), 0) AS vazio,
            coalesce(sum(r.import_wh) FILTER (WHERE extract(hour FROM r.interval_start AT TIME ZONE 'Europe/Lisbon') BETWEEN 8 AND 21), 0) AS fora_vazio,
            coalesce(sum(r.import_wh) FILTER (WHERE r.interval_start >= $4 AND r.interval_start < $5), 0) AS event
     FROM metering.metering_points mp JOIN metering.readings r ON r.metering_point_key = mp.key
     WHERE mp.id = ANY($1) AND r.interval_start >= $2 AND r.interval_start < $3
     GROUP BY mp.id`,
    [sample.map((point) => point.id), FROM, TO, eventFrom, eventTo],
  );
  return new Map(rows.map((row) => [row.id, { vazio: BigInt(row.vazio), foraVazio: BigInt(row.fora_vazio), event: BigInt(row.event) }]));
}

/** What the sample paid on its schemes over the week: pico-euros. */
function revenueBefore(sums: Map<string, PointSums>): bigint {
  let total = 0n;
  for (const point of sample) {
    const { energy, power } = PRICES[schemeOf(point)!]!;
    const { vazio, foraVazio } = sums.get(point.id)!;
    total += energy.all !== undefined ? (vazio + foraVazio) * energy.all : vazio * energy.vazio! + foraVazio * energy.fora_vazio!;
    total += centiKva(point.contractedPowerKva) * power * 10n * DAYS;
  }
  return total;
}

const kvaDays = () => sample.reduce((sum, point) => sum + centiKva(point.contractedPowerKva), 0n) * DAYS;
const schemeCount = async () => Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM tariffs.schemes')).rows[0].n);

const twoRate = {
  kind: 'TIME_OF_USE',
  cycle: 'DAILY',
  priceRatios: [
    { period: 'vazio', ratio: 1 },
    { period: 'fora_vazio', ratio: 2 },
  ],
  powerPriceEurPerKvaDay: 0.045,
};

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  dsoKey = await t.createKey('dso', 'dso');
  const start = Date.parse('2026-10-18T00:00:00.000Z');
  await writeHistory(t.database.handle, t.parish, { dayStartsMs: Array.from({ length: 8 }, (_, i) => start + i * DAY_MS) });
  sample = t.parish.meteringPoints.filter((point) => ['TP-SIMPLES', 'TP-BI-DIARIO'].includes(schemeOf(point) ?? '')).slice(0, 200);
}, 60_000);

afterAll(() => t.stop());

describe('calibrateRevenueNeutral', () => {
  it('finds two-rate prices in the given ratio for which the sample pays what it paid, as worked out from the readings', async () => {
    const sums = await sumsByPoint(FROM, FROM);
    const before = revenueBefore(sums);
    const { body } = await calibrate({ ...twoRate, name: 'Bi-horária neutra', sample: { meteringPointIds: sample.map((point) => point.id) } });
    expect(body.errors).toBeUndefined();
    const result = body.data!.calibrateRevenueNeutral;
    expect(result.revenueBeforeEur).toBe(eur(before));
    expect(result).toMatchObject({ sampleSize: sample.length, quarterHours: 676, kvaDays: Number(kvaDays()) / 100, powerAfterEur: eur(kvaDays() * 45_000_000n * 10n) });

    const [vazio, fora] = [priceOf(result, 'vazio'), priceOf(result, 'fora_vazio')];
    expect(fora / vazio).toBeCloseTo(2, 7);
    expect(vazio).toBeCloseTo(result.scaleFactor, 9);
    let after = kvaDays() * 45_000_000n * 10n;
    for (const { vazio: vazioWh, foraVazio } of sums.values()) after += vazioWh * nano(vazio) + foraVazio * nano(fora);
    expect(result.revenueAfterEur).toBe(eur(after));
    const difference = after > before ? after - before : before - after;
    expect(Number(difference) / Number(before)).toBeLessThan(1e-6);
    expect(result.relativeDifference).toBeCloseTo(Number(difference) / Number(before), 12);

    expect(result.scheme).toMatchObject({ version: 1, family: result.scheme.id, name: 'Bi-horária neutra', kind: 'TIME_OF_USE', cycle: 'DAILY', status: 'DRAFT', powerPriceEurPerKvaDay: 0.045, validFrom: '2026-10-26', validTo: null });
    expect(result.scheme.energyPrices).toEqual([
      { period: 'vazio', energyPriceEurPerKwh: vazio },
      { period: 'fora_vazio', energyPriceEurPerKwh: fora },
    ]);
    // A named sample is read point by point: each one is logged.
    const logged = await t.database.handle.pool.query(`SELECT count(DISTINCT metering_point_id) AS n FROM hub.access_log WHERE resource = 'calibrateRevenueNeutral'`);
    expect(Number(logged.rows[0].n)).toBe(sample.length);
  });

  it('prices hypothetical critical-peak hours at their ratio, the base around them, revenue-neutral', async () => {
    // 21 October, 18:00-21:00 local (summer: 17:00-20:00 UTC), all fora_vazio.
    const sums = await sumsByPoint('2026-10-21T17:00:00.000Z', '2026-10-21T20:00:00.000Z');
    const before = revenueBefore(sums);
    const { body } = await calibrate({
      ...twoRate,
      kind: 'CRITICAL_PEAK',
      sample: { meteringPointIds: sample.map((point) => point.id) },
      criticalPeak: { ratio: 6, events: [{ day: '2026-10-21', start: '18:00', end: '21:00' }] },
    });
    expect(body.errors).toBeUndefined();
    const result = body.data!.calibrateRevenueNeutral;
    const [vazio, fora, critical] = [priceOf(result, 'vazio'), priceOf(result, 'fora_vazio'), priceOf(result, 'critical_peak')];
    expect(critical / vazio).toBeCloseTo(6, 7);
    let after = kvaDays() * 45_000_000n * 10n;
    for (const { vazio: vazioWh, foraVazio, event } of sums.values()) after += vazioWh * nano(vazio) + (foraVazio - event) * nano(fora) + event * nano(critical);
    expect(result.revenueBeforeEur).toBe(eur(before));
    expect(result.revenueAfterEur).toBe(eur(after));
    expect(Math.abs(result.revenueAfterEur - result.revenueBeforeEur) / result.revenueBeforeEur).toBeLessThan(1e-6);
    expect(result.scheme).toMatchObject({ kind: 'CRITICAL_PEAK', status: 'DRAFT' });
  });

  it("is revenue-neutral for a secondary substation's customers on every scheme they are on, and the draft is the DSO's only", async () => {
    const substation = t.parish.secondarySubstations.find((candidate) => t.parish.feeders.some((feeder) => feeder.secondarySubstationId === candidate.id))!;
    const before = await schemeCount();
    const { body } = await calibrate({
      kind: 'TIME_OF_USE',
      cycle: 'WEEKLY',
      priceRatios: [
        { period: 'ponta', ratio: 2.5 },
        { period: 'cheias', ratio: 1.6 },
        { period: 'vazio', ratio: 1 },
      ],
      powerPriceEurPerKvaDay: 0.05,
      sample: { secondarySubstationId: substation.id },
    });
    expect(body.errors).toBeUndefined();
    const result = body.data!.calibrateRevenueNeutral;
    const feeders = new Set(t.parish.feeders.filter((feeder) => feeder.secondarySubstationId === substation.id).map((feeder) => feeder.id));
    expect(result.sampleSize).toBe(t.parish.connections.filter((connection) => feeders.has(connection.feederId)).length);
    expect(result.relativeDifference).toBeLessThan(1e-6);
    expect(Math.abs(result.revenueAfterEur - result.revenueBeforeEur) / result.revenueBeforeEur).toBeLessThan(1e-6);
    // The lines add up to the energy after; energy and power to the revenues.
    expect(result.lines.reduce((sum, line) => sum + line.costEur, 0)).toBeCloseTo(result.energyAfterEur, 6);
    expect(result.energyAfterEur + result.powerAfterEur).toBeCloseTo(result.revenueAfterEur, 6);
    expect(result.energyBeforeEur + result.powerBeforeEur).toBeCloseTo(result.revenueBeforeEur, 6);
    expect(await schemeCount()).toBe(before + 1);

    const read = `query($id: ID!) { tariffScheme(id: $id) { id status } }`;
    const retailerKey = await t.createKey('retailer', t.parish.meteringPoints[0]!.retailerId);
    expect((await t.graphql(read, { key: retailerKey, variables: { id: result.scheme.id } })).body.data).toEqual({ tariffScheme: null });
    expect((await t.graphql(read, { key: dsoKey, variables: { id: result.scheme.id } })).body.data).toEqual({ tariffScheme: { id: result.scheme.id, status: 'DRAFT' } });
  });

  it('refuses ratios, prices, windows, samples and events that do not fit with BAD_USER_INPUT saying what is wrong, and writes nothing', async () => {
    const points = { meteringPointIds: sample.slice(0, 10).map((point) => point.id) };
    const before = await schemeCount();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...twoRate, sample: points, priceRatios: [{ period: 'all', ratio: 1 }] }, /not all/],
      [{ ...twoRate, sample: points, priceRatios: [{ period: 'vazio', ratio: 1 }, { period: 'ponta', ratio: 3 }] }, /no price for cheias/],
      [{ ...twoRate, sample: points, priceRatios: [...twoRate.priceRatios, { period: 'super_vazio', ratio: 1 }] }, /super_vazio priced twice/],
      [{ ...twoRate, sample: points, kind: 'FLAT' }, /a FLAT scheme has no cycle/],
      [{ ...twoRate, sample: points, cycle: null }, /needs a cycle/],
      [{ ...twoRate, sample: points, kind: 'CRITICAL_PEAK' }, /needs criticalPeak/],
      [{ ...twoRate, sample: points, priceRatios: [{ period: 'vazio', ratio: 0 }, { period: 'fora_vazio', ratio: 2 }] }, /priceRatios\[0\]\.ratio must be above 0/],
      [{ ...twoRate, sample: points, powerPriceEurPerKvaDay: -0.01 }, /powerPriceEurPerKvaDay must be a price of 0 EUR or more/],
      [{ ...twoRate, sample: points, powerPriceEurPerKvaDay: 50 }, /contracted power alone would bring .* lower powerPriceEurPerKvaDay/],
      [{ ...twoRate, sample: points, from: '2026-10-19T00:00:00.000Z' }, /from must be a local midnight/],
      [{ ...twoRate, sample: points, from: '2025-09-19T23:00:00.000Z' }, /the window holds 401 local days: at most 400/],
      // 1 December 2025 to 26 October 2026: 329 local days.
      [{ ...twoRate, sample: { meteringPointIds: sample.map((point) => point.id) }, from: '2025-12-01T00:00:00.000Z' }, /^200 metering points over 329 local days are 65,800 point-days, at most 60,000/],
      [{ ...twoRate, sample: { ...points, secondarySubstationId: 'SS-1' } }, /exactly one of meteringPointIds, secondarySubstationId/],
      [{ ...twoRate, sample: { meteringPointIds: ['PT0002000000000000XX'] } }, /unknown metering points: PT0002000000000000XX/],
      [{ ...twoRate, sample: { secondarySubstationId: 'SS-NONE' } }, /there is no such secondary substation/],
      [{ ...twoRate, sample: points, kind: 'CRITICAL_PEAK', criticalPeak: { ratio: 5, events: [{ day: '2026-11-02', start: '18:00', end: '20:00' }] } }, /outside the calibration window/],
      [{ ...twoRate, sample: points, kind: 'CRITICAL_PEAK', criticalPeak: { ratio: 5, events: [{ day: '2026-10-21', start: '18:10', end: '20:00' }] } }, /not on the quarter-hour/],
      [{ ...twoRate, sample: points, validTo: '2026-01-01' }, /validTo 2026-01-01 must be after validFrom 2026-10-26/],
      // A window in which the sample has no readings.
      [{ ...twoRate, sample: points, from: '2026-09-30T23:00:00.000Z', to: '2026-10-08T23:00:00.000Z' }, /no metering point of the sample has readings/],
    ];
    for (const [input, message] of cases) {
      const { body } = await calibrate(input);
      expect([body.errors?.[0]?.extensions?.code, body.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(message)]);
    }
    expect(await schemeCount()).toBe(before);
  });

  it('is for the DSO only', async () => {
    const key = await t.createKey('retailer', t.parish.meteringPoints[0]!.retailerId);
    const { body } = await calibrate({ ...twoRate, sample: { meteringPointIds: [sample[0]!.id] } }, key);
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

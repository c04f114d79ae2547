import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';

let t: TestHub;
let dsoKey: string;
let retailerKey: string;

const SCHEME_FIELDS = 'id family version name kind cycle status energyPrices { period energyPriceEurPerKwh } powerPriceEurPerKvaDay validFrom validTo publishedAt';
const CREATE = `mutation($input: CreateTariffSchemeInput!) { createTariffScheme(input: $input) { ${SCHEME_FIELDS} } }`;
const PUBLISH = `mutation($id: ID!) { publishTariffScheme(id: $id) { ${SCHEME_FIELDS} } }`;
const READ = `query($id: ID!) { tariffScheme(id: $id) { id status } tariffSchemes { id } }`;

interface Scheme {
  id: string;
  family: string;
  version: number;
  name: string;
  kind: string;
  cycle: string | null;
  status: string;
  energyPrices: { period: string; energyPriceEurPerKwh: number }[];
  powerPriceEurPerKvaDay: number;
  validFrom: string;
  validTo: string | null;
  publishedAt: string | null;
}

const triRate = {
  name: 'Tri-horária semanal 2027',
  kind: 'TIME_OF_USE',
  cycle: 'WEEKLY',
  energyPrices: [
    { period: 'ponta', energyPriceEurPerKwh: 0.2712 },
    { period: 'cheias', energyPriceEurPerKwh: 0.1701 },
    { period: 'vazio', energyPriceEurPerKwh: 0.102345678 },
  ],
  powerPriceEurPerKvaDay: 0.0561,
  validFrom: '2027-01-01',
};

const create = (input: Record<string, unknown>, key = dsoKey) => t.graphql<{ createTariffScheme: Scheme }>(CREATE, { key, variables: { input } });
const count = async (table: string) => Number((await t.database.handle.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
const counts = async () => ({ schemes: await count('tariffs.schemes'), prices: await count('tariffs.scheme_prices'), audit: await count('hub.audit_log') });

beforeAll(async () => {
  t = await startTestHub({ customers: 20 });
  dsoKey = await t.createKey('dso', 'dso');
  retailerKey = await t.createKey('retailer', t.parish.meteringPoints[0]!.retailerId);
});

afterAll(() => t.stop());

describe('createTariffScheme and publishTariffScheme', () => {
  it('writes a draft, version 1 of a new family, that only the DSO sees until it is published', async () => {
    const { body } = await create(triRate);
    expect(body.errors).toBeUndefined();
    const draft = body.data!.createTariffScheme;
    expect(draft).toEqual({
      id: expect.stringMatching(/^ts-/),
      family: draft.id,
      version: 1,
      name: 'Tri-horária semanal 2027',
      kind: 'TIME_OF_USE',
      cycle: 'WEEKLY',
      status: 'DRAFT',
      energyPrices: [
        { period: 'vazio', energyPriceEurPerKwh: 0.102345678 },
        { period: 'ponta', energyPriceEurPerKwh: 0.2712 },
        { period: 'cheias', energyPriceEurPerKwh: 0.1701 },
      ],
      powerPriceEurPerKvaDay: 0.0561,
      validFrom: '2027-01-01',
      validTo: null,
      publishedAt: null,
    });
    const { rows } = await t.database.handle.pool.query(`SELECT period, energy_price_nano_eur_per_kwh AS nano FROM tariffs.scheme_prices WHERE scheme_id = $1 ORDER BY period`, [draft.id]);
    expect(rows.map((row) => [row.period, Number(row.nano)])).toEqual([
      ['vazio', 102_345_678],
      ['ponta', 271_200_000],
      ['cheias', 170_100_000],
    ]);

    const asRetailer = await t.graphql<{ tariffScheme: unknown; tariffSchemes: { id: string }[] }>(READ, { key: retailerKey, variables: { id: draft.id } });
    expect(asRetailer.body.data?.tariffScheme).toBeNull();
    expect(asRetailer.body.data?.tariffSchemes.map((scheme) => scheme.id)).not.toContain(draft.id);
    const asDso = await t.graphql<{ tariffScheme: { status: string } }>(READ, { key: dsoKey, variables: { id: draft.id } });
    expect(asDso.body.data?.tariffScheme).toEqual({ id: draft.id, status: 'DRAFT' });

    const published = await t.graphql<{ publishTariffScheme: Scheme }>(PUBLISH, { key: dsoKey, variables: { id: draft.id } });
    expect(published.body.errors).toBeUndefined();
    expect(published.body.data!.publishTariffScheme).toMatchObject({ id: draft.id, status: 'PUBLISHED', publishedAt: expect.any(String) });
    const seen = await t.graphql<{ tariffScheme: { status: string } }>(READ, { key: retailerKey, variables: { id: draft.id } });
    expect(seen.body.data?.tariffScheme).toEqual({ id: draft.id, status: 'PUBLISHED' });

    // Publishing again changes nothing; the audit has one line for each change.
    const again = await t.graphql<{ publishTariffScheme: Scheme }>(PUBLISH, { key: dsoKey, variables: { id: draft.id } });
    expect(again.body.data!.publishTariffScheme.publishedAt).toBe(published.body.data!.publishTariffScheme.publishedAt);
    const audit = await t.database.handle.pool.query(`SELECT operation FROM hub.audit_log WHERE target = $1 ORDER BY at`, [draft.id]);
    expect(audit.rows.map((row) => row.operation)).toEqual(['createTariffScheme', 'publishTariffScheme']);
  });

  it('makes a change to a published scheme its next version, leaving the published one as it was', async () => {
    const { body } = await create({ ...triRate, name: 'Tri-horária, ciclo semanal', family: 'TP-TRI-SEMANAL', publish: true });
    expect(body.errors).toBeUndefined();
    expect(body.data!.createTariffScheme).toMatchObject({ family: 'TP-TRI-SEMANAL', version: 2, status: 'PUBLISHED', publishedAt: expect.any(String) });
    const third = await create({ ...triRate, family: 'TP-TRI-SEMANAL' });
    expect(third.body.data!.createTariffScheme).toMatchObject({ family: 'TP-TRI-SEMANAL', version: 3, status: 'DRAFT' });
    const { rows } = await t.database.handle.pool.query(`SELECT period, energy_price_nano_eur_per_kwh AS nano FROM tariffs.scheme_prices WHERE scheme_id = 'TP-TRI-SEMANAL' ORDER BY period`);
    expect(rows.map((row) => [row.period, Number(row.nano)])).toEqual([
      ['ponta', 260_900_000],
      ['cheias', 162_600_000],
      ['vazio_normal', 104_300_000],
      ['super_vazio', 98_700_000],
    ]);
    await expect(t.database.handle.pool.query(`UPDATE tariffs.scheme_prices SET energy_price_nano_eur_per_kwh = 1 WHERE scheme_id = 'TP-TRI-SEMANAL'`)).rejects.toThrow(/published/);
  });

  it('writes flat and critical-peak schemes', async () => {
    const flat = await create({ name: 'Simples 2027', kind: 'FLAT', energyPrices: [{ period: 'all', energyPriceEurPerKwh: 0.17 }], powerPriceEurPerKvaDay: 0.05, validFrom: '2027-01-01', validTo: '2028-01-01' });
    expect(flat.body.data?.createTariffScheme).toMatchObject({ kind: 'FLAT', cycle: null, validTo: '2028-01-01' });
    const cpp = await create({
      ...triRate,
      name: 'Ponta crítica',
      kind: 'CRITICAL_PEAK',
      cycle: 'DAILY',
      energyPrices: [...triRate.energyPrices, { period: 'critical_peak', energyPriceEurPerKwh: 0.9 }],
    });
    expect(cpp.body.data?.createTariffScheme.energyPrices.map((price) => price.period)).toEqual(['vazio', 'ponta', 'cheias', 'critical_peak']);
  });

  it('refuses a malformed scheme with BAD_USER_INPUT saying what is wrong, and writes nothing', async () => {
    const before = await counts();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...triRate, energyPrices: [...triRate.energyPrices, { period: 'super_vazio', energyPriceEurPerKwh: 0.09 }] }, /super_vazio priced twice/],
      [{ ...triRate, energyPrices: triRate.energyPrices.slice(0, 2) }, /no price for vazio_normal, super_vazio/],
      [{ ...triRate, energyPrices: [...triRate.energyPrices, { period: 'vazio', energyPriceEurPerKwh: 0.1 }] }, /a period is priced twice/],
      [{ ...triRate, energyPrices: [{ period: 'pico', energyPriceEurPerKwh: 0.1 }] }, /unknown period 'pico'/],
      [{ ...triRate, kind: 'FLAT' }, /a FLAT scheme has no cycle/],
      [{ ...triRate, cycle: null }, /needs a cycle/],
      [{ ...triRate, energyPrices: [...triRate.energyPrices, { period: 'critical_peak', energyPriceEurPerKwh: 0.9 }] }, /no critical_peak price/],
      [{ ...triRate, kind: 'CRITICAL_PEAK' }, /must price critical_peak/],
      [{ ...triRate, energyPrices: [{ period: 'ponta', energyPriceEurPerKwh: -0.2 }, ...triRate.energyPrices.slice(1)] }, /must be a price of 0 EUR or more/],
      [{ ...triRate, powerPriceEurPerKvaDay: 0.0561234567891 }, /finer than a nano-euro/],
      [{ ...triRate, validFrom: '2027-13-01' }, /validFrom 2027-13-01 is not a calendar date/],
      [{ ...triRate, validTo: '2026-06-01' }, /validTo 2026-06-01 must be after validFrom 2027-01-01/],
      [{ ...triRate, name: '   ' }, /name must hold 1 to 200 characters/],
      [{ ...triRate, family: 'TP-NO-SUCH-FAMILY' }, /there is no scheme family TP-NO-SUCH-FAMILY/],
    ];
    for (const [input, message] of cases) {
      const { body } = await create(input);
      expect([body.errors?.[0]?.extensions?.code, body.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(message)]);
    }
    expect(await counts()).toEqual(before);
  });

  it('is for the DSO only, and publishing an unknown scheme is NOT_FOUND', async () => {
    const before = await counts();
    const { body } = await create(triRate, retailerKey);
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);
    const missing = await t.graphql(PUBLISH, { key: dsoKey, variables: { id: 'ts-missing' } });
    expect(missing.body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['NOT_FOUND', 'Tariff scheme not found']]);
  });
});

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readIeeeFeeder } from '../../subgraphs/grid/ieee-feeder.csv';
import { loadLvNetworks } from '../../subgraphs/grid/network-model.repo';
import { networkDifferences } from '../grid-import/feeder-import';
import { PROJECT_ROOT, runNpm } from '../testing/run-command';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';

const FIXTURE = path.join(PROJECT_ROOT, 'tools/testing/fixtures/tiny-feeder');

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  env = { ...process.env, DATABASE_URL: db.url };
  dir = await mkdtemp(path.join(tmpdir(), 'grid-import-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

const gridImport = (...args: string[]) => runNpm(['run', '--silent', 'grid:import', '--', ...args], env);

/** Every table an import writes, row counts: what "nothing was written" is checked against. */
async function counts(): Promise<Record<string, number>> {
  const { rows } = await db.handle.pool.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM grid.primary_substations)::int AS primaries, (SELECT count(*) FROM grid.secondary_substations)::int AS secondaries,
       (SELECT count(*) FROM grid.feeders)::int AS feeders, (SELECT count(*) FROM grid.line_codes)::int AS line_codes,
       (SELECT count(*) FROM grid.buses)::int AS buses, (SELECT count(*) FROM grid.line_segments)::int AS segments,
       (SELECT count(*) FROM metering.metering_points)::int AS points, (SELECT count(*) FROM metering.supply_contracts)::int AS contracts,
       (SELECT count(*) FROM grid.connections)::int AS connections`,
  );
  return rows[0]!;
}

/** A copy of the fixture with one file's line replaced. */
async function fixtureWith(name: string, file: string, line: number, text: string): Promise<string> {
  const folder = path.join(dir, name);
  await cp(FIXTURE, folder, { recursive: true });
  const lines = (await readFile(path.join(folder, file), 'utf8')).split('\n');
  lines[line - 1] = text;
  await writeFile(path.join(folder, file), lines.join('\n'));
  return folder;
}

describe('npm run grid:import', () => {
  it('imports a feeder as one secondary substation with its buses, segments, line codes and one connected metering point per load', async () => {
    const { code, stdout, stderr } = await gridImport(FIXTURE, '--secondary-substation-id', 'TINY', '--primary-substation-id', 'SE-TINY', '--retailer-id', 'ret-edpc');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('Imported secondary substation TINY with feeder TINY-F1: 5 buses, 4 line segments, 2 line codes (2 new), 3 metering points\n');

    const substation = await db.handle.pool.query('SELECT * FROM grid.secondary_substations WHERE id = $1', ['TINY']);
    expect(substation.rows[0]).toMatchObject({
      primary_substation_id: 'SE-TINY',
      rated_power_kva: 250,
      transformer_primary_kv: 10,
      transformer_secondary_kv: 0.4,
      transformer_connection: 'Dyn',
      transformer_resistance_percent: 1.3,
      transformer_reactance_percent: 3.78,
      source_voltage_kv: 10,
      source_voltage_pu: 1.02,
      source_isc3_a: 8000,
      source_isc1_a: 1000,
      // OpenDSS's defaults, which the files leave to the reader.
      source_x1_r1: 4,
      source_x0_r0: 3,
      lv_bus_id: 'TINY-1',
    });
    const segments = await db.handle.pool.query('SELECT id, feeder_id, from_bus_id, to_bus_id, length_m, line_code FROM grid.line_segments ORDER BY id');
    expect(segments.rows).toEqual([
      { id: 'TINY-L1', feeder_id: 'TINY-F1', from_bus_id: 'TINY-1', to_bus_id: 'TINY-2', length_m: 30, line_code: '4c_95' },
      { id: 'TINY-L2', feeder_id: 'TINY-F1', from_bus_id: 'TINY-2', to_bus_id: 'TINY-3', length_m: 25.5, line_code: '4c_95' },
      { id: 'TINY-L3', feeder_id: 'TINY-F1', from_bus_id: 'TINY-3', to_bus_id: 'TINY-4', length_m: 20, line_code: '2c_16' },
      { id: 'TINY-L4', feeder_id: 'TINY-F1', from_bus_id: 'TINY-2', to_bus_id: 'TINY-5', length_m: 15, line_code: '2c_16' },
    ]);
    // Aluminium 95 mm² (0.32 × 95 = 30 Ω·mm²/km) and copper 16 mm², PVC, buried.
    const codes = await db.handle.pool.query('SELECT name, ampacity_a FROM grid.line_codes ORDER BY name');
    expect(codes.rows).toEqual([
      { name: '2c_16', ampacity_a: 110 },
      { name: '4c_95', ampacity_a: 235 },
    ]);
    const points = await db.handle.pool.query(
      `SELECT mp.id, mp.customer_class, mp.contracted_power_kva, mp.annual_consumption_kwh, mp.retailer_id, c.feeder_id, c.bus_id, c.phase, sc.retailer_id AS supplier, sc.valid_to
       FROM metering.metering_points mp JOIN grid.connections c ON c.metering_point_id = mp.id JOIN metering.supply_contracts sc ON sc.metering_point_id = mp.id ORDER BY mp.id`,
    );
    // Shape_1: 13 kWh a day, 4,745 a year, a 2 kW peak (2.1 kVA at PF 0.95: 3.45 kVA); Shape_2:
    // 21 kWh a day, 7,665 a year (above 7,140: BTN B), a 4 kW peak (4.2 kVA: 4.6 kVA).
    const common = { retailer_id: 'ret-edpc', feeder_id: 'TINY-F1', supplier: 'ret-edpc', valid_to: null };
    expect(points.rows).toEqual([
      { id: 'TINY-LOAD1', customer_class: 'BTN_C', contracted_power_kva: 3.45, annual_consumption_kwh: 4745, bus_id: 'TINY-4', phase: 'A', ...common },
      { id: 'TINY-LOAD2', customer_class: 'BTN_B', contracted_power_kva: 4.6, annual_consumption_kwh: 7665, bus_id: 'TINY-5', phase: 'B', ...common },
      { id: 'TINY-LOAD3', customer_class: 'BTN_C', contracted_power_kva: 3.45, annual_consumption_kwh: 4745, bus_id: 'TINY-3', phase: 'C', ...common },
    ]);

    const network = (await loadLvNetworks(db.handle.db, ['TINY'])).get('TINY');
    expect(network && networkDifferences(network, readIeeeFeeder(FIXTURE), 'TINY')).toEqual([]);
  });

  it('refuses to import a secondary substation id again, and writes nothing', async () => {
    const before = await counts();
    const { code, stderr } = await gridImport(FIXTURE, '--secondary-substation-id', 'TINY');
    expect(code).toBe(1);
    expect(stderr).toBe('grid:import: secondary substation TINY exists already: re-importing is refused; import under another --secondary-substation-id; nothing was written\n');
    expect(await counts()).toEqual(before);
  });

  it('shares a line code the catalogue holds with the same impedances', async () => {
    const { code, stdout } = await gridImport(FIXTURE, '--secondary-substation-id', 'TINY-2', '--primary-substation-id', 'SE-TINY');
    expect(code).toBe(0);
    expect(stdout).toContain('2 line codes (0 new)');
  });

  it('names the file, line and field of a bad number, and writes nothing', async () => {
    const before = await counts();
    const folder = await fixtureWith('bad-length', 'Lines.csv', 5, 'L3,3,4,ABC,2O,m,2c_16');
    const { code, stderr } = await gridImport(folder, '--secondary-substation-id', 'BAD');
    expect(code).toBe(1);
    expect(stderr).toBe('grid:import: Lines.csv, line 5, field Length: expected a positive number, got "2O"; nothing was written\n');
    expect(await counts()).toEqual(before);
  });

  it('refuses a line code the catalogue holds with other impedances, and writes nothing', async () => {
    const before = await counts();
    const folder = await fixtureWith('other-code', 'LineCodes.csv', 3, '4c_95,3,0.31,0.073,1.28,0.084,0,0,km');
    const { code, stderr } = await gridImport(folder, '--secondary-substation-id', 'OTHER', '--primary-substation-id', 'SE-OTHER');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^grid:import: line code 4c_95 exists with other impedances \(IEEE PES European LV Test Feeder.*\); nothing was written\n$/);
    expect(await counts()).toEqual(before);
  });

  it('rolls everything back when the database refuses a row late in the import', async () => {
    // The supply contracts are written after the substation, buses, segments and points.
    await db.handle.pool.query(`ALTER TABLE metering.supply_contracts ADD CONSTRAINT test_refused CHECK (retailer_id <> 'ret-refused')`);
    try {
      const before = await counts();
      const { code, stderr } = await gridImport(FIXTURE, '--secondary-substation-id', 'LATE', '--primary-substation-id', 'SE-LATE', '--retailer-id', 'ret-refused');
      expect(code).toBe(1);
      expect(stderr).toMatch(/test_refused.*; nothing was written\n$/);
      expect(await counts()).toEqual(before);
    } finally {
      await db.handle.pool.query('ALTER TABLE metering.supply_contracts DROP CONSTRAINT test_refused');
    }
  });
});

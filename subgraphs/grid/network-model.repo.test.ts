import type { LineCode, LvNetwork } from './lv-network';
import { loadLvNetworks } from './network-model.repo';
import { assembleLvNetwork, NetworkModelError } from './network-model.rules';
import { generateParish, type Parish } from '../../tools/seed/parish';
import { writeParish } from '../../tools/seed/write';
import { createTestDatabase, type TestDatabase } from '../../tools/testing/test-database';

const DEMO_CUSTOMERS = 14_000;

let db: TestDatabase;
let parish: Parish;
const statements: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ onQuery: (query) => statements.push(query) });
  parish = generateParish({ customers: DEMO_CUSTOMERS });
  await writeParish(db.handle, parish);
}, 60_000);

afterAll(() => db.drop());

/** Order-free form: the tables give rows by id, the generator in the order it made them. */
function canonical(network: LvNetwork) {
  const sorted = <T>(items: readonly T[]) => items.map((item) => JSON.stringify(item)).sort();
  return { ...network, buses: sorted(network.buses), lines: sorted(network.lines), loads: sorted(network.loads), lineCodes: sorted(network.lineCodes), shapes: [...network.shapes.keys()] };
}

describe('loadLvNetworks', () => {
  it('reads back the whole demo parish as the seed made it, in five statements and well under a second', async () => {
    const ids = parish.secondarySubstations.map((s) => s.id);
    await loadLvNetworks(db.handle.db, ids.slice(0, 1));
    statements.length = 0;
    const started = performance.now();
    const networks = await loadLvNetworks(db.handle.db, ids);
    const elapsedMs = performance.now() - started;
    expect(statements).toHaveLength(5);
    expect(elapsedMs).toBeLessThan(1_000);
    expect([...networks.keys()].sort()).toEqual([...ids].sort());

    const codes = new Map<string, LineCode>(parish.lineCodes.map((code) => [code.name, code]));
    const substationOfFeeder = new Map(parish.feeders.map((f) => [f.id, f.secondarySubstationId]));
    for (const substation of parish.secondarySubstations) {
      const expected = assembleLvNetwork({
        substation,
        buses: parish.buses.filter((bus) => bus.secondarySubstationId === substation.id),
        segments: parish.lineSegments.filter((segment) => segment.secondarySubstationId === substation.id),
        lineCodes: codes,
        connections: parish.connections.filter((c) => substationOfFeeder.get(c.feederId) === substation.id),
      });
      expect(canonical(networks.get(substation.id)!)).toEqual(canonical(expected));
    }
  });

  it('leaves out unknown ids and substations without a network model', async () => {
    const [primary] = parish.primarySubstations;
    await db.handle.pool.query(`INSERT INTO grid.secondary_substations (id, name, primary_substation_id, rated_power_kva, latitude, longitude) VALUES ('PT-UNSURVEYED', 'x', $1, 250, 38.75, -9.14)`, [primary!.id]);
    const networks = await loadLvNetworks(db.handle.db, ['PT-UNSURVEYED', 'PT-NONE', parish.secondarySubstations[0]!.id]);
    expect([...networks.keys()]).toEqual([parish.secondarySubstations[0]!.id]);
  });

  it('refuses a modelled substation with a connected point that has no bus', async () => {
    const connection = parish.connections[0]!;
    const substationId = parish.feeders.find((f) => f.id === connection.feederId)!.secondarySubstationId;
    await db.handle.pool.query('UPDATE grid.connections SET bus_id = NULL WHERE metering_point_id = $1', [connection.meteringPointId]);
    try {
      await expect(loadLvNetworks(db.handle.db, [substationId])).rejects.toThrow(NetworkModelError);
    } finally {
      await db.handle.pool.query('UPDATE grid.connections SET bus_id = $2 WHERE metering_point_id = $1', [connection.meteringPointId, connection.busId]);
    }
  });
});

describe('the network model tables', () => {
  it("refuse a substation whose LV bus is not one of its own buses, at commit", async () => {
    const [a, b] = parish.secondarySubstations;
    const client = await db.handle.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('UPDATE grid.secondary_substations SET lv_bus_id = $2 WHERE id = $1', [a!.id, b!.lvBusId]);
      await expect(client.query('COMMIT')).rejects.toThrow(/secondary_substations_lv_bus_fk/);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  it('refuse a second segment into a bus, a segment across substations or of no length, and a half-given transformer', async () => {
    const [first] = parish.lineSegments;
    const other = parish.buses.find((bus) => bus.secondarySubstationId !== first!.secondarySubstationId)!;
    const insert = (values: unknown[]) =>
      db.handle.pool.query('INSERT INTO grid.line_segments (id, secondary_substation_id, feeder_id, name, from_bus_id, to_bus_id, length_m, line_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', values);
    const segment = (toBusId: string, lengthM = 10) => ['X', first!.secondarySubstationId, first!.feederId, 'X', first!.fromBusId, toBusId, lengthM, first!.lineCode];
    await expect(insert(segment(first!.toBusId))).rejects.toThrow(/line_segments_to_bus_key/);
    await expect(insert(segment(other.id))).rejects.toThrow(/line_segments_to_bus_fk/);
    await expect(insert(segment(first!.fromBusId))).rejects.toThrow(/line_segments_distinct_buses/);
    const unfed = parish.buses.find((bus) => bus.id === parish.secondarySubstations[0]!.lvBusId)!;
    await expect(insert(['X', unfed.secondarySubstationId, first!.feederId, 'X', first!.fromBusId, unfed.id, 0, first!.lineCode])).rejects.toThrow(/line_segments/);
    await expect(db.handle.pool.query('UPDATE grid.secondary_substations SET transformer_reactance_percent = NULL WHERE id = $1', [first!.secondarySubstationId])).rejects.toThrow(
      /secondary_substations_model_complete/,
    );
  });
});

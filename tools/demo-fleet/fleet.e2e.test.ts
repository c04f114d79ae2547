import { parseSubgraphSettings } from '../../subgraphs/kit/config';
import { createLogger } from '../../subgraphs/kit/logger';
import { generateParish } from '../seed/parish';
import { writeParish } from '../seed/write';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { DEMO_FLEET_KEY_ID, demoFleetJob } from './fleet';

const parish = generateParish({ customers: 300 });
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await writeParish(db.handle, parish);
});

afterAll(() => db.drop());

const run = () => demoFleetJob(parish).run(db.handle, parseSubgraphSettings({}), createLogger('test', 'silent'));

interface Presence {
  id: string;
  online: boolean;
  last_seen_at: Date | null;
  last_report_key_id: string | null;
}

const presence = async () => (await db.handle.pool.query<Presence>('SELECT id, online, last_seen_at, last_report_key_id FROM hems.systems ORDER BY id')).rows;

it("reports every HEMS shared with its retailer, through that retailer, and leaves a HEMS someone else has reported for to them", async () => {
  await run();
  const shared = new Set(parish.hemsSharing.map((consent) => consent.meteringPointId));
  const expectedOnline = parish.hemsSystems.filter((system) => shared.has(system.meteringPointId)).map((system) => system.id).sort();
  const first = await presence();
  expect(first.filter((row) => row.online).map((row) => row.id)).toEqual(expectedOnline);
  expect(first.filter((row) => row.online).every((row) => row.last_report_key_id === DEMO_FLEET_KEY_ID)).toBe(true);
  // Every device of the shared HEMS has a present state, within its rating.
  const { rows: devices } = await db.handle.pool.query<{ state: string | null; power_kw: number | null; rated_power_kw: number }>(
    'SELECT d.state, d.power_kw, d.rated_power_kw FROM hems.devices d WHERE d.hems_id = ANY($1)',
    [expectedOnline],
  );
  expect(devices.every((device) => device.state !== null && device.power_kw! >= 0 && device.power_kw! <= device.rated_power_kw)).toBe(true);

  // Someone else's report takes a HEMS over: the fleet no longer speaks for it.
  const taken = expectedOnline[0]!;
  await db.handle.pool.query(`UPDATE hems.systems SET last_report_key_id = 'key_someone', last_seen_at = now() - interval '1 hour' WHERE id = $1`, [taken]);
  await run();
  const second = new Map((await presence()).map((row) => [row.id, row]));
  expect(second.get(taken)!.last_report_key_id).toBe('key_someone');
  expect(second.get(taken)!.last_seen_at!.getTime()).toBeLessThan(Date.now() - 3_000_000);
  expect(second.get(expectedOnline[1]!)!.last_seen_at!.getTime()).toBeGreaterThan(first.find((row) => row.id === expectedOnline[1])!.last_seen_at!.getTime() - 1);
});

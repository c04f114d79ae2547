import { DemandScopeKind } from '../../subgraphs/metering/demand.rules';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { writeHistory } from './history';
import { generateParish, type Parish } from './parish';
import { writeParish } from './write';

let db: TestDatabase;
let parish: Parish;
/** A winter Wednesday: Lisbon is on UTC. */
const DAY_MS = Date.UTC(2026, 0, 14);
const QUARTER_MS = 900_000;

beforeAll(async () => {
  db = await createTestDatabase();
  parish = generateParish({ customers: 300 });
  await writeParish(db.handle, parish);
  await writeHistory(db.handle, parish, { dayStartsMs: [DAY_MS] });
});

afterAll(() => db.drop());

/** The congested feeder's demand rollup, kW, of the quarter-hour at `hour`:`minute` Lisbon. */
async function feederKw(hour: number, minute: number): Promise<number> {
  const { rows } = await db.handle.pool.query<{ import_wh: string }>('SELECT import_wh FROM metering.demand_rollups WHERE scope_kind = $1 AND scope_id = $2 AND interval_start = $3', [
    DemandScopeKind.Feeder,
    parish.congestion!.feederId,
    new Date(DAY_MS + (hour * 4 + minute / 15) * QUARTER_MS),
  ]);
  return (Number(rows[0]!.import_wh) * 4) / 1000;
}

describe('writeHistory', () => {
  it("writes the congested feeder's home charging into its readings: twelve 7.4 kW cars from 19:45 to 22:30, none in the afternoon", async () => {
    // 12 × 7.4 kW = 88.8 kW of charging on top of the houses.
    for (const [hour, minute] of [
      [20, 0],
      [21, 0],
      [22, 15],
    ] as const) {
      expect(await feederKw(hour, minute)).toBeGreaterThan(88.8);
      expect(await feederKw(hour, minute)).toBeLessThan(120);
    }
    expect(await feederKw(15, 0)).toBeLessThan(20);
  });
});

import { openBenchDatabase } from './tools/bench/bench-database';
import { generateParish } from './tools/seed/parish';
import { writeParish } from './tools/seed/write';
import { lastMidnightMs, writeHistory } from './tools/seed/history';
import { pointsSuppliedNowBy } from './tools/testing/hub-fixture';
async function main() {
  const bench = await openBenchDatabase();
  const parish = generateParish({ customers: 14_000 });
  await writeParish(bench.handle, parish);
  const end = lastMidnightMs();
  await writeHistory(bench.handle, parish, { dayStartsMs: Array.from({ length: 7 }, (_, i) => end - (i + 1) * 86_400_000) });
  await bench.handle.pool.query('ANALYZE');
  const ids = pointsSuppliedNowBy(parish, 'ret-edpc').slice(0, 1000).map((p) => p.id);
  const from = new Date(end - 86_400_000), to = new Date(end);
  const time = async (label: string, q: string, params: unknown[]) => {
    for (let i = 0; i < 3; i++) { const t0 = performance.now(); const r = await bench.handle.pool.query(q, params); console.log(label, Math.round(performance.now() - t0), r.rowCount); }
  };
  await time('join', `SELECT mp.id, r.interval_start, r.import_wh FROM metering.metering_points mp JOIN metering.readings r ON r.metering_point_key = mp.key WHERE mp.id = ANY($1::text[]) AND r.interval_start >= $2 AND r.interval_start < $3`, [ids, from, to]);
  await time('keys-subquery', `SELECT r.metering_point_key, r.interval_start, r.import_wh FROM metering.readings r WHERE r.metering_point_key = ANY(ARRAY(SELECT key FROM metering.metering_points WHERE id = ANY($1::text[]))) AND r.interval_start >= $2 AND r.interval_start < $3`, [ids, from, to]);
  const plan = await bench.handle.pool.query(`EXPLAIN SELECT r.metering_point_key, r.interval_start, r.import_wh FROM metering.readings r WHERE r.metering_point_key = ANY(ARRAY(SELECT key FROM metering.metering_points WHERE id = ANY($1::text[]))) AND r.interval_start >= $2 AND r.interval_start < $3`, [ids, from, to]);
  console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n').slice(0, 1500));
  await bench.close();
}
main();

import { sql } from 'drizzle-orm';
import { openBenchDatabase } from './tools/bench/bench-database';
import { generateParish } from './tools/seed/parish';
import { writeParish } from './tools/seed/write';
import { lastMidnightMs, writeHistory } from './tools/seed/history';
import { ReadingRepo } from './subgraphs/metering/reading.repo';
import { Resolution } from './subgraphs/metering/demand.rules';
import { pointsSuppliedNowBy } from './tools/testing/hub-fixture';
async function main() {
  const bench = await openBenchDatabase();
  const parish = generateParish({ customers: 14_000 });
  await writeParish(bench.handle, parish);
  const end = lastMidnightMs();
  await writeHistory(bench.handle, parish, { dayStartsMs: Array.from({ length: 7 }, (_, i) => end - (i + 1) * 86_400_000) });
  await bench.handle.pool.query('ANALYZE');
  const ids = pointsSuppliedNowBy(parish, 'ret-edpc').slice(0, 1000).map((p) => p.id);
  const window = { fromMs: end - 2 * 86_400_000, toMs: end, resolution: Resolution.PT15M };
  for (const identity of [{ keyId: 'k', organisationId: 'dso', role: 'dso' as const, scopes: [] }, { keyId: 'k', organisationId: 'ret-edpc', role: 'retailer' as const, scopes: [] }]) {
    const repo = new ReadingRepo(bench.handle.db, identity);
    for (let i = 0; i < 3; i++) {
      let t0 = performance.now();
      await repo.loadCurves(ids, window);
      const a = performance.now() - t0;
      t0 = performance.now();
      await repo.loadSeries(ids, window);
      console.log(identity.role, 'objects', Math.round(a), 'series', Math.round(performance.now() - t0));
    }
  }
  await bench.close();
}
main();

import { execFileSync } from 'node:child_process';
import { runNpm, PROJECT_ROOT } from '../testing/run-command';
import { createTestDatabase, TEST_ADMIN_URL_ENV } from '../testing/test-database';

jest.setTimeout(180_000);

/** The README's commands that no other test runs, run the way a user types them. */
describe('the commands of the README', () => {
  it('npm run seed writes a small parish and its history into an empty database, and refuses one that holds a parish', async () => {
    const db = await createTestDatabase();
    try {
      const env = { ...process.env, DATABASE_URL: db.url };
      const seeded = await runNpm(['run', '--silent', 'seed', '--', '--customers', '40', '--days', '1'], env);
      expect(seeded.code).toBe(0);
      expect(seeded.stdout).toMatch(/Seeded 40 metering points, .* and 1 days of 15-minute history \(3840 readings\)/);
      const { rows } = await db.handle.pool.query('SELECT count(*)::int AS n FROM metering.readings');
      expect(rows[0].n).toBe(3_840);
      const again = await runNpm(['run', '--silent', 'seed', '--', '--customers', '40', '--days', '0'], env);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/^seed: /m);
    } finally {
      await db.drop();
    }
  });

  it('npm run compose -- --check finds the checked-in supergraph up to date', async () => {
    const { code, stdout } = await runNpm(['run', '--silent', 'compose', '--', '--check'], process.env);
    expect(code).toBe(0);
    expect(stdout).toContain('schema/supergraph.graphql is up to date.');
  });

  it('npm run db:generate finds the drizzle tables and the migrations in agreement', async () => {
    const { code, stdout } = await runNpm(['run', '--silent', 'db:generate'], process.env);
    expect(code).toBe(0);
    expect(stdout).toContain('No schema changes, nothing to migrate');
    expect(execFileSync('git', ['status', '--porcelain', '--', 'migrations'], { cwd: PROJECT_ROOT, encoding: 'utf8' })).toBe('');
  });

  it('npm run bench runs a scenario on a small parish and prints its metrics as JSON', async () => {
    // On the test run's server (the bench makes and drops a scratch database there), as DATABASE_URL lets it.
    const env = { ...process.env, DATABASE_URL: process.env[TEST_ADMIN_URL_ENV] };
    const { code, stdout, stderr } = await runNpm(['run', '--silent', 'bench', '--', 'access', '--customers', '300', '--json'], env);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const { scenario, metrics } = JSON.parse(stdout) as { scenario: string; metrics: Record<string, number> };
    expect(scenario).toBe('access');
    for (const metric of ['floorMs', 'yearRefusalMs', 'weekSeries1000Ms', 'regulatorDayMs', 'orderDelayBesideHostileMaxMs']) {
      expect(Number.isFinite(metrics[metric])).toBe(true);
    }
  });
});

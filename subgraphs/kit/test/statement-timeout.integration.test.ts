import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { openDatabase } from '../db';

/**
 * The statement timeout, seen by a client: the whole hub (subgraphs and gateway) on a pool with a
 * short STATEMENT_TIMEOUT_MS, as `npm start` opens it, and a request whose statement has to wait
 * past it.
 */

/** Short, so that the test waits little; long enough that no ordinary statement of a tiny parish gets near it. */
const STATEMENT_TIMEOUT_MS = 1_000;
/** Far past the timeout: a request still waiting then was never cancelled. */
const DEADLINE_MS = 10_000;

let t: TestHub;
let dsoKey: string;

beforeAll(async () => {
  t = await startTestHub({ customers: 20, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  dsoKey = await t.createKey('dso', 'dso');
}, 60_000);

afterAll(() => t?.stop());

const POINT = `query($id: ID!) { meteringPoint(id: $id) { id contractedPowerKva } }`;
const ask = (query: string, variables?: Record<string, unknown>) => t.graphql(query, { key: dsoKey, variables });

describe('the statement timeout', () => {
  it("cancels a request's statement that runs past it, and the client is told UNAVAILABLE, not an internal error", async () => {
    const point = t.parish.meteringPoints[0]!;
    // A concurrent transaction holds the table the request reads: its statement waits on the lock.
    const holder = await t.database.handle.pool.connect();
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await holder.query('ROLLBACK');
      holder.release();
    };
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE metering.metering_points IN ACCESS EXCLUSIVE MODE');
      const startedMs = Date.now();
      let deadline: NodeJS.Timeout | undefined;
      const answer = await Promise.race([
        ask(POINT, { id: point.id }),
        new Promise<never>((_, reject) => {
          deadline = setTimeout(() => reject(new Error(`the request was still waiting on the lock after ${DEADLINE_MS} ms: its statement was not cancelled`)), DEADLINE_MS);
        }),
      ]).finally(() => clearTimeout(deadline));
      const tookMs = Date.now() - startedMs;
      expect(answer.body.data).toEqual({ meteringPoint: null });
      expect(answer.body.errors).toEqual([expect.objectContaining({ path: ['meteringPoint'], extensions: { code: 'UNAVAILABLE' } })]);
      expect(answer.body.errors![0]!.message).toMatch(/took too long/);
      // Nothing of the statement, the table or PostgreSQL's message reaches the client.
      expect(JSON.stringify(answer.body)).not.toMatch(/select|metering_points|metering\.|statement timeout|canceling|57014|pg_|stack/i);
      // Cut at the timeout: not before (it was the lock it waited on), not much after.
      expect(tookMs).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
      expect(tookMs).toBeLessThan(DEADLINE_MS);

      // The lock goes: the hub answers the same request, on the same pool, as if nothing happened.
      await release();
      const after = await ask(POINT, { id: point.id });
      expect(after.body).toEqual({ data: { meteringPoint: { id: point.id, contractedPowerKva: point.contractedPowerKva } } });
      expect((await ask('{ me { role } }')).body).toEqual({ data: { me: { role: 'DSO' } } });
    } finally {
      await release();
    }
  });

  it('leaves bulk work without a timeout when none is set', async () => {
    // The same statement, longer than the timeout, on a pool opened with it and on one opened without (migrations, the seed, the history load).
    const limited = openDatabase(t.database.url, { max: 1, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    const unlimited = openDatabase(t.database.url, { max: 1 });
    try {
      expect((await unlimited.pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout).toBe('0');
      const sleep = `SELECT 1 AS slept FROM pg_sleep(${(STATEMENT_TIMEOUT_MS + 200) / 1_000})`;
      await expect(limited.pool.query(sleep)).rejects.toMatchObject({ code: '57014' });
      expect((await unlimited.pool.query<{ slept: number }>(sleep)).rows).toEqual([{ slept: 1 }]);
    } finally {
      await Promise.all([limited.close(), unlimited.close()]);
    }
  });
});

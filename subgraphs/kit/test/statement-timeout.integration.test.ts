import { createLogger } from '../logger';
import { openDatabase } from '../db';
import { createErrorMasker } from '../mask-errors';
import { createTestDatabase, type TestDatabase } from '../../../tools/testing/test-database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(() => db.drop());

describe('the statement timeout', () => {
  it("cancels a request's statement that runs past it, and the client is told UNAVAILABLE, not an internal error", async () => {
    const limited = openDatabase(db.url, { max: 1, statementTimeoutMs: 100 });
    try {
      const error = await limited.pool.query('SELECT pg_sleep(2)').then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toMatchObject({ code: '57014' });
      const masked = createErrorMasker(createLogger('test', 'silent'))({ message: 'canceling statement due to statement timeout', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error);
      expect(masked.extensions).toEqual({ code: 'UNAVAILABLE' });
      expect(masked.message).not.toMatch(/statement timeout|pg_sleep/);
      // The pool is fine afterwards.
      expect((await limited.pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('leaves bulk work without a timeout when none is set', async () => {
    const unlimited = openDatabase(db.url, { max: 1 });
    try {
      await expect(unlimited.pool.query('SELECT pg_sleep(0.3)')).resolves.toBeDefined();
    } finally {
      await unlimited.close();
    }
  });
});

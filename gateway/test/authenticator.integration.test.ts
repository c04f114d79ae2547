import { createLogger } from '../../subgraphs/kit/logger';
import { createTestDatabase, type TestDatabase } from '../../tools/testing/test-database';
import { generateApiKey } from '../api-key';
import { ApiKeysRepo } from '../api-keys.repo';
import { Authenticator } from '../authenticator';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(() => db.drop());

describe('the verified-key cache', () => {
  it("keeps a client's key through a flood of ten thousand random well-formed keys", async () => {
    const repo = new ApiKeysRepo(db.handle.db);
    const { key, record } = await repo.create({ name: 'busy client', organisationId: 'ret-a', role: 'retailer' });
    // A long trust period: a cached key is answered from the cache until it ends, even once revoked.
    const authenticator = new Authenticator(repo, { cacheTtlMs: 600_000 }, createLogger('test', 'silent'));
    expect(await authenticator.identify(key)).toMatchObject({ keyId: record.id });
    // More than any cache place count: the old cache was cleared whole at 10,000 entries.
    for (let sent = 0; sent < 10_001; sent += 250) {
      const answers = await Promise.all(Array.from({ length: Math.min(250, 10_001 - sent) }, () => authenticator.identify(generateApiKey())));
      expect(answers.every((answer) => answer === null)).toBe(true);
    }
    await repo.revoke(record.id);
    // Still answered from the cache: the flood did not push it out (a fresh lookup would refuse it).
    expect(await authenticator.identify(key)).toMatchObject({ keyId: record.id });
    expect(await new Authenticator(repo, { cacheTtlMs: 600_000 }, createLogger('test', 'silent')).identify(key)).toBeNull();
  }, 120_000);
});

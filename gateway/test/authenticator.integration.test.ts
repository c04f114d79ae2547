import { createLogger } from '../../subgraphs/kit/logger';
import { createTestDatabase, type TestDatabase } from '../../tools/testing/test-database';
import { generateApiKey } from '../api-key';
import { ApiKeysRepo } from '../api-keys.repo';
import { Authenticator } from '../authenticator';

let db: TestDatabase;
/** Every statement the file's pool runs, as drizzle logs them. */
const statements: string[] = [];
/** Key lookups by digest among the statements since `from`. */
const lookupsSince = (from: number) => statements.slice(from).filter((statement) => /^select .* from "hub"."api_keys" where .*"digest" = /.test(statement)).length;

beforeAll(async () => {
  db = await createTestDatabase({ onQuery: (query) => statements.push(query) });
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

  it("never widens a key beyond its role, whatever its stored row says: an edited row is cut to the role's ceiling", async () => {
    const repo = new ApiKeysRepo(db.handle.db);
    const { key, record } = await repo.create({ name: 'edited by hand', organisationId: 'ret-a', role: 'retailer', scopes: ['metering:read'] });
    await db.handle.pool.query(`UPDATE hub.api_keys SET scopes = '{metering:read,audit:read,grid:operate,metering:write,no:such,aggregates:read}' WHERE id = $1`, [record.id]);
    const authenticator = new Authenticator(repo, { cacheTtlMs: 1 }, createLogger('test', 'silent'));
    // The DSO's scopes and an unknown name are dropped; the old alias is read as what it stands for.
    expect((await authenticator.identify(key))?.scopes).toEqual(['metering:read', 'metering:aggregate']);
  });

  it('looks a new key up once, however many requests bring it at the same time', async () => {
    const repo = new ApiKeysRepo(db.handle.db);
    const { key, record } = await repo.create({ name: 'many sockets at once', organisationId: 'ret-b', role: 'retailer' });
    const authenticator = new Authenticator(repo, { cacheTtlMs: 600_000 }, createLogger('test', 'silent'));
    const from = statements.length;
    const answers = await Promise.all(Array.from({ length: 25 }, () => authenticator.identify(key)));
    expect(answers.map((answer) => answer?.keyId)).toEqual(Array(25).fill(record.id));
    expect(lookupsSince(from)).toBe(1);
  });

  it('looks an unknown key up once too, and still answers each request that it is unknown', async () => {
    const authenticator = new Authenticator(new ApiKeysRepo(db.handle.db), { cacheTtlMs: 600_000 }, createLogger('test', 'silent'));
    const unknown = generateApiKey();
    const from = statements.length;
    expect(await Promise.all(Array.from({ length: 25 }, () => authenticator.identify(unknown)))).toEqual(Array(25).fill(null));
    expect(lookupsSince(from)).toBe(1);
  });
});

import { ApiKeysRepo } from '../../gateway/api-keys.repo';
import { runNpm } from '../testing/run-command';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase();
  env = { ...process.env, DATABASE_URL: db.url };
});

afterAll(() => db.drop());

describe('npm run keys', () => {
  it('creates a DSO key and prints only the key on stdout', async () => {
    const { code, stdout } = await runNpm(['run', '--silent', 'keys', '--', 'create', '--name', 'ops', '--role', 'dso', '--org', 'dso'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^mh_[0-9A-Za-z]{32}\n$/);
    const identity = await new ApiKeysRepo(db.handle.db).identify(stdout.trim());
    expect(identity).toMatchObject({ organisationId: 'dso', role: 'dso', scopes: [] });
  });

  it('keeps scopes and lists keys by id and prefix without ever printing a key', async () => {
    const created = await runNpm(['run', '--silent', 'keys', '--', 'create', '--name', 'erse', '--role', 'regulator', '--org', 'erse', '--scopes', 'aggregates:read,reports:read'], env);
    const key = created.stdout.trim();
    expect(await new ApiKeysRepo(db.handle.db).identify(key)).toMatchObject({ scopes: ['aggregates:read', 'reports:read'] });
    const { code, stdout } = await runNpm(['run', '--silent', 'keys', '--', 'list'], env);
    expect(code).toBe(0);
    expect(stdout).toContain(key.slice(0, 9));
    expect(stdout).not.toContain(key);
  });

  it('revokes and rotates keys', async () => {
    const repo = new ApiKeysRepo(db.handle.db);
    const first = (await runNpm(['run', '--silent', 'keys', '--', 'create', '--name', 'r1', '--role', 'retailer', '--org', 'ret-x'], env)).stdout.trim();
    const firstId = (await repo.identify(first))!.keyId;
    const rotated = await runNpm(['run', '--silent', 'keys', '--', 'rotate', firstId], env);
    expect(rotated.code).toBe(0);
    const second = rotated.stdout.trim();
    expect(await repo.identify(first)).toBeNull();
    const secondIdentity = await repo.identify(second);
    expect(secondIdentity).toMatchObject({ organisationId: 'ret-x', role: 'retailer' });
    expect((await runNpm(['run', '--silent', 'keys', '--', 'revoke', secondIdentity!.keyId], env)).code).toBe(0);
    expect(await repo.identify(second)).toBeNull();
    expect((await runNpm(['run', '--silent', 'keys', '--', 'revoke', secondIdentity!.keyId], env)).code).not.toBe(0);
  });

  it('refuses an unknown role and writes nothing', async () => {
    const before = (await new ApiKeysRepo(db.handle.db).list()).length;
    const { code, stderr } = await runNpm(['run', '--silent', 'keys', '--', 'create', '--name', 'x', '--role', 'king', '--org', 'x'], env);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--role');
    expect((await new ApiKeysRepo(db.handle.db).list()).length).toBe(before);
  });
});

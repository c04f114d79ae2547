import { ApiKeysRepo } from '../../gateway/api-keys.repo';
import { ROLE_SCOPES } from '../../schema/access';
import { generateParish } from '../seed/parish';
import { writeParish } from '../seed/write';
import { freePort } from '../testing/free-port';
import { runNpm } from '../testing/run-command';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
const parish = generateParish({ customers: 20 });

beforeAll(async () => {
  db = await createTestDatabase();
  await writeParish(db.handle, parish);
  env = { ...process.env, DATABASE_URL: db.url };
});

afterAll(() => db.drop());

const keys = (...args: string[]) => runNpm(['run', '--silent', 'keys', '--', ...args], env);
const keyCount = async () => (await new ApiKeysRepo(db.handle.db).list()).length;

describe('npm run keys', () => {
  it("creates a DSO key with the DSO's default scopes and prints only the key on stdout", async () => {
    const { code, stdout } = await keys('create', '--name', 'ops', '--role', 'dso', '--org', 'dso');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^mh_[0-9A-Za-z]{32}\n$/);
    const identity = await new ApiKeysRepo(db.handle.db).identify(stdout.trim());
    expect(identity).toMatchObject({ organisationId: 'dso', role: 'dso', scopes: [...ROLE_SCOPES.dso] });
  });

  it('narrows a key to the scopes asked for, reading the old aggregates:read as metering:aggregate, and lists it with them', async () => {
    const created = await keys('create', '--name', 'erse', '--role', 'regulator', '--org', 'erse', '--scopes', 'aggregates:read,events:read');
    const key = created.stdout.trim();
    expect(await new ApiKeysRepo(db.handle.db).identify(key)).toMatchObject({ scopes: ['metering:aggregate', 'events:read'] });
    const { code, stdout } = await keys('list');
    expect(code).toBe(0);
    expect(stdout).not.toContain(key);
    const line = stdout.split('\n').find((row) => row.includes(key.slice(0, 9)));
    expect(line?.split('\t')).toContain('metering:aggregate,events:read');
  });

  it('refuses an empty scope list, which would make a key that can do nothing, and writes nothing', async () => {
    const before = await keyCount();
    for (const empty of ['', ',', ' , ']) {
      const { code, stderr } = await keys('create', '--name', 'x', '--role', 'retailer', '--org', 'ret-x', '--scopes', empty);
      expect(code).not.toBe(0);
      expect(stderr).toContain('expected at least one scope');
    }
    expect(await keyCount()).toBe(before);
  });

  it('checks the scopes asked for before it opens the database', async () => {
    // Nothing listens there: a refusal naming the scope shows the database was never reached.
    const nowhere = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const { code, stderr } = await runNpm(['run', '--silent', 'keys', '--', 'create', '--name', 'x', '--role', 'tso', '--org', 'ren', '--scopes', 'hems:control'], {
      ...env,
      DATABASE_URL: nowhere,
    });
    expect(code).not.toBe(0);
    expect(stderr).toContain('a tso key cannot have hems:control');
    expect(stderr).not.toContain('ECONNREFUSED');
  });

  it("refuses to widen a key beyond its role, or to give it an unknown scope, and writes nothing", async () => {
    const before = await keyCount();
    const widened = await keys('create', '--name', 'x', '--role', 'developer', '--org', 'dev-sandbox', '--scopes', 'grid:read');
    expect(widened.code).not.toBe(0);
    expect(widened.stderr).toContain('a developer key cannot have grid:read');
    const unknown = await keys('create', '--name', 'x', '--role', 'retailer', '--org', 'ret-x', '--scopes', 'reports:read');
    expect(unknown.stderr).toContain('unknown scope "reports:read"');
    expect(await keyCount()).toBe(before);
  });

  it('binds a customer key to an existing metering point, and refuses one for a point that does not exist', async () => {
    const point = parish.meteringPoints[3]!.id;
    const created = await keys('create', '--name', 'home', '--role', 'customer', '--org', point);
    expect(created.code).toBe(0);
    expect(await new ApiKeysRepo(db.handle.db).identify(created.stdout.trim())).toMatchObject({ role: 'customer', organisationId: point, scopes: [...ROLE_SCOPES.customer] });
    const before = await keyCount();
    const missing = await keys('create', '--name', 'home', '--role', 'customer', '--org', 'PT0002000000000000ZZ');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no metering point PT0002000000000000ZZ');
    expect(await keyCount()).toBe(before);
  });

  it('binds a hems key to an existing HEMS with the report scope only, and refuses one for a HEMS that does not exist', async () => {
    const point = parish.meteringPoints[4]!.id;
    await db.handle.pool.query(`INSERT INTO hems.systems (id, metering_point_id, vendor, installed_at) VALUES ('HEMS-KEYS', $1, 'Cleanwatts', now()) ON CONFLICT DO NOTHING`, [point]);
    const created = await keys('create', '--name', 'box', '--role', 'hems', '--org', 'HEMS-KEYS');
    expect(created.code).toBe(0);
    expect(await new ApiKeysRepo(db.handle.db).identify(created.stdout.trim())).toMatchObject({ role: 'hems', organisationId: 'HEMS-KEYS', scopes: ['hems:report'] });
    const before = await keyCount();
    const missing = await keys('create', '--name', 'box', '--role', 'hems', '--org', 'HEMS-NONE');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no HEMS HEMS-NONE');
    const widened = await keys('create', '--name', 'box', '--role', 'hems', '--org', 'HEMS-KEYS', '--scopes', 'hems:read');
    expect(widened.stderr).toContain('a hems key cannot have hems:read');
    expect(await keyCount()).toBe(before);
  });

  it("refuses a key whose role is not its organisation's kind", async () => {
    const { code, stderr } = await keys('create', '--name', 'x', '--role', 'developer', '--org', 'erse');
    expect(code).not.toBe(0);
    expect(stderr).toContain('erse is a regulator');
  });

  it("prints each role's scopes", async () => {
    const { code, stdout } = await keys('scopes');
    expect(code).toBe(0);
    expect(stdout).toContain(`customer    ${ROLE_SCOPES.customer.join(' ')}`);
  });

  it('revokes and rotates keys', async () => {
    const repo = new ApiKeysRepo(db.handle.db);
    const first = (await keys('create', '--name', 'r1', '--role', 'retailer', '--org', 'ret-x')).stdout.trim();
    const firstId = (await repo.identify(first))!.keyId;
    const rotated = await keys('rotate', firstId);
    expect(rotated.code).toBe(0);
    const second = rotated.stdout.trim();
    expect(await repo.identify(first)).toBeNull();
    const secondIdentity = await repo.identify(second);
    expect(secondIdentity).toMatchObject({ organisationId: 'ret-x', role: 'retailer' });
    expect((await keys('revoke', secondIdentity!.keyId)).code).toBe(0);
    expect(await repo.identify(second)).toBeNull();
    expect((await keys('revoke', secondIdentity!.keyId)).code).not.toBe(0);
  });

  it('refuses an unknown role and writes nothing', async () => {
    const before = await keyCount();
    const { code, stderr } = await keys('create', '--name', 'x', '--role', 'king', '--org', 'x');
    expect(code).not.toBe(0);
    expect(stderr).toContain('--role');
    expect(await keyCount()).toBe(before);
  });
});

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { hemsSystems, meteringPoints, organisations } from '../schema/tables';
import { ROLE_SCOPES } from '../schema/access';
import { DSO_ORGANISATION_ID, ROLES, type Role } from '../schema/identity';
import { ApiKeysRepo } from '../gateway/api-keys.repo';
import type { Database } from '../subgraphs/kit/db';

export interface DemoKey {
  role: Role;
  organisationId: string;
  key: string;
}

/** Retailers with a demo key each: two, so that the market's competition can be tried at once. */
const DEMO_RETAILERS = 2;

/**
 * The organisations demo keys of `role` speak for: the DSO; the first two retailers; the first
 * organisation of any other kind; for a customer, a household with a HEMS (so its key shows
 * tariff, HEMS and consents at once), and for a HEMS, that household's.
 */
async function organisationsFor(db: Database, role: Role): Promise<string[]> {
  if (role === 'dso') return [DSO_ORGANISATION_ID];
  if (role === 'customer') {
    const [household] = await db
      .select({ id: meteringPoints.id })
      .from(meteringPoints)
      .where(sql`EXISTS (SELECT 1 FROM ${hemsSystems} h WHERE h.metering_point_id = ${meteringPoints.id})`)
      .orderBy(asc(meteringPoints.id))
      .limit(1);
    const [any] = household ? [household] : await db.select({ id: meteringPoints.id }).from(meteringPoints).orderBy(asc(meteringPoints.id)).limit(1);
    return any ? [any.id] : [];
  }
  if (role === 'hems') {
    // The demo customer's own HEMS: the household with a HEMS first by CPE, as above.
    const [system] = await db.select({ id: hemsSystems.id }).from(hemsSystems).orderBy(asc(hemsSystems.meteringPointId)).limit(1);
    return system ? [system.id] : [];
  }
  const found = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.kind, role))
    .orderBy(asc(organisations.id))
    .limit(role === 'retailer' ? DEMO_RETAILERS : 1);
  return found.length > 0 ? found.map((row) => row.id) : [`demo-${role}`];
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((scope) => b.includes(scope));
}

/**
 * One key per role for the demo (two retailers'), each with its role's default scopes (a customer's only when the
 * database holds a metering point to bind it to). Keys are shown once and stored as digests, so
 * the local install keeps the demo keys in its private data directory (made when missing) and
 * re-issues any that stopped working or lack some of their role's default scopes.
 */
export async function ensureDemoKeys(db: Database, dataDir: string): Promise<DemoKey[]> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'demo-keys.json');
  const known: DemoKey[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoKey[]) : [];
  const repo = new ApiKeysRepo(db);
  const keys: DemoKey[] = [];
  for (const role of ROLES) {
    for (const organisationId of await organisationsFor(db, role)) {
      const previous = known.find((entry) => entry.role === role && entry.organisationId === organisationId);
      const identity = previous ? await repo.identify(previous.key) : null;
      if (previous && identity) {
        // A demo key shows what its role may do: one narrowed since (by hand, or by a migration
        // of the access model) is replaced, and revoked so that it does not linger.
        if (identity.role === role && sameScopes(identity.scopes, ROLE_SCOPES[role])) {
          keys.push(previous);
          continue;
        }
        await repo.revoke(identity.keyId);
      }
      const { key } = await repo.create({ name: `demo ${role}`, organisationId, role });
      keys.push({ role, organisationId, key });
    }
  }
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

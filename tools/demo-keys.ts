import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { organisations } from '../schema/tables';
import { DSO_ORGANISATION_ID, ROLES, type Role } from '../schema/identity';
import { ApiKeysRepo } from '../gateway/api-keys.repo';
import type { Database } from '../subgraphs/kit/db';

export interface DemoKey {
  role: Role;
  organisationId: string;
  key: string;
}

const DEMO_SCOPES: Partial<Record<Role, string[]>> = {
  regulator: ['aggregates:read'],
  tso: ['aggregates:read'],
  researcher: ['aggregates:read'],
};

async function organisationFor(db: Database, role: Role): Promise<string> {
  if (role === 'dso') return DSO_ORGANISATION_ID;
  const [first] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.kind, role)).orderBy(asc(organisations.id)).limit(1);
  return first?.id ?? `demo-${role}`;
}

/**
 * One key per role for the demo. Keys are shown once and stored as digests, so the local
 * install keeps the demo keys in its private data directory and re-issues any that stopped working.
 */
export async function ensureDemoKeys(db: Database, dataDir: string): Promise<DemoKey[]> {
  const file = path.join(dataDir, 'demo-keys.json');
  const known: DemoKey[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoKey[]) : [];
  const repo = new ApiKeysRepo(db);
  const keys: DemoKey[] = [];
  for (const role of ROLES) {
    const previous = known.find((entry) => entry.role === role);
    if (previous && (await repo.identify(previous.key))) {
      keys.push(previous);
      continue;
    }
    const organisationId = await organisationFor(db, role);
    const { key } = await repo.create({ name: `demo ${role}`, organisationId, role, scopes: DEMO_SCOPES[role] ?? [] });
    keys.push({ role, organisationId, key });
  }
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

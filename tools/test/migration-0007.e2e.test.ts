import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { applyMigrations, MIGRATIONS_DIR } from '../../subgraphs/kit/migrate';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';

/**
 * 0007 made scopes the access model. Before it a key's role gave its rights, and two stored
 * scopes were extra gates: 'aggregates:read' let a stakeholder (any role but DSO and retailer)
 * read demand, 'events:read' let regulator, TSO, researcher and developer keys receive market
 * events. Every key existing then must keep what it could do.
 */
const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };

/** A copy of the migrations folder holding only those before `tag`, which drizzle's migrator applies as if they were all. */
function migrationsBefore(tag: string): string {
  const entries = journal.entries.slice(0, journal.entries.findIndex((entry) => entry.tag === tag));
  const folder = mkdtempSync(path.join(tmpdir(), 'market-hub-migrations-'));
  mkdirSync(path.join(folder, 'meta'));
  writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  for (const entry of entries) cpSync(path.join(MIGRATIONS_DIR, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
  return folder;
}

// Each role's default set as of 0007, spelled out: ROLE_SCOPES may change later, this migration does not.
const AS_OF_0007 = {
  dso: ['metering:read', 'metering:aggregate', 'metering:write', 'grid:read', 'grid:operate', 'tariffs:read', 'tariffs:write', 'flex:read', 'flex:operate', 'hems:read', 'events:read', 'audit:read', 'consent:manage'],
  retailer: ['metering:read', 'metering:aggregate', 'tariffs:read', 'flex:read', 'flex:trade', 'hems:read', 'hems:control', 'events:read'],
  aggregator: ['metering:read', 'metering:aggregate', 'flex:read', 'flex:trade', 'hems:read', 'hems:control', 'events:read'],
  regulator: ['metering:aggregate', 'tariffs:read', 'flex:read', 'events:read'],
  tso: ['metering:aggregate', 'grid:read', 'flex:read', 'events:read'],
  researcher: ['metering:read', 'metering:aggregate', 'tariffs:read', 'flex:read', 'hems:read', 'events:read'],
  developer: ['metering:aggregate', 'tariffs:read', 'flex:read', 'events:read'],
};
const without = (scopes: string[], ...gone: string[]) => scopes.filter((scope) => !gone.includes(scope));

/** Keys as the hub before 0007 made them, and the scopes each must have after it. */
const KEYS: { role: keyof typeof AS_OF_0007; stored: string[]; after: string[] }[] = [
  // The DSO and retailers had every right of their role whatever their scopes.
  { role: 'dso', stored: [], after: AS_OF_0007.dso },
  { role: 'dso', stored: ['aggregates:read'], after: AS_OF_0007.dso },
  { role: 'retailer', stored: [], after: AS_OF_0007.retailer },
  { role: 'retailer', stored: ['events:read'], after: AS_OF_0007.retailer },
  // Aggregators received market events by role, and needed the scope for aggregates.
  { role: 'aggregator', stored: [], after: without(AS_OF_0007.aggregator, 'metering:aggregate') },
  { role: 'aggregator', stored: ['aggregates:read'], after: AS_OF_0007.aggregator },
  // The other stakeholders needed a scope for each.
  { role: 'regulator', stored: [], after: without(AS_OF_0007.regulator, 'metering:aggregate', 'events:read') },
  { role: 'regulator', stored: ['aggregates:read'], after: without(AS_OF_0007.regulator, 'events:read') },
  { role: 'regulator', stored: ['aggregates:read', 'events:read'], after: AS_OF_0007.regulator },
  { role: 'tso', stored: ['events:read'], after: without(AS_OF_0007.tso, 'metering:aggregate') },
  { role: 'researcher', stored: ['aggregates:read'], after: without(AS_OF_0007.researcher, 'events:read') },
  { role: 'developer', stored: [], after: without(AS_OF_0007.developer, 'metering:aggregate', 'events:read') },
];

let db: TestDatabase;
let before: string;

beforeEach(async () => {
  db = await createTestDatabase({ template: null, max: 2 });
  before = migrationsBefore('0007_access_model');
});

afterEach(async () => {
  await db.drop();
  await rm(before, { recursive: true, force: true });
});

describe('migration 0007 (access model)', () => {
  it('leaves every existing key with what it could do before: its role default set, less the gated scopes it lacked', async () => {
    const client = await db.handle.pool.connect();
    try {
      await migrate(drizzle(client), { migrationsFolder: before });
    } finally {
      client.release();
    }
    for (const [i, key] of KEYS.entries()) {
      await db.handle.pool.query(
        `INSERT INTO hub.api_keys (id, name, organisation_id, role, scopes, digest, display_prefix) VALUES ($1, $1, $2, $3, $4, $1, 'mh_')`,
        [`key-${i}`, `org-${key.role}`, key.role, key.stored],
      );
    }

    await applyMigrations(db.handle);

    const { rows } = await db.handle.pool.query<{ id: string; scopes: string[] }>('SELECT id, scopes FROM hub.api_keys');
    const after = new Map(rows.map((row) => [row.id, row.scopes]));
    expect(KEYS.map((key, i) => ({ ...key, after: after.get(`key-${i}`) }))).toEqual(KEYS);
  });
});

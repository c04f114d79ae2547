import DataLoader from 'dataloader';
import { sql } from 'drizzle-orm';
import type { ConsentScope } from '../../schema/access';
import type { Identity } from '../../schema/identity';
import type { Database } from './db';
import { mayReadPresent } from './point-access.sql';

/**
 * Per request: which metering points the caller may see the present state of, for one scope,
 * one statement per batch. The kit resolves every MeteringPoint reference of a subgraph that
 * declares a meteringPointScope (grid, tariffs, HEMS) through it (kit/subgraph.ts).
 */
export function presentAccessLoader(db: Database, identity: Identity, scope: ConsentScope): DataLoader<string, boolean> {
  return new DataLoader<string, boolean>(async (ids) => {
    if (identity.role === 'dso') return ids.map(() => true);
    const result = await db.execute<{ id: string }>(sql`
      SELECT p.id FROM unnest(${sql.param([...ids])}::text[]) AS p(id) WHERE ${mayReadPresent(identity, sql.raw('p.id'), scope)}`);
    const visible = new Set(result.rows.map((row) => row.id));
    return ids.map((id) => visible.has(id));
  });
}

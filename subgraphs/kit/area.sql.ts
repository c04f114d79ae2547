import { sql } from 'drizzle-orm';
import type { Area } from './area.rules';
import type { Database } from './db';

/** Ids of the area that do not exist (grid's published views), so the caller can name them. */
export async function unknownAreaIds(db: Database, area: Area): Promise<string[]> {
  const ids = area.kind === 'primary' ? [area.id] : area.ids;
  const column = sql.raw(area.kind === 'primary' ? 'primary_substation_id' : area.kind === 'secondary' ? 'secondary_substation_id' : 'feeder_id');
  const view = sql.raw(area.kind === 'feeders' ? 'grid.feeders_v' : 'grid.substations_v');
  const result = await db.execute<{ id: string }>(sql`
    SELECT id FROM unnest(${sql.param(ids)}::text[]) AS id WHERE NOT EXISTS (SELECT 1 FROM ${view} WHERE ${column} = id)`);
  return result.rows.map((row) => row.id);
}

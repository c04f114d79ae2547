import { sql, type Column, type SQL } from 'drizzle-orm';

/**
 * `column = ANY($1::text[])`: one parameter however many ids, so the statement text (and its
 * plan) stays the same for a batch of 10 or 10,000, unlike an IN list.
 */
export function anyText(column: Column | SQL, values: readonly string[]): SQL {
  return sql`${column} = ANY(${sql.param([...values])}::text[])`;
}

import DataLoader from 'dataloader';
import { groupBy } from './group';

/**
 * A per-request DataLoader for rows looked up by a key: one query per batch, missing keys
 * resolve to null. `keyOf` names the key column of a fetched row.
 */
export function keyedLoader<K extends string, R>(fetch: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K): DataLoader<K, R | null> {
  return new DataLoader<K, R | null>(async (keys) => {
    const byKey = new Map<K, R>();
    for (const row of await fetch(keys)) byKey.set(keyOf(row), row);
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Like keyedLoader, for one-to-many lookups: every key resolves to a (possibly empty) list. */
export function groupedLoader<K extends string, R>(fetch: (keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>(async (keys) => {
    const byKey = groupBy(await fetch(keys), keyOf);
    return keys.map((key) => byKey.get(key) ?? []);
  });
}

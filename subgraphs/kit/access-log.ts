import { sql } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { RequestScope } from './context';
import type { Database } from './db';

/** The period a read covered, when it has one (a load curve's window). */
export interface ReadPeriod {
  fromMs: number;
  toMs: number;
}

/**
 * One append-only line in hub.access_log per metering point whose personal data a request
 * returned: who (key, organisation, role), which field, which period. Written by the subgraph
 * that reads the data, in the same request, so no path to personal data goes unrecorded.
 */
export async function recordAccess(db: Database, identity: Identity, requestId: string, field: string, pointIds: readonly string[], period: ReadPeriod | null): Promise<void> {
  if (pointIds.length === 0) return;
  await db.execute(sql`
    INSERT INTO hub.access_log (key_id, organisation_id, role, request_id, metering_point_id, resource, period_from, period_to)
    SELECT ${identity.keyId}, ${identity.organisationId}, ${identity.role}, ${requestId}, id, ${field},
      ${period ? new Date(period.fromMs) : null}::timestamptz, ${period ? new Date(period.toMs) : null}::timestamptz
    FROM unnest(${sql.param([...new Set(pointIds)])}::text[]) AS id`);
}

/**
 * A loader's fetch (for keyedLoader or groupedLoader, kit/loader.ts) that logs what it returns:
 * the rows first, then one access-log line per metering point among them (`pointOf`), one
 * statement per batch. A key that found nothing (a point without a tariff) is not logged.
 */
export function loggedFetch<K, R>(
  request: Pick<RequestScope, 'database' | 'identity' | 'requestId'>,
  field: string,
  pointOf: (row: R) => string,
  fetch: (keys: readonly K[]) => Promise<R[]>,
): (keys: readonly K[]) => Promise<R[]> {
  return async (keys) => {
    const rows = await fetch(keys);
    await recordAccess(request.database.db, request.identity, request.requestId, field, rows.map(pointOf), null);
    return rows;
  };
}

import { sql } from 'drizzle-orm';
import { OUTBOX_CHANNEL, type EventPayloads, type HubEventType } from '../../schema/events';
import type { Transaction } from './db';

/** Arbitrary constant shared by every outbox writer. */
const OUTBOX_LOCK_KEY = 7_302_029;

/** One event to append: whom it is for (empty: every market party, unless its type is private) and what it says. */
export interface NewOutboxEvent<T extends HubEventType> {
  audience: readonly string[];
  payload: EventPayloads[T];
}

/**
 * Appends events of one type in the caller's transaction, after its state change, in the order
 * given, with one statement however many there are. The transaction-scoped lock makes writers
 * take ids one at a time and commit in that order, so ids are visible in strictly increasing
 * order; the NOTIFY (a wake-up: readers read every id after their last) is sent at commit, and
 * never for a rolled-back change. Returns the events' ids.
 */
export async function appendEventsToOutbox<T extends HubEventType>(tx: Transaction, type: T, events: readonly NewOutboxEvent<T>[]): Promise<number[]> {
  if (events.length === 0) return [];
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`);
  const result = await tx.execute<{ id: string }>(sql`
    INSERT INTO hub.outbox (type, audience, payload)
    SELECT ${type}::text, ARRAY(SELECT jsonb_array_elements_text(e->'audience')), e->'payload'
    FROM jsonb_array_elements(${JSON.stringify(events)}::jsonb) WITH ORDINALITY AS given(e, n)
    ORDER BY n
    RETURNING id`);
  const ids = result.rows.map((row) => Number(row.id));
  await tx.execute(sql`SELECT pg_notify(${OUTBOX_CHANNEL}, ${String(Math.max(...ids))})`);
  return ids;
}

/** Appends one event (see appendEventsToOutbox); returns its id. */
export async function appendToOutbox<T extends HubEventType>(tx: Transaction, type: T, audience: readonly string[], payload: EventPayloads[T]): Promise<number> {
  const [id] = await appendEventsToOutbox(tx, type, [{ audience, payload }]);
  return id!;
}

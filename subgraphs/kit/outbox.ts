import { sql } from 'drizzle-orm';
import { OUTBOX_CHANNEL, type EventPayloads, type HubEventType } from '../../schema/events';
import type { Transaction } from './db';

/** Arbitrary constant shared by every outbox writer. */
const OUTBOX_LOCK_KEY = 7_302_029;

/**
 * Appends an event in the caller's transaction, after its state change. The transaction-scoped
 * lock makes writers take ids one at a time and commit in that order, so ids are visible in
 * strictly increasing order; the NOTIFY is sent at commit, and never for a rolled-back change.
 */
export async function appendToOutbox<T extends HubEventType>(tx: Transaction, type: T, audience: readonly string[], payload: EventPayloads[T]): Promise<number> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`);
  const result = await tx.execute<{ id: string }>(sql`
    INSERT INTO hub.outbox (type, audience, payload) VALUES (${type}, ${sql.param([...audience])}::text[], ${JSON.stringify(payload)}::jsonb)
    RETURNING id`);
  const id = Number(result.rows[0]!.id);
  await tx.execute(sql`SELECT pg_notify(${OUTBOX_CHANNEL}, ${String(id)})`);
  return id;
}

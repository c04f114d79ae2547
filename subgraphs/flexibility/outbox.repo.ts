import { sql } from 'drizzle-orm';
import type { EventPayloads, HubEventType, OutboxEvent } from '../../schema/events';
import type { Database } from '../kit/db';

export type StoredEvent = OutboxEvent<HubEventType>;

/** Reads events back by id, to answer `hubEvent` (which the gateway runs once per event and audience). */
export class OutboxRepo {
  constructor(private readonly db: Database) {}

  async byIds(ids: readonly number[]): Promise<StoredEvent[]> {
    const valid = ids.filter((id) => Number.isSafeInteger(id) && id > 0);
    if (valid.length === 0) return [];
    const result = await this.db.execute<{ id: string; type: HubEventType; occurred_at: string; audience: string[]; payload: EventPayloads[HubEventType] }>(
      sql`SELECT id, type, occurred_at, audience, payload FROM hub.outbox WHERE id = ANY(${sql.param(valid)}::bigint[])`,
    );
    return result.rows.map((row) => ({ id: Number(row.id), type: row.type, occurredAt: new Date(row.occurred_at), audience: row.audience, payload: row.payload }));
  }
}

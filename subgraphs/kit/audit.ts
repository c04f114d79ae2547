import { sql } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { Database, Transaction } from './db';

/** Who is changing something, and in which request: what every mutation's audit line records. */
export interface Actor {
  identity: Identity;
  requestId: string;
}

/**
 * One line in hub.audit_log for a mutation that changed something. Call it in the mutation's
 * own transaction, after its change: the line commits with the change or not at all.
 */
export function recordMutation(tx: Database | Transaction, actor: Actor, operation: string, target: string, detail: string): Promise<void> {
  return recordMutations(tx, actor, operation, [{ target, detail }]);
}

/** A line each, as recordMutation, for a mutation that changed several things at once: one statement. */
export async function recordMutations(tx: Database | Transaction, actor: Actor, operation: string, lines: readonly { target: string; detail: string }[]): Promise<void> {
  if (lines.length === 0) return;
  const { identity, requestId } = actor;
  const values = lines.map(({ target, detail }) => sql`(${identity.keyId}, ${identity.organisationId}, ${identity.role}, ${requestId}, ${operation}, ${target}, ${detail})`);
  await tx.execute(sql`INSERT INTO hub.audit_log (key_id, organisation_id, role, request_id, operation, target, detail) VALUES ${sql.join(values, sql`, `)}`);
}

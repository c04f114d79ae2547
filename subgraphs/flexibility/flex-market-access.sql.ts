import { sql, type SQL } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { CongestionPointKind } from '../../schema/flexibility';
import type { Database, Transaction } from '../kit/db';
import { customersBehind, type BehindColumn } from '../kit/customers-behind.sql';

/**
 * Who sees a flexibility request: the DSO every one; an organisation the requests it was
 * published to (flex_request_recipients); anyone else none, as if they did not exist.
 */
export function mayViewRequest(identity: Identity, requestId: SQL): SQL {
  if (identity.role === 'dso') return sql`true`;
  return sql`EXISTS (SELECT 1 FROM flexibility.flex_request_recipients recipient
    WHERE recipient.request_id = ${requestId} AND recipient.organisation_id = ${identity.organisationId})`;
}

/** The grid connection column that puts a metering point behind a congestion point of that kind. */
const behindColumn = (kind: CongestionPointKind): BehindColumn => (kind === 'FEEDER' ? 'feeder_id' : 'secondary_substation_id');

/**
 * Whom a request at the congestion point is published to: those with customers behind it who can
 * help (the same rule as the grid's areas, by congestion point). The DSO is not listed: it
 * receives every flexibility event anyway.
 */
export function congestionPointRecipients(db: Database | Transaction, kind: CongestionPointKind, congestionPointId: string): Promise<string[]> {
  return customersBehind(db, behindColumn(kind), congestionPointId);
}

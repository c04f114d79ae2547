import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { ConsentScope } from '../../schema/access';
import type { Identity } from '../../schema/identity';
import { ConflictError, NotFoundError } from '../../schema/errors';
import { recordMutation, type Actor } from '../kit/audit';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import { consentState } from './consent.rules';
import type { Consent } from './consent.type';

interface Row extends Record<string, unknown> {
  id: string;
  metering_point_id: string;
  organisation_id: string;
  /** An enum array arrives from the driver as PostgreSQL's text form, {a,b}. */
  scopes: string;
  valid_from: string;
  valid_to: string;
  granted_at: string;
  /** granted_at in microseconds, exact: the keyset cursor (a Date would drop the microseconds). */
  granted_us: string;
  revoked_at: string | null;
}

const COLUMNS = sql.raw(`c.*, (extract(epoch FROM c.granted_at) * 1000000)::bigint::text AS granted_us`);

const parseArray = (text: string) => (text === '{}' ? [] : text.slice(1, -1).split(','));

export type ConsentRow = Consent & { cursorKey: string };

function toConsent(row: Row, nowMs = Date.now()): ConsentRow {
  const validTo = new Date(row.valid_to);
  const revokedAt = row.revoked_at ? new Date(row.revoked_at) : null;
  return {
    id: row.id,
    meteringPointId: row.metering_point_id,
    organisationId: row.organisation_id,
    scopes: parseArray(row.scopes),
    from: new Date(row.valid_from),
    to: validTo,
    state: consentState({ revokedAt, validTo }, nowMs),
    grantedAt: new Date(row.granted_at),
    revokedAt,
    cursorKey: `${row.granted_us}|${row.id}`,
  };
}

/** Which consents a caller may see: the DSO all, a customer its point's, an organisation those granted to it. */
function visibleTo(identity: Identity): SQL {
  switch (identity.role) {
    case 'dso':
      return sql`true`;
    case 'customer':
      return sql`c.metering_point_id = ${identity.organisationId}`;
    case 'aggregator':
    case 'researcher':
      return sql`c.organisation_id = ${identity.organisationId}`;
    default:
      return sql`false`;
  }
}

/** A consent's keyset key, newest first: its grant time in microseconds, then its id. */
export const isConsentKey = (key: string) => /^\d{1,18}\|cns-[0-9a-f-]{36}$/.test(key);

export interface NewConsent {
  meteringPointId: string;
  organisationId: string;
  scopes: ConsentScope[];
  from: Date;
  to: Date;
}

export class ConsentRepo {
  constructor(private readonly db: Database) {}

  /** The kind of an organisation (its role), null when there is none. */
  async organisationKind(organisationId: string): Promise<string | null> {
    const result = await this.db.execute<{ kind: string }>(sql`SELECT kind FROM hub.organisations WHERE id = ${organisationId}`);
    return result.rows[0]?.kind ?? null;
  }

  async grant(consent: NewConsent, actor: Actor): Promise<ConsentRow> {
    return this.db.transaction(async (tx) => {
      const id = `cns-${randomUUID()}`;
      const result = await tx.execute<Row>(sql`
        INSERT INTO hub.consents AS c (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
        VALUES (${id}, ${consent.meteringPointId}, ${consent.organisationId}, ${sql.param(consent.scopes)}::hub.consent_scope[],
          ${consent.from}, ${consent.to}, ${actor.identity.keyId})
        RETURNING ${COLUMNS}`);
      await recordMutation(tx, actor, 'grantConsent', id, `${consent.organisationId} may read ${consent.scopes.join(', ')} of ${consent.meteringPointId}`);
      return toConsent(result.rows[0]!);
    });
  }

  /** Revokes a consent the caller may see; NOT_FOUND for any other, CONFLICT when it is no longer in force. */
  async revoke(id: string, actor: Actor): Promise<ConsentRow> {
    return this.db.transaction(async (tx) => {
      const visible = visibleTo(actor.identity);
      const updated = await tx.execute<Row>(sql`
        UPDATE hub.consents c SET revoked_at = now(), revoked_by_key_id = ${actor.identity.keyId}
        WHERE c.id = ${id} AND ${visible} AND c.revoked_at IS NULL AND c.valid_to > now()
        RETURNING ${COLUMNS}`);
      const row = updated.rows[0];
      if (!row) {
        const existing = await tx.execute<Row>(sql`SELECT ${COLUMNS} FROM hub.consents c WHERE c.id = ${id} AND ${visible}`);
        if (existing.rows.length === 0) throw new NotFoundError('Consent');
        throw new ConflictError(`The consent is already ${toConsent(existing.rows[0]!).state.toLowerCase()}`);
      }
      await recordMutation(tx, actor, 'revokeConsent', id, `${row.organisation_id} may no longer read ${row.metering_point_id}`);
      return toConsent(row);
    });
  }

  /** A keyset page of the consents the caller may see, newest first (keys: ConsentRow.cursorKey). */
  async page(identity: Identity, meteringPointId: string | null, page: Page): Promise<{ rows: ConsentRow[]; totalCount: number }> {
    const filter = sql`${visibleTo(identity)} ${meteringPointId === null ? sql`` : sql`AND c.metering_point_id = ${meteringPointId}`}`;
    const [us, id] = page.afterKey?.split('|') ?? [];
    const after = us && id ? sql`AND ((extract(epoch FROM c.granted_at) * 1000000)::bigint, c.id) < (${us}::bigint, ${id})` : sql``;
    const [rows, total] = await Promise.all([
      this.db.execute<Row>(sql`SELECT ${COLUMNS} FROM hub.consents c WHERE ${filter} ${after} ORDER BY c.granted_at DESC, c.id DESC LIMIT ${page.limit + 1}`),
      this.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM hub.consents c WHERE ${filter}`),
    ]);
    const nowMs = Date.now();
    return { rows: rows.rows.map((row) => toConsent(row, nowMs)), totalCount: Number(total.rows[0]!.n) };
  }
}

import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { apiKeys, hemsSystemsView, meteringPointsView, organisations } from '../schema/tables';
import { effectiveScopes, scopesForNewKey } from '../schema/access';
import { ROLES, type Identity, type Role } from '../schema/identity';
import type { Database, Transaction } from '../subgraphs/kit/db';
import { anyText } from '../subgraphs/kit/sql';
import { digestApiKey, displayPrefix, generateApiKey, generateKeyId } from './api-key';

export interface NewApiKey {
  name: string;
  organisationId: string;
  role: Role;
  /** Omitted: the role's default set. Never more than the role allows (schema/access.ts). */
  scopes?: readonly string[];
  expiresAt?: Date | null;
}

/** A key that cannot be made as asked; the message lists every reason. */
export class ApiKeyRequestError extends Error {}

export type ApiKeyRecord = Omit<typeof apiKeys.$inferSelect, 'digest'>;

const listed = {
  id: apiKeys.id,
  name: apiKeys.name,
  organisationId: apiKeys.organisationId,
  role: apiKeys.role,
  scopes: apiKeys.scopes,
  displayPrefix: apiKeys.displayPrefix,
  createdAt: apiKeys.createdAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
  lastUsedAt: apiKeys.lastUsedAt,
};

/** Neither revoked nor expired at `now`. */
const usableAt = (now: Date) => and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), sql`${apiKeys.expiresAt} > ${now}`));

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The hub's API keys: the key itself is returned once, at creation, and never stored. */
export class ApiKeysRepo {
  constructor(private readonly db: Database | Transaction) {}

  /**
   * A new key for an organisation of the key's kind (registered when the hub does not know it
   * yet), or, for a customer, for an existing metering point: the point is the key's organisation;
   * for a HEMS, for an existing HEMS, likewise.
   */
  async create(input: NewApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
    const granted = scopesForNewKey(input.role, input.scopes);
    if ('problems' in granted) throw new ApiKeyRequestError(granted.problems.join('; '));
    if (input.role === 'customer') {
      const [point] = await this.db.select({ id: meteringPointsView.meteringPointId }).from(meteringPointsView).where(eq(meteringPointsView.meteringPointId, input.organisationId));
      if (!point) throw new ApiKeyRequestError(`a customer key is bound to a metering point: no metering point ${input.organisationId}`);
    } else if (input.role === 'hems') {
      const [system] = await this.db.select({ id: hemsSystemsView.hemsId }).from(hemsSystemsView).where(eq(hemsSystemsView.hemsId, input.organisationId));
      if (!system) throw new ApiKeyRequestError(`a hems key is bound to a HEMS: no HEMS ${input.organisationId}`);
    } else {
      await this.db.insert(organisations).values({ id: input.organisationId, name: input.organisationId, kind: input.role }).onConflictDoNothing();
      const [organisation] = await this.db.select({ kind: organisations.kind }).from(organisations).where(eq(organisations.id, input.organisationId));
      if (organisation && organisation.kind !== input.role) {
        throw new ApiKeyRequestError(`${input.organisationId} is a ${organisation.kind}, so its keys have the ${organisation.kind} role, not ${input.role}`);
      }
    }
    const key = generateApiKey();
    const [record] = await this.db
      .insert(apiKeys)
      .values({
        id: generateKeyId(),
        name: input.name,
        organisationId: input.organisationId,
        role: input.role,
        scopes: granted.scopes,
        digest: digestApiKey(key),
        displayPrefix: displayPrefix(key),
        expiresAt: input.expiresAt ?? null,
      })
      .returning(listed);
    return { key, record: record! };
  }

  /** The identity behind a key, or null when unknown, revoked or expired; scopes as the role allows them. */
  identify(key: string, now = new Date()): Promise<Identity | null> {
    return this.identifyDigest(digestApiKey(key), now);
  }

  /** identify, for a key the caller has already digested (the gateway caches by digest). */
  async identifyDigest(digest: string, now = new Date()): Promise<Identity | null> {
    const [row] = await this.db
      .select({ id: apiKeys.id, organisationId: apiKeys.organisationId, role: apiKeys.role, scopes: apiKeys.scopes })
      .from(apiKeys)
      .where(and(eq(apiKeys.digest, digest), usableAt(now)));
    if (!row || !isRole(row.role)) return null;
    return { keyId: row.id, organisationId: row.organisationId, role: row.role, scopes: effectiveScopes(row.role, row.scopes) };
  }

  /** Which of these keys are neither revoked nor expired, in one statement. */
  async activeOf(keyIds: readonly string[], now = new Date()): Promise<Set<string>> {
    const rows = await this.db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(anyText(apiKeys.id, keyIds), usableAt(now)));
    return new Set(rows.map((row) => row.id));
  }

  /** Cheap for busy keys: the row is written only when the stored time is a minute old. */
  async touch(keyId: string): Promise<void> {
    await this.db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`))));
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.db.select(listed).from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
  }

  async find(keyId: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.db.select(listed).from(apiKeys).where(eq(apiKeys.id, keyId));
    return row ?? null;
  }

  /** Returns false when there was no such active key. */
  async revoke(keyId: string): Promise<boolean> {
    const rows = await this.db
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  /** A new key with the same name, organisation, role, scopes and expiry; the old one is revoked. */
  async rotate(keyId: string): Promise<{ key: string; record: ApiKeyRecord } | null> {
    return this.db.transaction(async (tx) => {
      const repo = new ApiKeysRepo(tx);
      const old = await repo.find(keyId);
      if (!old || old.revokedAt || !isRole(old.role) || !(await repo.revoke(keyId))) return null;
      return repo.create({ name: old.name, organisationId: old.organisationId, role: old.role, scopes: old.scopes, expiresAt: old.expiresAt });
    });
  }
}

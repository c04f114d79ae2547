import { index, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

/** The hub's own tables: organisations, API keys, audit and outbox. */
export const hub = pgSchema('hub');

export const organisations = hub.table('organisations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
});

export const apiKeys = hub.table(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    organisationId: text('organisation_id').notNull(),
    role: text('role').notNull(),
    scopes: text('scopes').array().notNull().default([]),
    /** SHA-256 of the whole key, hex: the key itself is never stored. */
    digest: text('digest').notNull().unique(),
    /** First characters of the key, so a person can tell keys apart in listings. */
    displayPrefix: text('display_prefix').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_organisation_idx').on(t.organisationId)],
);

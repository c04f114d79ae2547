import { bigserial, index, jsonb, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

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

/**
 * Who read which metering point's personal data, when: append-only (a trigger refuses UPDATE
 * and DELETE), written in the same request that read the data.
 */
export const accessLog = hub.table(
  'access_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    keyId: text('key_id').notNull(),
    organisationId: text('organisation_id').notNull(),
    requestId: text('request_id').notNull(),
    meteringPointId: text('metering_point_id').notNull(),
    /** loadCurve, events, ... */
    resource: text('resource').notNull(),
    periodFrom: timestamp('period_from', { withTimezone: true }),
    periodTo: timestamp('period_to', { withTimezone: true }),
  },
  (t) => [index('access_log_point_idx').on(t.meteringPointId, t.at)],
);

/**
 * Events, written in the same transaction as the change that caused them. Writers take an
 * advisory lock just before inserting (held to commit), so ids become visible in id order: a
 * reader that follows "id > last seen" can never skip a row that commits late.
 */
export const outbox = hub.table('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** CONTRACTED_POWER_ORDER, FLEX_REQUEST, ... (see schema/events.ts). */
  type: text('type').notNull(),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  /** Organisations the event is addressed to besides the DSO; empty means every market party. */
  audience: text('audience').array().notNull(),
  payload: jsonb('payload').notNull(),
});

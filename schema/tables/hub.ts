import { bigserial, index, jsonb, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';
import { CONSENT_SCOPES } from '../access';

/** The hub's own tables: organisations, API keys, consents, audit and outbox. */
export const hub = pgSchema('hub');

/** What a customer lets another party read about its metering point (schema/access.ts). */
export const consentScope = hub.enum('consent_scope', CONSENT_SCOPES);

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
    /** The reader's role; null on lines written before roles were recorded. */
    role: text('role'),
    /** The field that returned the data: loadCurve, events, tariff, ... */
    resource: text('resource').notNull(),
    periodFrom: timestamp('period_from', { withTimezone: true }),
    periodTo: timestamp('period_to', { withTimezone: true }),
  },
  (t) => [index('access_log_point_idx').on(t.meteringPointId, t.at), index('access_log_at_idx').on(t.at)],
);

/**
 * A customer's consent for one organisation (an aggregator or a researcher) to read its metering
 * point's data of the given scopes, for the data of [valid_from, valid_to), while in force: until
 * valid_to (then EXPIRED) or until revoked (REVOKED), whichever comes first.
 */
export const consents = hub.table(
  'consents',
  {
    id: text('id').primaryKey(),
    meteringPointId: text('metering_point_id').notNull(),
    organisationId: text('organisation_id').notNull(),
    scopes: consentScope('scopes').array().notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true }).notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    /** The key that granted it: the customer's own, or the DSO's acting on the customer's behalf. */
    grantedByKeyId: text('granted_by_key_id').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedByKeyId: text('revoked_by_key_id'),
  },
  (t) => [index('consents_point_idx').on(t.meteringPointId), index('consents_organisation_idx').on(t.organisationId, t.meteringPointId)],
);

/** Every mutation that changed something, written in the mutation's own transaction; append-only like access_log. */
export const auditLog = hub.table(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    keyId: text('key_id').notNull(),
    organisationId: text('organisation_id').notNull(),
    role: text('role').notNull(),
    requestId: text('request_id').notNull(),
    /** The mutation field, e.g. grantConsent. */
    operation: text('operation').notNull(),
    /** What it acted on: an order, a consent, an idempotency key. */
    target: text('target').notNull(),
    /** A short account of the change, for people: "9,960 readings inserted". */
    detail: text('detail').notNull(),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_organisation_idx').on(t.organisationId, t.at)],
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

import { doublePrecision, text, timestamp } from 'drizzle-orm/pg-core';
import { deviceState, hems } from './hems';

/**
 * Device states and powers as HEMS report them, partitioned by UTC day (migrations/0016) and
 * append-only: drizzle-kit cannot express partitioning, so this file is left out of its
 * generation (tools/drizzle.config.ts) and the table is declared here only for typed queries.
 */
export const hemsTelemetry = hems.table('telemetry', {
  hemsId: text('hems_id').notNull(),
  deviceId: text('device_id').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  state: deviceState('state').notNull(),
  powerKw: doublePrecision('power_kw').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

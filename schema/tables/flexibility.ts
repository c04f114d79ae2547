import { index, pgSchema, real, text, timestamp } from 'drizzle-orm/pg-core';

/** The DSO's flexibility market: requests, offers, orders, settlement. */
export const flexibility = pgSchema('flexibility');

export const flexRequests = flexibility.table(
  'flex_requests',
  {
    id: text('id').primaryKey(),
    secondarySubstationId: text('secondary_substation_id').notNull(),
    /** DOWN (less consumption) or UP. */
    direction: text('direction').notNull(),
    powerKw: real('power_kw').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    windowEnd: timestamp('window_end', { withTimezone: true }).notNull(),
    /** OPEN, CLOSED or CANCELLED. */
    status: text('status').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('flex_requests_window_idx').on(t.windowStart, t.id)],
);

import { index, jsonb, pgSchema, primaryKey, real, text, timestamp } from 'drizzle-orm/pg-core';

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

/** Emergency orders to cap customers' power in an area for a while (UPGRID demo use case). */
export const contractedPowerOrders = flexibility.table('contracted_power_orders', {
  id: text('id').primaryKey(),
  /** ISSUED, RESTORED or CANCELLED; ACTIVE is derived (issued and started). */
  status: text('status').notNull(),
  reductionPercent: real('reduction_percent').notNull(),
  start: timestamp('start', { withTimezone: true }).notNull(),
  expectedEnd: timestamp('expected_end', { withTimezone: true }).notNull(),
  reason: text('reason').notNull(),
  /** The area as given: { primarySubstationId?, secondarySubstationIds?, feederIds? }. */
  area: jsonb('area').notNull(),
  issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
  restoredAt: timestamp('restored_at', { withTimezone: true }),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
});

/** The metering points an order affects, as they were when it was issued. */
export const contractedPowerOrderPoints = flexibility.table(
  'contracted_power_order_points',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => contractedPowerOrders.id),
    meteringPointId: text('metering_point_id').notNull(),
    retailerId: text('retailer_id').notNull(),
    contractedPowerKva: real('contracted_power_kva').notNull(),
    temporaryMaxPowerKw: real('temporary_max_power_kw').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.meteringPointId] }), index('cpo_points_retailer_idx').on(t.orderId, t.retailerId)],
);

export const contractedPowerOrderAcks = flexibility.table(
  'contracted_power_order_acks',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => contractedPowerOrders.id),
    organisationId: text('organisation_id').notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.organisationId] })],
);

/** Flexibility's published contract (migrations/0017): the points each open order covers, for HEMS. */
export const openOrderPointsView = flexibility
  .view('open_order_points_v', {
    orderId: text('order_id').notNull(),
    /** CONTRACTED_POWER_ORDER, or FLEX_ORDER once the market orders flexibility. */
    reason: text('reason').notNull(),
    meteringPointId: text('metering_point_id').notNull(),
    retailerId: text('retailer_id').notNull(),
    start: timestamp('start', { withTimezone: true }).notNull(),
    expectedEnd: timestamp('expected_end', { withTimezone: true }).notNull(),
  })
  .existing();

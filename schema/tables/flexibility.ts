import { sql } from 'drizzle-orm';
import { bigint, check, date, doublePrecision, index, integer, jsonb, pgSchema, primaryKey, real, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { CONGESTION_POINT_KINDS, FLEX_OFFER_STATUSES, FLEX_ORDER_STATUSES, FLEX_REQUEST_CLOSE_REASONS, FLEX_REQUEST_STATUSES } from '../flexibility';

/** The DSO's flexibility market: requests, offers, orders, settlement. */
export const flexibility = pgSchema('flexibility');

export const congestionPointKindEnum = flexibility.enum('congestion_point_kind', CONGESTION_POINT_KINDS);
export const flexRequestStatus = flexibility.enum('flex_request_status', FLEX_REQUEST_STATUSES);
export const flexRequestCloseReason = flexibility.enum('flex_request_close_reason', FLEX_REQUEST_CLOSE_REASONS);
export const flexOfferStatus = flexibility.enum('flex_offer_status', FLEX_OFFER_STATUSES);
export const flexOrderStatus = flexibility.enum('flex_order_status', FLEX_ORDER_STATUSES);

/**
 * A DSO request for flexibility at a congestion point, per ISP (flex_request_isps). `revision`
 * counts revisions from 1; `periodStart`/`periodEnd` span its ISPs. Closing it (by the DSO, or
 * the close job once periodEnd has passed) sends FLEX_RESTORE; `restoredAt` is when.
 */
export const flexRequests = flexibility.table(
  'flex_requests',
  {
    id: text('id').primaryKey(),
    congestionPointKind: congestionPointKindEnum('congestion_point_kind').notNull(),
    congestionPointId: text('congestion_point_id').notNull(),
    /** The secondary substation of the congestion point (itself, or the feeder's). */
    secondarySubstationId: text('secondary_substation_id').notNull(),
    /** Grid's flexibility need the request answers (grid.flexibility_needs_v), if any. */
    needId: text('need_id'),
    status: flexRequestStatus('status').notNull(),
    revision: integer('revision').notNull().default(1),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    periodEnd: timestamp('period_end', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revisedAt: timestamp('revised_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closeReason: flexRequestCloseReason('close_reason'),
    restoredAt: timestamp('restored_at', { withTimezone: true }),
  },
  (t) => [
    index('flex_requests_period_idx').on(t.status, t.periodEnd),
    index('flex_requests_created_idx').on(t.createdAt, t.id),
    check('flex_requests_period', sql`${t.periodEnd} > ${t.periodStart}`),
    check('flex_requests_closed', sql`(${t.status} = 'CLOSED') = (${t.closedAt} IS NOT NULL AND ${t.closeReason} IS NOT NULL)`),
  ],
);

/** The requested reduction per ISP of the request's current revision: at least minKw, at most maxKw. */
export const flexRequestIsps = flexibility.table(
  'flex_request_isps',
  {
    requestId: text('request_id')
      .notNull()
      .references(() => flexRequests.id),
    start: timestamp('start', { withTimezone: true }).notNull(),
    minKw: doublePrecision('min_kw').notNull(),
    maxKw: doublePrecision('max_kw').notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.start] }), check('flex_request_isps_kw', sql`${t.minKw} > 0 AND ${t.maxKw} >= ${t.minKw}`)],
);

/**
 * The organisations a request was published to when created or revised (retailers and
 * aggregators with customers behind its congestion point): they, and the DSO, see it and may offer.
 */
export const flexRequestRecipients = flexibility.table(
  'flex_request_recipients',
  {
    requestId: text('request_id')
      .notNull()
      .references(() => flexRequests.id),
    organisationId: text('organisation_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.organisationId] }), index('flex_request_recipients_org_idx').on(t.organisationId, t.requestId)],
);

/**
 * An offer to a request's revision. The idempotency key is the offerer's: (organisation, key)
 * is unique, and `contentHash` tells a repeat (the first result) from other content (CONFLICT).
 */
export const flexOffers = flexibility.table(
  'flex_offers',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => flexRequests.id),
    requestRevision: integer('request_revision').notNull(),
    organisationId: text('organisation_id').notNull(),
    status: flexOfferStatus('status').notNull(),
    priceEurPerKwh: doublePrecision('price_eur_per_kwh').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    contentHash: text('content_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    unique('flex_offers_idempotency').on(t.organisationId, t.idempotencyKey),
    index('flex_offers_request_idx').on(t.requestId, t.organisationId),
    check('flex_offers_price', sql`${t.priceEurPerKwh} >= 0`),
    check('flex_offers_not_expired_stored', sql`${t.status} <> 'EXPIRED'`),
  ],
);

/** The offered reduction per ISP (kW averaged over the ISP). */
export const flexOfferIsps = flexibility.table(
  'flex_offer_isps',
  {
    offerId: text('offer_id')
      .notNull()
      .references(() => flexOffers.id),
    start: timestamp('start', { withTimezone: true }).notNull(),
    kw: doublePrecision('kw').notNull(),
  },
  (t) => [primaryKey({ columns: [t.offerId, t.start] }), check('flex_offer_isps_kw', sql`${t.kw} > 0`)],
);

/** The DSO's order of an offer (at most one per offer), fully or scaled by an activation factor in (0, 1]. */
export const flexOrders = flexibility.table(
  'flex_orders',
  {
    id: text('id').primaryKey(),
    offerId: text('offer_id')
      .notNull()
      .unique()
      .references(() => flexOffers.id),
    requestId: text('request_id')
      .notNull()
      .references(() => flexRequests.id),
    organisationId: text('organisation_id').notNull(),
    status: flexOrderStatus('status').notNull(),
    activationFactor: doublePrecision('activation_factor').notNull(),
    orderedAt: timestamp('ordered_at', { withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [
    index('flex_orders_request_idx').on(t.requestId),
    index('flex_orders_org_idx').on(t.organisationId, t.orderedAt, t.id),
    index('flex_orders_ordered_idx').on(t.orderedAt, t.id),
    check('flex_orders_factor', sql`${t.activationFactor} > 0 AND ${t.activationFactor} <= 1`),
  ],
);

/** What the offerer reports it effectively shifted, per HEMS of the order and ISP; a later report of the same pair replaces it. */
export const flexActivations = flexibility.table(
  'flex_activations',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => flexOrders.id),
    hemsId: text('hems_id').notNull(),
    start: timestamp('start', { withTimezone: true }).notNull(),
    kw: doublePrecision('kw').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.hemsId, t.start] }), check('flex_activations_kw', sql`${t.kw} >= 0`)],
);

/**
 * An order's settlement from metered data (flex-settlement.rules.ts): the baseline's days and the
 * order's metering points, the amount in micro-euros so that sums are exact.
 */
export const flexSettlements = flexibility.table('flex_settlements', {
  orderId: text('order_id')
    .primaryKey()
    .references(() => flexOrders.id),
  baselineDays: date('baseline_days', { mode: 'string' }).array().notNull(),
  meteringPointIds: text('metering_point_ids').array().notNull(),
  amountMicroEur: bigint('amount_micro_eur', { mode: 'number' }).notNull(),
  settledAt: timestamp('settled_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Per ISP of a settled order: baseline, ordered, actual, delivered and deficiency, in kW over the ISP. */
export const flexSettlementIsps = flexibility.table(
  'flex_settlement_isps',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => flexSettlements.orderId),
    start: timestamp('start', { withTimezone: true }).notNull(),
    baselineKw: doublePrecision('baseline_kw').notNull(),
    orderedKw: doublePrecision('ordered_kw').notNull(),
    actualKw: doublePrecision('actual_kw').notNull(),
    deliveredKw: doublePrecision('delivered_kw').notNull(),
    deficiencyKw: doublePrecision('deficiency_kw').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.start] })],
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

/** Flexibility's published contract (migrations/0026): the period each flex order not cancelled is settled over, for HEMS. */
export const flexOrderPeriodsView = flexibility
  .view('flex_order_periods_v', {
    orderId: text('order_id').notNull(),
    organisationId: text('organisation_id').notNull(),
    start: timestamp('start', { withTimezone: true }).notNull(),
    end: timestamp('end', { withTimezone: true }).notNull(),
  })
  .existing();

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

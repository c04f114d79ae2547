import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, index, pgSchema, smallint, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { DEVICE_KINDS, DEVICE_STATES, HEMS_COMMAND_KINDS, HEMS_COMMAND_REASONS, HEMS_COMMAND_STATUSES, HEMS_PROTOCOLS } from '../hems';

/** Home energy management systems at customers, the devices they control and the customers' conditions. */
export const hems = pgSchema('hems');

export const deviceKind = hems.enum('device_kind', DEVICE_KINDS);
export const deviceState = hems.enum('device_state', DEVICE_STATES);
export const hemsProtocol = hems.enum('protocol', HEMS_PROTOCOLS);
export const hemsCommandKind = hems.enum('command_kind', HEMS_COMMAND_KINDS);
export const hemsCommandStatus = hems.enum('command_status', HEMS_COMMAND_STATUSES);
export const hemsCommandReason = hems.enum('command_reason', HEMS_COMMAND_REASONS);

export const hemsSystems = hems.table('systems', {
  id: text('id').primaryKey(),
  meteringPointId: text('metering_point_id').notNull().unique(),
  vendor: text('vendor').notNull(),
  protocol: hemsProtocol('protocol').notNull().default('MQTT'),
  installedAt: timestamp('installed_at', { withTimezone: true }).notNull(),
  /** Set by a telemetry report, cleared by the presence sweep after HEMS_OFFLINE_AFTER_S without one. */
  online: boolean('online').notNull().default(false),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
  /** The key whose report was the last one: the demo's simulated fleet stops speaking for a HEMS someone else reports for. */
  lastReportKeyId: text('last_report_key_id'),
});

/** Devices with their present state, as the newest telemetry report gave it (the history is in hems.telemetry). */
export const devices = hems.table(
  'devices',
  {
    id: text('id').primaryKey(),
    hemsId: text('hems_id')
      .notNull()
      .references(() => hemsSystems.id),
    kind: deviceKind('kind').notNull(),
    ratedPowerKw: doublePrecision('rated_power_kw').notNull(),
    /** Whether the HEMS can switch or modulate it at all; the customer's conditions are in flexible_loads. */
    controllable: boolean('controllable').notNull().default(true),
    state: deviceState('state'),
    powerKw: doublePrecision('power_kw'),
    /** When the HEMS measured state and power (the report's `at`). */
    stateAt: timestamp('state_at', { withTimezone: true }),
  },
  (t) => [
    index('devices_hems_idx').on(t.hemsId),
    check('devices_rated_power_positive', sql`${t.ratedPowerKw} > 0`),
    check('devices_power_in_rating', sql`${t.powerKw} IS NULL OR (${t.powerKw} >= 0 AND ${t.powerKw} <= ${t.ratedPowerKw})`),
  ],
);

/**
 * A customer's conditions for one device: the local-time window it may be touched in (over
 * midnight when the end is not after the start; equal means all day), the longest shift or
 * interruption, the least it must run once started, its priority (1 is touched first) and an
 * opt-out that keeps the conditions but offers nothing.
 */
export const flexibleLoads = hems.table(
  'flexible_loads',
  {
    id: text('id').primaryKey(),
    hemsId: text('hems_id')
      .notNull()
      .references(() => hemsSystems.id),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    /** Minutes after local midnight, 0..1439. */
    earliestStartMinute: smallint('earliest_start_minute').notNull(),
    latestEndMinute: smallint('latest_end_minute').notNull(),
    maxShiftMinutes: smallint('max_shift_minutes').notNull(),
    minRunMinutes: smallint('min_run_minutes').notNull(),
    priority: smallint('priority').notNull(),
    optedOut: boolean('opted_out').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('flexible_loads_device_key').on(t.deviceId),
    index('flexible_loads_hems_idx').on(t.hemsId),
    check('flexible_loads_window_minutes', sql`${t.earliestStartMinute} BETWEEN 0 AND 1439 AND ${t.latestEndMinute} BETWEEN 0 AND 1439`),
    check('flexible_loads_durations', sql`${t.maxShiftMinutes} BETWEEN 0 AND 1440 AND ${t.minRunMinutes} BETWEEN 0 AND 1440`),
    check('flexible_loads_priority', sql`${t.priority} BETWEEN 1 AND 99`),
  ],
);

/** What a retailer (or aggregator) asked a HEMS to do, why, and what came of it. */
export const hemsCommands = hems.table(
  'commands',
  {
    id: text('id').primaryKey(),
    hemsId: text('hems_id')
      .notNull()
      .references(() => hemsSystems.id),
    /** The device it acts on; null for the whole HEMS (a RESTORE of everything, say). */
    deviceId: text('device_id').references(() => devices.id),
    kind: hemsCommandKind('kind').notNull(),
    /** CURTAIL: the power the device may draw at most. */
    targetPowerKw: doublePrecision('target_power_kw'),
    start: timestamp('start', { withTimezone: true }).notNull(),
    end: timestamp('end', { withTimezone: true }).notNull(),
    reason: hemsCommandReason('reason').notNull(),
    orderId: text('order_id').notNull(),
    /** The organisation that sent it: only it sees the command and its outcome. */
    issuerId: text('issuer_id').notNull(),
    issuedByKeyId: text('issued_by_key_id').notNull(),
    status: hemsCommandStatus('status').notNull().default('SENT'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    /** The HEMS must answer by then, or the command is EXPIRED. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    executedAt: timestamp('executed_at', { withTimezone: true }),
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    expiredAt: timestamp('expired_at', { withTimezone: true }),
    /** What the HEMS said with its outcome (why it rejected, say). */
    outcomeDetail: text('outcome_detail'),
  },
  (t) => [
    index('commands_hems_idx').on(t.hemsId, t.start),
    index('commands_issuer_idx').on(t.issuerId, t.issuedAt),
    // A flex order's HEMS and settlement read its commands by order (hems.flex_order_commands_v).
    index('commands_order_idx').on(t.orderId),
    index('commands_open_idx').on(t.expiresAt).where(sql`${t.status} = 'SENT'`),
    check('commands_window', sql`${t.end} > ${t.start}`),
    check('commands_target_power', sql`(${t.kind} = 'CURTAIL') = (${t.targetPowerKw} IS NOT NULL) AND (${t.targetPowerKw} IS NULL OR ${t.targetPowerKw} >= 0)`),
  ],
);

/** The published contract (migrations/0024): commands sent for flex orders, with the HEMS's point, for flexibility. */
export const flexOrderCommandsView = hems
  .view('flex_order_commands_v', {
    commandId: text('command_id').notNull(),
    orderId: text('order_id').notNull(),
    hemsId: text('hems_id').notNull(),
    meteringPointId: text('metering_point_id').notNull(),
    issuerId: text('issuer_id').notNull(),
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    start: timestamp('start', { withTimezone: true }).notNull(),
    end: timestamp('end', { withTimezone: true }).notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    /** A SHIFT or CURTAIL the HEMS did not refuse and that did not go unanswered: the household is held for the order (a RESTORE holds nothing). */
    holds: boolean('holds').notNull(),
  })
  .existing();

/** The published contract (migrations): which HEMS exist and behind which point, for the gateway's key binding. */
export const hemsSystemsView = hems
  .view('systems_v', {
    hemsId: text('hems_id').notNull(),
    meteringPointId: text('metering_point_id').notNull(),
  })
  .existing();

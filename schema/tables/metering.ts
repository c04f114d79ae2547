import { bigint, bigserial, index, integer, jsonb, pgSchema, primaryKey, real, smallint, text, timestamp, unique } from 'drizzle-orm/pg-core';

/** What the InovGrid infrastructure measures, and who supplies each metering point. */
export const metering = pgSchema('metering');

export const meteringPoints = metering.table(
  'metering_points',
  {
    /** CPE (código de ponto de entrega), the Portuguese metering point code. */
    id: text('id').primaryKey(),
    /** Compact internal key: readings are keyed by it to keep a billion-row table small. */
    key: integer('key').notNull().unique(),
    /** BTN_A, BTN_B or BTN_C: the E-REDES standard profile class. */
    customerClass: text('customer_class').notNull(),
    /** RESIDENTIAL, COMMERCIAL, EV_CHARGING or PUBLIC_LIGHTING. */
    usage: text('usage').notNull(),
    contractedPowerKva: real('contracted_power_kva').notNull(),
    pvCapacityKwp: real('pv_capacity_kwp').notNull().default(0),
    annualConsumptionKwh: real('annual_consumption_kwh').notNull(),
    /** The current supplier; its history is in supply_contracts. */
    retailerId: text('retailer_id').notNull(),
  },
  (t) => [index('metering_points_retailer_idx').on(t.retailerId, t.id)],
);

export const supplyContracts = metering.table(
  'supply_contracts',
  {
    meteringPointId: text('metering_point_id')
      .notNull()
      .references(() => meteringPoints.id),
    retailerId: text('retailer_id').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    /** Null while the contract runs. */
    validTo: timestamp('valid_to', { withTimezone: true }),
  },
  (t) => [index('supply_contracts_point_idx').on(t.meteringPointId, t.validFrom), index('supply_contracts_retailer_idx').on(t.retailerId)],
);

/**
 * Exact totals per 15-minute interval for each area and retailer, kept in step with the readings
 * by every ingest (revisions included), so area demand never scans raw readings.
 * scope_kind: see DemandScopeKind in subgraphs/metering/demand.rules.ts.
 */
export const demandRollups = metering.table(
  'demand_rollups',
  {
    scopeKind: smallint('scope_kind').notNull(),
    /** Empty for the whole network. */
    scopeId: text('scope_id').notNull(),
    intervalStart: timestamp('interval_start', { withTimezone: true }).notNull(),
    importWh: bigint('import_wh', { mode: 'number' }).notNull(),
    exportWh: bigint('export_wh', { mode: 'number' }).notNull(),
    /** How many metering points reported for the interval: coverage, and the privacy threshold. */
    readingCount: integer('reading_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.intervalStart] })],
);

/** One row per ingest idempotency key: a replay answers the stored result and writes nothing. */
export const ingestBatches = metering.table('ingest_batches', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  organisationId: text('organisation_id').notNull(),
  /** SHA-256 of the batch: the same key with other content is a CONFLICT, not a replay. */
  payloadDigest: text('payload_digest').notNull(),
  result: jsonb('result').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const meterEvents = metering.table(
  'meter_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    meteringPointKey: integer('metering_point_key').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    /** POWER_OUTAGE, POWER_RESTORED, VOLTAGE_SAG, VOLTAGE_SWELL, CONTRACTED_POWER_EXCEEDED, TAMPER. */
    kind: text('kind').notNull(),
    /** INFO, WARNING, CRITICAL. */
    severity: text('severity').notNull(),
  },
  (t) => [unique('meter_events_point_time_kind').on(t.meteringPointKey, t.occurredAt, t.kind)],
);

/** DTC readings at a secondary substation: per-phase active and reactive power and voltage. */
export const substationMeasurements = metering.table(
  'substation_measurements',
  {
    secondarySubstationId: text('secondary_substation_id').notNull(),
    intervalStart: timestamp('interval_start', { withTimezone: true }).notNull(),
    activePowerAKw: real('active_power_a_kw').notNull(),
    activePowerBKw: real('active_power_b_kw').notNull(),
    activePowerCKw: real('active_power_c_kw').notNull(),
    reactivePowerAKvar: real('reactive_power_a_kvar').notNull(),
    reactivePowerBKvar: real('reactive_power_b_kvar').notNull(),
    reactivePowerCKvar: real('reactive_power_c_kvar').notNull(),
    voltageAV: real('voltage_a_v').notNull(),
    voltageBV: real('voltage_b_v').notNull(),
    voltageCV: real('voltage_c_v').notNull(),
  },
  (t) => [primaryKey({ columns: [t.secondarySubstationId, t.intervalStart] })],
);

/** Metering's published contract (migrations/0006): who supplies each point and its contracted power. */
export const meteringPointsView = metering
  .view('metering_points_v', {
    meteringPointId: text('metering_point_id').notNull(),
    retailerId: text('retailer_id').notNull(),
    contractedPowerKva: real('contracted_power_kva').notNull(),
  })
  .existing();

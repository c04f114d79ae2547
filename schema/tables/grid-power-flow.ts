import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, primaryKey, real, text, timestamp } from 'drizzle-orm/pg-core';
import { feeders, grid, secondarySubstations } from './grid';

export const POWER_FLOW_SOURCES = ['MEASURED', 'FORECAST'] as const;
export const CONGESTION_POINT_KINDS = ['FEEDER', 'SECONDARY_SUBSTATION'] as const;

export const powerFlowSource = grid.enum('power_flow_source', POWER_FLOW_SOURCES);
export const congestionPointKind = grid.enum('congestion_point_kind', CONGESTION_POINT_KINDS);

/** A run of the power flow over a window, for a set of secondary substations (runPowerFlow). */
export const powerFlowRuns = grid.table(
  'power_flow_runs',
  {
    id: text('id').primaryKey(),
    source: powerFlowSource('source').notNull(),
    start: timestamp('start', { withTimezone: true }).notNull(),
    end: timestamp('end', { withTimezone: true }).notNull(),
    intervals: integer('intervals').notNull(),
    requestedBy: text('requested_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('power_flow_runs_window_check', sql`${t.end} > ${t.start}`)],
);

/** One secondary substation's figures in a run: what everyone allowed to see the area reads. */
export const powerFlowSubstationResults = grid.table(
  'power_flow_substation_results',
  {
    runId: text('run_id')
      .notNull()
      .references(() => powerFlowRuns.id),
    secondarySubstationId: text('secondary_substation_id')
      .notNull()
      .references(() => secondarySubstations.id),
    /** Per phase, in pu of the 230 V nominal. */
    minVoltagePuA: doublePrecision('min_voltage_pu_a').notNull(),
    minVoltagePuB: doublePrecision('min_voltage_pu_b').notNull(),
    minVoltagePuC: doublePrecision('min_voltage_pu_c').notNull(),
    maxVoltagePuA: doublePrecision('max_voltage_pu_a').notNull(),
    maxVoltagePuB: doublePrecision('max_voltage_pu_b').notNull(),
    maxVoltagePuC: doublePrecision('max_voltage_pu_c').notNull(),
    maxLineLoadingPercent: doublePrecision('max_line_loading_percent').notNull(),
    maxTransformerLoadingPercent: doublePrecision('max_transformer_loading_percent').notNull(),
    lossesKwh: doublePrecision('losses_kwh').notNull(),
    iterations: integer('iterations').notNull(),
    /** Readings absent in the window (MEASURED), taken as no consumption. */
    missingReadings: integer('missing_readings').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.secondarySubstationId] }), index('power_flow_substation_results_latest_idx').on(t.secondarySubstationId, t.createdAt)],
);

/** Per bus, the extremes over the run (V, line-to-neutral): the DSO's detail. */
export const powerFlowBusResults = grid.table(
  'power_flow_bus_results',
  {
    runId: text('run_id')
      .notNull()
      .references(() => powerFlowRuns.id),
    secondarySubstationId: text('secondary_substation_id').notNull(),
    busId: text('bus_id').notNull(),
    feederId: text('feeder_id'),
    minVoltageA: real('min_voltage_a').notNull(),
    minVoltageB: real('min_voltage_b').notNull(),
    minVoltageC: real('min_voltage_c').notNull(),
    maxVoltageA: real('max_voltage_a').notNull(),
    maxVoltageB: real('max_voltage_b').notNull(),
    maxVoltageC: real('max_voltage_c').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.busId] })],
);

/** Per line segment, the largest phase currents over the run and its worst loading. */
export const powerFlowSegmentResults = grid.table(
  'power_flow_segment_results',
  {
    runId: text('run_id')
      .notNull()
      .references(() => powerFlowRuns.id),
    secondarySubstationId: text('secondary_substation_id').notNull(),
    segmentId: text('segment_id').notNull(),
    feederId: text('feeder_id'),
    maxCurrentA: real('max_current_a').notNull(),
    maxCurrentB: real('max_current_b').notNull(),
    maxCurrentC: real('max_current_c').notNull(),
    /** Null when the segment's ampacity is unknown. */
    maxLoadingPercent: real('max_loading_percent'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.segmentId] })],
);

/** How much less consumption behind a congestion point would remove the violations a run found. */
export const flexibilityNeeds = grid.table(
  'flexibility_needs',
  {
    id: text('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => powerFlowRuns.id),
    secondarySubstationId: text('secondary_substation_id')
      .notNull()
      .references(() => secondarySubstations.id),
    congestionPointKind: congestionPointKind('congestion_point_kind').notNull(),
    /** The feeder, or the secondary substation itself. */
    congestionPointId: text('congestion_point_id').notNull(),
    feederId: text('feeder_id').references(() => feeders.id),
  },
  (t) => [
    index('flexibility_needs_run_idx').on(t.runId),
    check('flexibility_needs_point_check', sql`(${t.congestionPointKind} = 'FEEDER') = (${t.feederId} IS NOT NULL)`),
  ],
);

export const flexibilityNeedIntervals = grid.table(
  'flexibility_need_intervals',
  {
    needId: text('need_id')
      .notNull()
      .references(() => flexibilityNeeds.id),
    intervalStart: timestamp('interval_start', { withTimezone: true }).notNull(),
    reductionKw: doublePrecision('reduction_kw').notNull(),
  },
  (t) => [primaryKey({ columns: [t.needId, t.intervalStart] }), check('flexibility_need_intervals_positive_check', sql`${t.reductionKw} > 0`)],
);

/** Grid's published contract (migrations/0024): each flexibility need's reduction per 15-minute interval, for flexibility's requests. */
export const flexibilityNeedsView = grid
  .view('flexibility_needs_v', {
    needId: text('need_id').notNull(),
    runId: text('run_id').notNull(),
    congestionPointKind: text('congestion_point_kind').notNull(),
    congestionPointId: text('congestion_point_id').notNull(),
    secondarySubstationId: text('secondary_substation_id').notNull(),
    intervalStart: timestamp('interval_start', { withTimezone: true }).notNull(),
    reductionKw: doublePrecision('reduction_kw').notNull(),
  })
  .existing();

import { sql } from 'drizzle-orm';
import { check, doublePrecision, foreignKey, index, text, timestamp } from 'drizzle-orm/pg-core';
import { GRID_ASSET_KINDS, GRID_CONSTRAINT_KINDS, GRID_CONSTRAINT_SOURCES, GRID_CONSTRAINT_STATUSES, GRID_CONSTRAINT_UNITS } from '../grid-constraints';
import { feeders, grid, secondarySubstations } from './grid';
import { powerFlowRuns } from './grid-power-flow';

export const gridConstraintKind = grid.enum('constraint_kind', GRID_CONSTRAINT_KINDS);
export const gridConstraintSource = grid.enum('constraint_source', GRID_CONSTRAINT_SOURCES);
export const gridConstraintStatus = grid.enum('constraint_status', GRID_CONSTRAINT_STATUSES);
export const gridConstraintUnit = grid.enum('constraint_unit', GRID_CONSTRAINT_UNITS);
export const gridConstraintAssetKind = grid.enum('constraint_asset_kind', GRID_ASSET_KINDS);

/**
 * What limits the network in a window: found by power-flow runs or declared by the DSO. Severity
 * is not stored: it follows from kind, limit and value (subgraphs/grid/grid-constraint.rules.ts).
 */
export const gridConstraints = grid.table(
  'constraints',
  {
    id: text('id').primaryKey(),
    kind: gridConstraintKind('kind').notNull(),
    source: gridConstraintSource('source').notNull(),
    status: gridConstraintStatus('status').notNull().default('ACTIVE'),
    secondarySubstationId: text('secondary_substation_id')
      .notNull()
      .references(() => secondarySubstations.id),
    /** The feeder it is on, one of the substation's (the foreign key below); null for the whole secondary substation. */
    feederId: text('feeder_id'),
    assetKind: gridConstraintAssetKind('asset_kind').notNull(),
    /** The transformer's secondary substation, the feeder, or the line segment's or bus's id in the network model. */
    assetId: text('asset_id').notNull(),
    start: timestamp('start', { withTimezone: true }).notNull(),
    end: timestamp('end', { withTimezone: true }).notNull(),
    limit: doublePrecision('limit').notNull(),
    value: doublePrecision('value').notNull(),
    unit: gridConstraintUnit('unit').notNull(),
    description: text('description').notNull(),
    /** The run that found it (source POWER_FLOW). */
    powerFlowRunId: text('power_flow_run_id').references(() => powerFlowRuns.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    clearedAt: timestamp('cleared_at', { withTimezone: true }),
  },
  (t) => [
    index('constraints_substation_start_idx').on(t.secondarySubstationId, t.start),
    index('constraints_start_idx').on(t.start),
    index('constraints_run_idx').on(t.powerFlowRunId),
    foreignKey({ name: 'constraints_feeder_fk', columns: [t.feederId, t.secondarySubstationId], foreignColumns: [feeders.id, feeders.secondarySubstationId] }),
    check('constraints_window_check', sql`${t.end} > ${t.start}`),
    check('constraints_cleared_check', sql`(${t.status} = 'CLEARED') = (${t.clearedAt} IS NOT NULL)`),
    check('constraints_run_check', sql`(${t.source} = 'POWER_FLOW') = (${t.powerFlowRunId} IS NOT NULL)`),
  ],
);

import { integer, smallint, timestamp } from 'drizzle-orm/pg-core';
import { metering } from './metering';

/**
 * 15-minute readings, partitioned by month (migrations/0003): drizzle-kit cannot express
 * partitioning, so this file is left out of its generation (tools/drizzle.config.ts) and the
 * table is declared here only for typed queries.
 */
export const readings = metering.table('readings', {
  meteringPointKey: integer('metering_point_key').notNull(),
  intervalStart: timestamp('interval_start', { withTimezone: true }).notNull(),
  importWh: integer('import_wh').notNull(),
  exportWh: integer('export_wh').notNull(),
  /** 0 MEASURED, 1 ESTIMATED, 2 SUBSTITUTED. */
  quality: smallint('quality').notNull(),
  revision: smallint('revision').notNull(),
});

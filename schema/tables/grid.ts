import { index, pgSchema, real, text } from 'drizzle-orm/pg-core';

/** The LV network: substations, feeders, and which feeder and phase each metering point hangs on. */
export const grid = pgSchema('grid');

export const primarySubstations = grid.table('primary_substations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
});

export const secondarySubstations = grid.table(
  'secondary_substations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    primarySubstationId: text('primary_substation_id')
      .notNull()
      .references(() => primarySubstations.id),
    ratedPowerKva: real('rated_power_kva').notNull(),
    latitude: real('latitude').notNull(),
    longitude: real('longitude').notNull(),
  },
  (t) => [index('secondary_substations_primary_idx').on(t.primarySubstationId)],
);

export const feeders = grid.table(
  'feeders',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    secondarySubstationId: text('secondary_substation_id')
      .notNull()
      .references(() => secondarySubstations.id),
  },
  (t) => [index('feeders_secondary_idx').on(t.secondarySubstationId)],
);

/** Connectivity is the grid's knowledge: metering points are identified by id only. */
export const connections = grid.table(
  'connections',
  {
    meteringPointId: text('metering_point_id').primaryKey(),
    feederId: text('feeder_id')
      .notNull()
      .references(() => feeders.id),
    /** 'A', 'B', 'C' for single-phase customers, 'ABC' for three-phase. */
    phase: text('phase').notNull(),
  },
  (t) => [index('connections_feeder_idx').on(t.feederId)],
);

export const evChargingStations = grid.table('ev_charging_stations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  meteringPointId: text('metering_point_id').notNull().unique(),
  maxPowerKw: real('max_power_kw').notNull(),
});

/** Published contract views (migrations/0001): the only grid relations other domains read. */
export const meteringPointConnectionsView = grid
  .view('metering_point_connections_v', {
    meteringPointId: text('metering_point_id').notNull(),
    phase: text('phase').notNull(),
    feederId: text('feeder_id').notNull(),
    secondarySubstationId: text('secondary_substation_id').notNull(),
    primarySubstationId: text('primary_substation_id').notNull(),
  })
  .existing();

export const substationsView = grid
  .view('substations_v', {
    secondarySubstationId: text('secondary_substation_id').notNull(),
    primarySubstationId: text('primary_substation_id').notNull(),
  })
  .existing();

export const feedersView = grid
  .view('feeders_v', {
    feederId: text('feeder_id').notNull(),
    secondarySubstationId: text('secondary_substation_id').notNull(),
    primarySubstationId: text('primary_substation_id').notNull(),
  })
  .existing();

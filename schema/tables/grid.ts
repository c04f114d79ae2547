import { sql } from 'drizzle-orm';
import { check, doublePrecision, foreignKey, index, pgSchema, real, text, unique } from 'drizzle-orm/pg-core';

/**
 * The LV network: substations with their MV/LV transformer and MV source, feeders, the network
 * model (buses, line segments, line codes) and which feeder, bus and phase each metering point
 * hangs on. The model is what subgraphs/grid/lv-network.ts describes for the power flow.
 */
export const grid = pgSchema('grid');

/** Delta primary, grounded-wye secondary with neutral: what LV distribution uses (lv-network.ts). */
export const TRANSFORMER_CONNECTIONS = ['Dyn'] as const;
export const transformerConnection = grid.enum('transformer_connection', TRANSFORMER_CONNECTIONS);

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
    /** The MV/LV transformer's rating. */
    ratedPowerKva: real('rated_power_kva').notNull(),
    latitude: real('latitude').notNull(),
    longitude: real('longitude').notNull(),
    // The network model below is all there or all absent (a substation not surveyed yet, as rows
    // from before the model have it): a power flow needs every figure.
    /** Line-to-line rated voltages; the secondary's is its no-load voltage. */
    transformerPrimaryKv: doublePrecision('transformer_primary_kv'),
    transformerSecondaryKv: doublePrecision('transformer_secondary_kv'),
    transformerConnection: transformerConnection('transformer_connection'),
    /** Series resistance and leakage reactance, % on the rating. */
    transformerResistancePercent: doublePrecision('transformer_resistance_percent'),
    transformerReactancePercent: doublePrecision('transformer_reactance_percent'),
    /** The MV network behind the transformer, as a Thevenin source given by its short-circuit data. */
    sourceVoltageKv: doublePrecision('source_voltage_kv'),
    sourceVoltagePu: doublePrecision('source_voltage_pu'),
    sourceIsc3A: doublePrecision('source_isc3_a'),
    sourceIsc1A: doublePrecision('source_isc1_a'),
    sourceX1R1: doublePrecision('source_x1_r1'),
    sourceX0R0: doublePrecision('source_x0_r0'),
    /**
     * The bus on the transformer's LV terminals, the root of the feeders' tree. Its foreign key to
     * one of this substation's buses is deferred to commit (migrations/0009_grid_network_model_sql.sql),
     * since a substation and its buses are written together and each refers to the other.
     */
    lvBusId: text('lv_bus_id'),
  },
  (t) => [
    index('secondary_substations_primary_idx').on(t.primarySubstationId),
    check(
      'secondary_substations_model_complete',
      sql`num_nulls(${t.transformerPrimaryKv}, ${t.transformerSecondaryKv}, ${t.transformerConnection}, ${t.transformerResistancePercent},
        ${t.transformerReactancePercent}, ${t.sourceVoltageKv}, ${t.sourceVoltagePu}, ${t.sourceIsc3A}, ${t.sourceIsc1A}, ${t.sourceX1R1},
        ${t.sourceX0R0}, ${t.lvBusId}) IN (0, 12)`,
    ),
    check(
      'secondary_substations_model_values',
      sql`${t.transformerPrimaryKv} > ${t.transformerSecondaryKv} AND ${t.transformerSecondaryKv} > 0
        AND ${t.transformerResistancePercent} >= 0 AND ${t.transformerReactancePercent} >= 0
        AND ${t.sourceVoltageKv} > 0 AND ${t.sourceVoltagePu} > 0 AND ${t.sourceIsc3A} > 0 AND ${t.sourceIsc1A} > 0
        AND ${t.sourceX1R1} >= 0 AND ${t.sourceX0R0} >= 0`,
    ),
  ],
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
  // (id, substation) is a key of its own so that segments can require their buses and feeder under one substation.
  (t) => [index('feeders_secondary_idx').on(t.secondarySubstationId), unique('feeders_id_substation_key').on(t.id, t.secondarySubstationId)],
);

/** Cable and line types with their sequence impedances: a catalogue shared by every substation. */
export const lineCodes = grid.table(
  'line_codes',
  {
    name: text('name').primaryKey(),
    r1OhmPerKm: doublePrecision('r1_ohm_per_km').notNull(),
    x1OhmPerKm: doublePrecision('x1_ohm_per_km').notNull(),
    r0OhmPerKm: doublePrecision('r0_ohm_per_km').notNull(),
    x0OhmPerKm: doublePrecision('x0_ohm_per_km').notNull(),
    /** Thermal limit per phase; null when unknown, and loading is then not judged. */
    ampacityA: doublePrecision('ampacity_a'),
    /** Where the figures come from (a catalogue, a specification, a test feeder). */
    source: text('source').notNull(),
  },
  (t) => [
    check(
      'line_codes_impedances',
      sql`${t.r1OhmPerKm} >= 0 AND ${t.x1OhmPerKm} >= 0 AND ${t.r0OhmPerKm} >= 0 AND ${t.x0OhmPerKm} >= 0 AND (${t.ampacityA} IS NULL OR ${t.ampacityA} > 0)`,
    ),
  ],
);

/** Nodes of a substation's LV network: its LV board, joints, cabinets, service points. */
export const buses = grid.table(
  'buses',
  {
    id: text('id').primaryKey(),
    secondarySubstationId: text('secondary_substation_id')
      .notNull()
      .references(() => secondarySubstations.id),
    /** Unique within the substation: the name in the source (an IEEE bus, a seeded joint). */
    name: text('name').notNull(),
    /** Metres in a projected frame: the source's (IEEE), or east and north of the substation (demo). */
    x: doublePrecision('x'),
    y: doublePrecision('y'),
  },
  (t) => [unique('buses_substation_name_key').on(t.secondarySubstationId, t.name), unique('buses_id_substation_key').on(t.id, t.secondarySubstationId)],
);

/** Cable or line sections between two buses of one substation, on one of its feeders. */
export const lineSegments = grid.table(
  'line_segments',
  {
    id: text('id').primaryKey(),
    secondarySubstationId: text('secondary_substation_id').notNull(),
    feederId: text('feeder_id').notNull(),
    /** Unique within the substation, like bus names. */
    name: text('name').notNull(),
    /** Towards the transformer, and away from it: the tree is radial and its segments oriented. */
    fromBusId: text('from_bus_id').notNull(),
    toBusId: text('to_bus_id').notNull(),
    lengthM: doublePrecision('length_m').notNull(),
    lineCode: text('line_code')
      .notNull()
      .references(() => lineCodes.name),
  },
  (t) => [
    foreignKey({ name: 'line_segments_feeder_fk', columns: [t.feederId, t.secondarySubstationId], foreignColumns: [feeders.id, feeders.secondarySubstationId] }),
    foreignKey({ name: 'line_segments_from_bus_fk', columns: [t.fromBusId, t.secondarySubstationId], foreignColumns: [buses.id, buses.secondarySubstationId] }),
    foreignKey({ name: 'line_segments_to_bus_fk', columns: [t.toBusId, t.secondarySubstationId], foreignColumns: [buses.id, buses.secondarySubstationId] }),
    unique('line_segments_substation_name_key').on(t.secondarySubstationId, t.name),
    // Radial: every bus is fed by at most one segment.
    unique('line_segments_to_bus_key').on(t.toBusId),
    index('line_segments_feeder_idx').on(t.feederId, t.id),
    check('line_segments_length', sql`${t.lengthM} > 0`),
    check('line_segments_distinct_buses', sql`${t.fromBusId} <> ${t.toBusId}`),
  ],
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
    /** The bus of the network model the point is connected at; null where the model is not surveyed. */
    busId: text('bus_id').references(() => buses.id),
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

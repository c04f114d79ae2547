/**
 * The vocabulary of grid constraints, shared by their table (schema/tables/grid-constraints.ts),
 * their hub event (schema/events.ts) and the grid subgraph's rules and types.
 */

/** What is wrong. The first five are found by power-flow runs, the last two declared by the DSO. */
export const GRID_CONSTRAINT_KINDS = [
  'TRANSFORMER_OVERLOAD',
  'LINE_OVERLOAD',
  'UNDERVOLTAGE',
  'OVERVOLTAGE',
  'PHASE_UNBALANCE',
  'PLANNED_MAINTENANCE',
  'ASSET_FAILURE',
] as const;
export type GridConstraintKind = (typeof GRID_CONSTRAINT_KINDS)[number];

/** Who found it: a power-flow run, or the DSO's operator. */
export const GRID_CONSTRAINT_SOURCES = ['POWER_FLOW', 'OPERATOR'] as const;
export type GridConstraintSource = (typeof GRID_CONSTRAINT_SOURCES)[number];

/** ACTIVE until the DSO clears it (clearedAt). */
export const GRID_CONSTRAINT_STATUSES = ['ACTIVE', 'CLEARED'] as const;
export type GridConstraintStatus = (typeof GRID_CONSTRAINT_STATUSES)[number];

/** The unit of a constraint's limit and value. */
export const GRID_CONSTRAINT_UNITS = ['PERCENT', 'PER_UNIT', 'VOLT', 'AMPERE', 'KILOVOLT_AMPERE'] as const;
export type GridConstraintUnit = (typeof GRID_CONSTRAINT_UNITS)[number];

/** The asset a constraint is on; TRANSFORMER is the MV/LV transformer of the secondary substation. */
export const GRID_ASSET_KINDS = ['TRANSFORMER', 'LINE_SEGMENT', 'BUS', 'FEEDER'] as const;
export type GridAssetKind = (typeof GRID_ASSET_KINDS)[number];

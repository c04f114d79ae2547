/**
 * An LV network as the power flow reads it: one MV/LV transformer, its MV source, a radial tree
 * of line segments and single-phase loads. The same shape comes from an IEEE European LV CSV
 * folder (ieee-feeder.csv.ts) and from the grid tables (network-model.repo.ts), so the solver,
 * the import and the command line share one description of a feeder.
 */

export type Phase = 'A' | 'B' | 'C';
export const PHASES: readonly Phase[] = ['A', 'B', 'C'];

export interface MvSource {
  /** Line-to-line nominal voltage of the MV network. */
  voltageKv: number;
  /** Operating voltage at the source, per unit of voltageKv. */
  voltagePu: number;
  /** Three-phase and single-phase short-circuit currents, from which the Thevenin impedance follows. */
  isc3A: number;
  isc1A: number;
  /** X/R ratios of the positive and zero sequence (OpenDSS's defaults are 4 and 3). */
  x1r1: number;
  x0r0: number;
}

export interface Transformer {
  ratedKva: number;
  primaryKv: number;
  secondaryKv: number;
  /** Delta primary, grounded-wye secondary: the only connection LV distribution uses here. */
  connection: 'Dyn';
  /** Series resistance and leakage reactance, both windings together, % on ratedKva. */
  resistancePercent: number;
  reactancePercent: number;
}

export interface LineCode {
  name: string;
  /** Sequence impedances per km. */
  r1OhmPerKm: number;
  x1OhmPerKm: number;
  r0OhmPerKm: number;
  x0OhmPerKm: number;
  /** Thermal limit per phase; null when unknown (loading is then not judged). */
  ampacityA: number | null;
}

export interface LineSegment {
  name: string;
  fromBus: string;
  toBus: string;
  lengthM: number;
  lineCode: string;
  /** The hub feeder the segment belongs to; the IEEE import names its one feeder. */
  feederId: string | null;
}

export interface Bus {
  name: string;
  x: number | null;
  y: number | null;
}

export interface Load {
  /** The load's name in the source (IEEE) or its metering point id (the hub). */
  name: string;
  bus: string;
  phase: Phase;
  /** Nominal line-to-neutral voltage (kV); informative: loads are constant power. */
  kv: number;
  /** Power factor, lagging when positive. */
  powerFactor: number;
  /** The daily shape the load follows (IEEE); null for hub loads, whose powers come from readings. */
  shape: string | null;
  /**
   * The metering point whose power this load carries, and the share of it on this phase: 1 for a
   * single-phase customer, 1/3 on each phase of a three-phase one. Null for IEEE loads (shape-driven).
   */
  meteringPointId: string | null;
  share: number;
}

export interface LvNetwork {
  name: string;
  source: MvSource;
  transformer: Transformer;
  /** The bus on the transformer's LV terminals: the root of the radial tree. */
  rootBus: string;
  buses: Bus[];
  lineCodes: LineCode[];
  lines: LineSegment[];
  loads: Load[];
  /** Daily shapes by name: kW per step (1,440 one-minute steps for the IEEE feeder). */
  shapes: Map<string, Float64Array>;
}

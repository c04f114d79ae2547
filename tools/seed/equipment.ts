import { CABLE_AMPACITY_SOURCE, cableAmpacityA, type CableSpec } from '../../subgraphs/grid/cable-ampacity.rules';
import type { lineCodes } from '../../schema/tables';

/**
 * The demo parish's network equipment: the LV cables EDP Distribuição lays in Lisbon, and its
 * MV/LV transformers. Figures are typical, approximate values; each names where it comes from.
 */

export type LineCodeRow = typeof lineCodes.$inferSelect;

/** How a cable runs: underground along the street, or twisted and clamped to the façades. */
export type Route = 'underground' | 'overhead';

export interface Cable {
  name: string;
  route: Route;
  spec: CableSpec;
  /** Phase conductor at 20 °C, Ω/km: IEC 60228 class 2, as the IEEE European LV feeder's codes are. */
  r1OhmPerKm: number;
  /** Typical of the type in manufacturer catalogues (Solidal, General Cable Celcat), approximate. */
  x1OhmPerKm: number;
  /** The neutral conductor at 20 °C, Ω/km. */
  neutralOhmPerKm: number;
}

/** Almelec (aluminium alloy) 54.6 mm² messenger neutral of LXS twisted cables, NF C 33-209. */
const ALMELEC_54_6_OHM_PER_KM = 0.63;

/**
 * Smallest first within a route. LSVAV: aluminium, PVC, steel-tape armour, PVC sheath, four equal
 * cores (EDP's underground LV cable); LXS: aluminium XLPE phases twisted round an Almelec neutral.
 */
export const CABLES: readonly Cable[] = [
  { name: 'LSVAV 4x50', route: 'underground', spec: { conductor: 'Al', insulation: 'PVC', sectionMm2: 50, laying: 'buried' }, r1OhmPerKm: 0.641, x1OhmPerKm: 0.078, neutralOhmPerKm: 0.641 },
  { name: 'LSVAV 4x95', route: 'underground', spec: { conductor: 'Al', insulation: 'PVC', sectionMm2: 95, laying: 'buried' }, r1OhmPerKm: 0.32, x1OhmPerKm: 0.073, neutralOhmPerKm: 0.32 },
  { name: 'LSVAV 4x185', route: 'underground', spec: { conductor: 'Al', insulation: 'PVC', sectionMm2: 185, laying: 'buried' }, r1OhmPerKm: 0.164, x1OhmPerKm: 0.07, neutralOhmPerKm: 0.164 },
  { name: 'LXS 3x50+54,6', route: 'overhead', spec: { conductor: 'Al', insulation: 'XLPE', sectionMm2: 50, laying: 'air' }, r1OhmPerKm: 0.641, x1OhmPerKm: 0.1, neutralOhmPerKm: ALMELEC_54_6_OHM_PER_KM },
  { name: 'LXS 3x70+54,6', route: 'overhead', spec: { conductor: 'Al', insulation: 'XLPE', sectionMm2: 70, laying: 'air' }, r1OhmPerKm: 0.443, x1OhmPerKm: 0.1, neutralOhmPerKm: ALMELEC_54_6_OHM_PER_KM },
];

/**
 * The neutral runs in the same sheath or bundle as the phases: the zero-sequence reactance is a
 * little above the positive (X0/X1 is 1.12-1.17 for the IEEE European LV feeder's 4-core codes).
 */
const X0_OVER_X1 = 1.15;
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

export function ampacityOf(cable: Cable): number {
  const ampacity = cableAmpacityA(cable.spec);
  // The catalogue holds tabulated sections only; a gap here is a mistake in CABLES.
  if (ampacity === null) throw new Error(`no ampacity for ${cable.name}`);
  return ampacity;
}

/** The catalogue as line codes: R0 = R1 + 3·R(neutral), the loop of a phase and its neutral return without earth. */
export function cableLineCodes(): LineCodeRow[] {
  return CABLES.map((cable) => ({
    name: cable.name,
    r1OhmPerKm: cable.r1OhmPerKm,
    x1OhmPerKm: cable.x1OhmPerKm,
    r0OhmPerKm: round4(cable.r1OhmPerKm + 3 * cable.neutralOhmPerKm),
    x0OhmPerKm: round4(X0_OVER_X1 * cable.x1OhmPerKm),
    ampacityA: ampacityOf(cable),
    source:
      'R1 and the neutral: IEC 60228 class 2 aluminium at 20 °C' +
      (cable.route === 'overhead' ? ' (Almelec 54.6 mm² neutral, NF C 33-209)' : '') +
      `; X1 typical of the type (Solidal, General Cable Celcat catalogues), approximate; R0 = R1 + 3 R(neutral), X0 = ${X0_OVER_X1} X1; ` +
      `ampacity ${cable.spec.laying === 'buried' ? 'buried' : 'in air'}: ${CABLE_AMPACITY_SOURCE}`,
  }));
}

export interface TransformerType {
  ratedKva: number;
  resistancePercent: number;
  reactancePercent: number;
}

/** Short-circuit impedance of oil-immersed distribution transformers up to 630 kVA (EN 50464-1). */
const UK_PERCENT = 4;
/**
 * Load losses Ck of EN 50464-1 (the EU Ecodesign Tier 1 limits, Regulation 548/2014), W: the
 * parish's transformers predate Tier 2. %R = losses / rating; %X = √(uk² − %R²).
 */
const LOAD_LOSSES_W: Readonly<Record<number, number>> = { 250: 3_250, 400: 4_600, 630: 6_500 };

export function transformerType(ratedKva: number): TransformerType {
  const lossesW = LOAD_LOSSES_W[ratedKva];
  if (lossesW === undefined) throw new RangeError(`no transformer type of ${ratedKva} kVA`);
  const resistancePercent = round4((100 * lossesW) / (ratedKva * 1000));
  return { ratedKva, resistancePercent, reactancePercent: round4(Math.sqrt(UK_PERCENT ** 2 - resistancePercent ** 2)) };
}

/** Lisbon's MV network runs at 10 kV (elsewhere EDP Distribuição uses 15 kV and 30 kV); LV is 400/230 V. */
export const MV_KV = 10;
export const LV_KV = 0.4;

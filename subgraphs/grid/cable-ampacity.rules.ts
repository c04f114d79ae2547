/**
 * Thermal limits of LV cables by conductor, insulation, cross-section and laying, for line codes
 * whose source gives impedances only (the IEEE European LV CSV format) and for the demo parish's
 * catalogue. One table, so that both judge loading by the same figures.
 */

export type Conductor = 'Al' | 'Cu';
/** PVC also stands for paper-insulated cables, which run at a similar conductor temperature (70-80 °C). */
export type Insulation = 'PVC' | 'XLPE';
export type Laying = 'buried' | 'air';

export interface CableSpec {
  conductor: Conductor;
  insulation: Insulation;
  sectionMm2: number;
  laying: Laying;
}

export const CABLE_AMPACITY_SOURCE =
  'Solidal, Guia Técnico "Condutores e Cabos de Energia", tables 6A2 (PVC) and 6A3 (XLPE): 0.6/1 kV cables of 3-4 cores, ' +
  'one circuit buried (soil 20 °C) or in air (30 °C); linear between the tabulated sections';

/** [section mm², buried A, in air A], rising sections. */
type Rows = readonly (readonly [number, number, number])[];

const AMPACITY: Record<Insulation, Record<Conductor, Rows>> = {
  PVC: {
    Cu: [
      [4, 45, 36],
      [6, 60, 48],
      [10, 80, 65],
      [16, 110, 90],
      [25, 135, 110],
      [35, 165, 130],
      [50, 190, 150],
      [70, 245, 195],
      [95, 295, 235],
      [120, 340, 270],
      [150, 390, 310],
      [185, 445, 355],
      [240, 515, 410],
    ],
    Al: [
      [16, 90, 70],
      [25, 110, 90],
      [35, 130, 105],
      [50, 150, 120],
      [70, 195, 155],
      [95, 235, 190],
      [120, 270, 215],
      [150, 310, 250],
      [185, 355, 285],
      [240, 410, 330],
    ],
  },
  XLPE: {
    Cu: [
      [16, 120, 105],
      [25, 160, 135],
      [35, 195, 170],
      [50, 235, 205],
      [70, 290, 260],
      [95, 340, 320],
      [120, 395, 370],
      [150, 445, 435],
      [185, 505, 490],
      [240, 590, 585],
    ],
    Al: [
      [16, 95, 75],
      [25, 120, 105],
      [35, 150, 125],
      [50, 185, 160],
      [70, 220, 195],
      [95, 270, 240],
      [120, 300, 280],
      [150, 340, 325],
      [185, 390, 380],
      [240, 450, 445],
    ],
  },
};

/** The cable's ampacity per phase (A), or null outside the table's sections. */
export function cableAmpacityA({ conductor, insulation, sectionMm2, laying }: CableSpec): number | null {
  const rows = AMPACITY[insulation][conductor];
  const column = laying === 'buried' ? 1 : 2;
  for (let i = 0; i < rows.length; i++) {
    const upper = rows[i]!;
    if (sectionMm2 > upper[0]) continue;
    if (sectionMm2 === upper[0]) return upper[column];
    const lower = rows[i - 1];
    if (!lower) return null;
    const t = (sectionMm2 - lower[0]) / (upper[0] - lower[0]);
    return Math.round(lower[column] + t * (upper[column] - lower[column]));
  }
  return null;
}

/** mm² per square inch: the older British codes (4c_.06) give sections in in². */
const MM2_PER_IN2 = 645.16;
/**
 * Resistivity of the conductor in Ω·mm²/km at 20 °C is about 17.2-18.5 for copper and 28-31 for
 * aluminium (IEC 60228 class 2); R1 × section tells which a code is. Halfway between.
 */
const COPPER_BELOW_OHM_MM2_PER_KM = 24;

/**
 * The ampacity of an IEEE European LV feeder line code, from its name: `<cores>c_<section>` with
 * the section in mm² (4c_70) or in square inches when it starts with a point (4c_.06), or
 * `<section>_SAC_…` (35_SAC_XSC). An X in the suffix (XC, XSC) is XLPE insulation, anything else
 * PVC or paper; the conductor follows from R1 × section. The cables are buried (the feeder is
 * underground); 2-core service cables are judged by the 3-4 core figures, on the safe side. Null
 * for a name of another form or a section outside the table.
 */
export function ieeeLineCodeAmpacityA(code: { name: string; r1OhmPerKm: number }): number | null {
  const match = /^(?:\dc_)?(\d+(?:\.\d+)?|\.\d+)(?:_(\w+))?$/i.exec(code.name);
  if (!match) return null;
  const [, sectionText = '', suffix = ''] = match;
  const sectionMm2 = sectionText.startsWith('.') ? Number(sectionText) * MM2_PER_IN2 : Number(sectionText);
  if (!(sectionMm2 > 0) || !(code.r1OhmPerKm > 0)) return null;
  const conductor: Conductor = code.r1OhmPerKm * sectionMm2 < COPPER_BELOW_OHM_MM2_PER_KM ? 'Cu' : 'Al';
  const insulation: Insulation = /X/i.test(suffix) ? 'XLPE' : 'PVC';
  return cableAmpacityA({ conductor, insulation, sectionMm2, laying: 'buried' });
}

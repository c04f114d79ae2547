import { DAY_TYPES, QUARTERS_PER_DAY, civilDate, dayType, lisbonQuarter } from '../../subgraphs/kit/calendar';
import { PROFILE_CLASSES, SHAPE_SCALE, type ClassCoefficients, type ProfileClass, type ProfileCoefficients } from './coefficients';
import type { OfficialProfiles } from './eredes-csv';

/** Public lighting follows dusk and dawn, not the working week: one shape per month serves all day types. */
const DAY_TYPE_INDEPENDENT: ReadonlySet<ProfileClass> = new Set(['IP']);

export interface DerivationSource {
  /** The file, as named to a reader of the JSON. */
  file: string;
  /** ISO date (YYYY-MM-DD) of the derivation. */
  derivedOn: string;
}

export const SOURCE_ORIGIN =
  'E-REDES / ERSE official standard load profiles for low-voltage (BTN) customers, 2023: classes BTN A (> 13.8 kVA), ' +
  'BTN B (<= 13.8 kVA, > 7,140 kWh/year), BTN C (<= 13.8 kVA, <= 7,140 kWh/year) and IP (public lighting).';

export const SOURCE_DERIVATION =
  'tools/profiles/derive.ts. monthShare: the month\'s sum of the file\'s values / 1000. Per month and day type (working day, ' +
  'Saturday, Sunday or holiday; IP pooled over day types): shape = the mean of each local quarter-hour over those days, ' +
  `scaled so that a day sums to ${SHAPE_SCALE} and rounded; dayWeight = the mean daily energy of those days / the month's ` +
  'mean daily energy. Holidays are the mainland national holidays plus Carnival (subgraphs/kit/calendar.ts), the days ' +
  'the 2023 file shapes as Sundays. Rebuild (tools/profiles/coefficients.ts): a day\'s energy is its month\'s share split ' +
  'over the month\'s days in proportion to their day weights.';

export const SOURCE_CONVENTIONS =
  'The file is in Lisbon legal time and each timestamp marks the END of its quarter-hour (00:15 = 00:00-00:15, 24:00 ends ' +
  'the day); shapes are indexed by the local START quarter-hour, 0 = 00:00-00:15. Summer-time days: 26 March 2023 has 92 ' +
  'quarter-hours (no 01:00-02:00), 29 October 2023 has 100 (01:00-02:00 twice). In the shapes, a missing quarter-hour ' +
  'takes the mean of the other days of its group and a repeated one the mean of its two values; a rebuilt 23- or 25-hour ' +
  'day likewise skips or repeats local 01:00-02:00, and each month is normalised over the quarter-hours that occur, so ' +
  'monthly energy is exact in any year.';

interface DayAccumulator {
  localDay: number;
  /** Per local quarter-hour: sum of the file's values and how many rows fell on it (0-2). */
  sum: Float64Array;
  count: Uint8Array;
  total: number;
}

/** The file's rows grouped into local days of one class. */
function localDays(official: OfficialProfiles, values: Float64Array): DayAccumulator[] {
  const days: DayAccumulator[] = [];
  for (let row = 0; row < values.length; row++) {
    const local = lisbonQuarter(official.firstUtcQuarter + row);
    const localDay = Math.floor(local / QUARTERS_PER_DAY);
    let day = days[days.length - 1];
    if (!day || day.localDay !== localDay) {
      day = { localDay, sum: new Float64Array(QUARTERS_PER_DAY), count: new Uint8Array(QUARTERS_PER_DAY), total: 0 };
      days.push(day);
    }
    const slot = local - localDay * QUARTERS_PER_DAY;
    day.sum[slot] += values[row];
    day.count[slot]++;
    day.total += values[row];
  }
  return days;
}

function deriveClass(official: OfficialProfiles, values: Float64Array, dayTypeIndependent: boolean): ClassCoefficients {
  const dayTypeGroup = dayTypeIndependent ? DAY_TYPES.map(() => 0) : DAY_TYPES.map((_, index) => index);
  const groups = Math.max(...dayTypeGroup) + 1;
  const byMonth = Array.from({ length: 12 }, () => Array.from({ length: groups }, (): DayAccumulator[] => []));
  for (const day of localDays(official, values)) {
    byMonth[civilDate(day.localDay).month - 1][dayTypeGroup[dayType(day.localDay)]].push(day);
  }

  const total = values.reduce((sum, value) => sum + value, 0);
  const monthShare: number[] = [];
  const dayWeight: number[][] = [];
  const shape: number[][][] = [];
  for (let month = 0; month < 12; month++) {
    const monthDays = byMonth[month].flat();
    if (monthDays.length === 0) throw new Error(`no days in month ${month + 1}: the file must cover a whole year`);
    monthShare.push(round(monthDays.reduce((sum, day) => sum + day.total, 0) / total, 9));

    const shapes = byMonth[month].map((days) => {
      if (days.length === 0) throw new Error(`month ${month + 1} has a day-type group without days`);
      const slotMean = new Float64Array(QUARTERS_PER_DAY);
      const slotDays = new Float64Array(QUARTERS_PER_DAY);
      for (const day of days) {
        for (let slot = 0; slot < QUARTERS_PER_DAY; slot++) {
          if (day.count[slot] === 0) continue;
          slotMean[slot] += day.sum[slot] / day.count[slot];
          slotDays[slot]++;
        }
      }
      for (let slot = 0; slot < QUARTERS_PER_DAY; slot++) slotMean[slot] /= slotDays[slot];
      const daySum = slotMean.reduce((sum, value) => sum + value, 0);
      return Float64Array.from(slotMean, (value) => value / daySum);
    });

    // A summer-time day's energy, scaled to what it would be with each quarter-hour once.
    const equivalentEnergy = (day: DayAccumulator, groupShape: Float64Array): number => {
      let occurring = 0;
      for (let slot = 0; slot < QUARTERS_PER_DAY; slot++) occurring += day.count[slot] * groupShape[slot];
      return day.total / occurring;
    };
    const groupMeans = byMonth[month].map((days, group) => mean(days.map((day) => equivalentEnergy(day, shapes[group]))));
    const monthMean = mean(byMonth[month].flatMap((days, group) => days.map((day) => equivalentEnergy(day, shapes[group]))));
    dayWeight.push(groupMeans.map((groupMean) => round(groupMean / monthMean, 6)));
    shape.push(shapes.map((groupShape) => Array.from(groupShape, (value) => Math.round(value * SHAPE_SCALE))));
  }
  return { monthShare, dayTypeGroup, dayWeight, shape };
}

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

export function deriveCoefficients(official: OfficialProfiles, source: DerivationSource): ProfileCoefficients {
  const derive = (name: ProfileClass): ClassCoefficients =>
    deriveClass(official, official.values[PROFILE_CLASSES.indexOf(name)], DAY_TYPE_INDEPENDENT.has(name));
  return {
    source: { file: source.file, origin: SOURCE_ORIGIN, derivation: SOURCE_DERIVATION, conventions: SOURCE_CONVENTIONS, derivedOn: source.derivedOn },
    dayTypes: [DAY_TYPES[0], DAY_TYPES[1], DAY_TYPES[2]],
    shapeScale: SHAPE_SCALE,
    classes: { BTN_A: derive('BTN_A'), BTN_B: derive('BTN_B'), BTN_C: derive('BTN_C'), IP: derive('IP') },
  };
}

/**
 * JSON with every array of numbers on one line: a shape per line keeps the file small and its
 * diffs readable when the profiles are re-derived.
 */
export function formatCoefficients(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'number')) return `[${value.join(',')}]`;
    const inner = `${indent}  `;
    return `[\n${value.map((item) => inner + formatCoefficients(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const inner = `${indent}  `;
    const entries = Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${formatCoefficients(item, inner)}`);
    return `{\n${entries.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

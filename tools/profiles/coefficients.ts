import { z } from 'zod';
import {
  DAY_TYPES,
  QUARTERS_PER_DAY,
  QUARTER_MS,
  civilDate,
  dayType,
  epochDay,
  lisbonMidnightUtcMs,
  lisbonQuarter,
  quartersInLocalDay,
  type DayTypeIndex,
} from '../../subgraphs/kit/calendar';

/**
 * The compact form of the E-REDES standard profiles (tools/seed/profile-coefficients.json) and
 * the model that turns it back into a share of the annual energy for any quarter-hour of any year.
 *
 * Per class: the share of the year's energy in each month; per month and day-type group, the
 * relative energy of such a day and its 96-point shape. A day's energy is its month's share split
 * over the month's days by those weights, so every month of every year (leap years, other
 * weekdays and holidays, 23- and 25-hour days) still carries exactly its share.
 */

export const PROFILE_CLASSES = ['BTN_A', 'BTN_B', 'BTN_C', 'IP'] as const;
export type ProfileClass = (typeof PROFILE_CLASSES)[number];
export const BTN_A = 0;
export const BTN_B = 1;
export const BTN_C = 2;
export const IP = 3;
export type ProfileClassIndex = typeof BTN_A | typeof BTN_B | typeof BTN_C | typeof IP;

/** Stored shapes are integers whose day sums to about this (1000 = the day's mean quarter-hour); they are renormalised on load. */
export const SHAPE_SCALE = 96_000;

const twelve = <T extends z.ZodTypeAny>(item: T) => z.array(item).length(12);

const classCoefficientsSchema = z
  .object({
    /** Share of the year's energy per month, January first. */
    monthShare: twelve(z.number().nonnegative()),
    /** Day-type group of each day type (DAY_TYPES order): [0, 1, 2], or [0, 0, 0] for a class that ignores day types. */
    dayTypeGroup: z.array(z.number().int().nonnegative()).length(DAY_TYPES.length),
    /** [month][group]: mean energy of such a day relative to the month's mean day. */
    dayWeight: twelve(z.array(z.number().positive()).min(1)),
    /** [month][group][quarter-hour from local midnight]: the daily shape, SHAPE_SCALE per day. */
    shape: twelve(z.array(z.array(z.number().int().nonnegative()).length(QUARTERS_PER_DAY)).min(1)),
  })
  .superRefine((value, context) => {
    const groups = Math.max(...value.dayTypeGroup) + 1;
    for (let month = 0; month < 12; month++) {
      if (value.dayWeight[month].length !== groups || value.shape[month].length !== groups) {
        context.addIssue({ code: z.ZodIssueCode.custom, message: `month ${month + 1}: expected ${groups} day-type groups` });
      }
    }
  });

export const profileCoefficientsSchema = z.object({
  source: z.object({
    file: z.string(),
    origin: z.string(),
    derivation: z.string(),
    conventions: z.string(),
    derivedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
  dayTypes: z.tuple([z.literal(DAY_TYPES[0]), z.literal(DAY_TYPES[1]), z.literal(DAY_TYPES[2])]),
  shapeScale: z.literal(SHAPE_SCALE),
  classes: z.object({ BTN_A: classCoefficientsSchema, BTN_B: classCoefficientsSchema, BTN_C: classCoefficientsSchema, IP: classCoefficientsSchema }),
});

export type ProfileCoefficients = z.infer<typeof profileCoefficientsSchema>;
export type ClassCoefficients = z.infer<typeof classCoefficientsSchema>;

/** One local (Lisbon) day of every class, ready for per-quarter-hour lookups. */
export interface LocalDayProfile {
  readonly localDay: number;
  /** 0-11 */
  readonly month: number;
  readonly dayType: DayTypeIndex;
  /** Per class: the day's share of the year's energy if all 96 quarter-hours occur once. */
  readonly fraction: Float64Array;
  /** Per class: the day's shape over local quarter-hours 0-95, summing to 1. */
  readonly shapes: readonly Float64Array[];
}

interface ClassModel {
  monthShare: Float64Array;
  group: readonly number[];
  weight: readonly (readonly number[])[];
  /** [month][group] */
  shape: readonly (readonly Float64Array[])[];
}

export class StandardProfiles {
  private readonly classes: readonly ClassModel[];
  private readonly days = new Map<number, LocalDayProfile>();
  /** Keyed by year * 12 + month: per class, the month's sum of day weights × the shape of the quarter-hours that occur. */
  private readonly monthNorms = new Map<number, Float64Array>();

  constructor(coefficients: ProfileCoefficients) {
    this.classes = PROFILE_CLASSES.map((name) => {
      const c = coefficients.classes[name];
      const shareTotal = c.monthShare.reduce((sum, share) => sum + share, 0);
      return {
        monthShare: Float64Array.from(c.monthShare, (share) => share / shareTotal),
        group: c.dayTypeGroup,
        weight: c.dayWeight,
        shape: c.shape.map((groups) =>
          groups.map((stored) => {
            const total = stored.reduce((sum, value) => sum + value, 0);
            return Float64Array.from(stored, (value) => value / total);
          }),
        ),
      };
    });
  }

  /** The profiles of local day `localDay` (epoch day of the Lisbon date); cached. */
  day(localDay: number): LocalDayProfile {
    let profile = this.days.get(localDay);
    if (profile) return profile;
    const { year, month } = civilDate(localDay);
    const type = dayType(localDay);
    const norms = this.monthNorm(year, month - 1);
    const fraction = new Float64Array(PROFILE_CLASSES.length);
    const shapes: Float64Array[] = [];
    this.classes.forEach((c, index) => {
      const group = c.group[type];
      fraction[index] = (c.monthShare[month - 1] * c.weight[month - 1][group]) / norms[index];
      shapes.push(c.shape[month - 1][group]);
    });
    profile = { localDay, month: month - 1, dayType: type, fraction, shapes };
    this.days.set(localDay, profile);
    return profile;
  }

  /** Share of the year's energy of class `classIndex` in UTC quarter-hour `utcQuarter` (quarters since the epoch). */
  share(classIndex: ProfileClassIndex, utcQuarter: number): number {
    const local = lisbonQuarter(utcQuarter);
    const localDay = Math.floor(local / QUARTERS_PER_DAY);
    const profile = this.day(localDay);
    return profile.fraction[classIndex] * profile.shapes[classIndex][local - localDay * QUARTERS_PER_DAY];
  }

  private monthNorm(year: number, month: number): Float64Array {
    const key = year * 12 + month;
    const cached = this.monthNorms.get(key);
    if (cached) return cached;
    const norms = new Float64Array(PROFILE_CLASSES.length);
    const first = epochDay(year, month + 1, 1);
    const next = epochDay(year, month + 2, 1);
    for (let localDay = first; localDay < next; localDay++) {
      const occurrences = localQuarterOccurrences(localDay);
      const type = dayType(localDay);
      this.classes.forEach((c, index) => {
        const group = c.group[type];
        const shape = c.shape[month][group];
        let occurring = 0;
        for (let slot = 0; slot < QUARTERS_PER_DAY; slot++) occurring += occurrences[slot] * shape[slot];
        norms[index] += c.weight[month][group] * occurring;
      });
    }
    this.monthNorms.set(key, norms);
    return norms;
  }
}

/** How many times each local quarter-hour occurs on `localDay`: 1, but 0 or 2 for 01:00-02:00 on the summer-time days. */
export function localQuarterOccurrences(localDay: number): Uint8Array {
  const occurrences = new Uint8Array(QUARTERS_PER_DAY);
  const firstUtcQuarter = lisbonMidnightUtcMs(localDay) / QUARTER_MS;
  const count = quartersInLocalDay(localDay);
  for (let k = 0; k < count; k++) occurrences[lisbonQuarter(firstUtcQuarter + k) - localDay * QUARTERS_PER_DAY]++;
  return occurrences;
}

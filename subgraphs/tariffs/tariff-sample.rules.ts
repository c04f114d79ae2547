/** How a calibration or a KPI names its sample of metering points (TariffSampleInput). */

export interface TariffSampleFields {
  meteringPointIds?: string[] | null;
  secondarySubstationId?: string | null;
}

export type TariffSample = { kind: 'points'; ids: string[] } | { kind: 'secondary'; id: string };

export const MAX_SAMPLE_POINTS = 5_000;

/**
 * The most point-days (metering points × local days) one request reads point by point from the
 * readings (a calibration's sample, compareSchemes' current cost, a set of points' peak hours,
 * comparison or KPIs): about 6 million readings, 2.3 s in one statement and 1.4 s in
 * TariffEnergyRepo's four side by side on two shared cores, well within the 5 s statement timeout
 * (500 points for four months, 2,000 for a month, 5,000 for twelve days). An area's or a
 * retailer's portfolio's totals come from metering's rollups and count nothing.
 */
export const MAX_POINT_DAYS = 60_000;

/** Why reading `points` metering points over `days` local days point by point is too much for one request, or null; `instead` says what to ask for. */
export function pointDaysProblem(points: number, days: number, instead: string): string | null {
  const pointDays = points * days;
  if (pointDays <= MAX_POINT_DAYS) return null;
  return `${points.toLocaleString('en')} metering points over ${days} local days are ${pointDays.toLocaleString('en')} point-days, at most ${MAX_POINT_DAYS.toLocaleString('en')}: ${instead}`;
}

/** The sample, or what is wrong with it: exactly one of its fields, with 1 to MAX_SAMPLE_POINTS distinct ids. */
export function parseTariffSample(fields: TariffSampleFields): TariffSample | string {
  const given = [fields.meteringPointIds != null, fields.secondarySubstationId != null].filter(Boolean).length;
  if (given !== 1) return 'give the sample as exactly one of meteringPointIds, secondarySubstationId';
  if (fields.secondarySubstationId != null) {
    return fields.secondarySubstationId ? { kind: 'secondary', id: fields.secondarySubstationId } : 'secondarySubstationId is empty';
  }
  const ids = [...new Set(fields.meteringPointIds ?? [])];
  if (ids.length === 0 || ids.length > MAX_SAMPLE_POINTS) return `meteringPointIds must hold 1 to ${MAX_SAMPLE_POINTS.toLocaleString('en')} ids`;
  return { kind: 'points', ids };
}

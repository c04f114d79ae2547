/** How a calibration or a KPI names its sample of metering points (TariffSampleInput). */

export interface TariffSampleFields {
  meteringPointIds?: string[] | null;
  secondarySubstationId?: string | null;
}

export type TariffSample = { kind: 'points'; ids: string[] } | { kind: 'secondary'; id: string };

export const MAX_SAMPLE_POINTS = 5_000;

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

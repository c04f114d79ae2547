import type { RejectedRow } from '../../schema/errors';
import { TIME_RANGE_DAYS, timeInRange } from '../kit/time-range';

/** One quarter-hour, the InovGrid load-curve period. */
export const INTERVAL_MS = 15 * 60 * 1000;
export const MAX_BATCH_READINGS = 10_000;

export const READING_QUALITIES = ['MEASURED', 'ESTIMATED', 'SUBSTITUTED'] as const;
export type ReadingQualityName = (typeof READING_QUALITIES)[number];

/** Stored as a smallint: the index in READING_QUALITIES. */
export const qualityCode = (quality: string): number => READING_QUALITIES.indexOf(quality as ReadingQualityName);

/** readings.import_wh and export_wh are PostgreSQL integers: a larger value could not be stored. */
export const MAX_ENERGY_WH = 2_147_483_647;

export const REJECT_REASONS = {
  unknownPoint: 'unknown metering point',
  misaligned: 'interval not aligned to 15 minutes',
  future: 'interval in the future',
  badEnergy: 'negative or non-integer energy',
  tooMuchEnergy: `energy above ${MAX_ENERGY_WH} Wh`,
  duplicate: 'duplicate row in the batch',
  badQuality: `quality must be one of ${READING_QUALITIES.join(', ')}`,
  badTime: 'interval start is not a valid time',
  outOfRange: `interval start outside ${TIME_RANGE_DAYS[0]} to ${TIME_RANGE_DAYS[1]}`,
} as const;

export interface ReadingRow {
  meteringPointId: string;
  intervalStartMs: number;
  importWh: number;
  exportWh: number;
  quality: string;
}

const isEnergy = (value: number) => Number.isSafeInteger(value) && value >= 0;

/**
 * What is wrong with one reading on its own, or null. An interval may only be read once it is
 * over, so one that ends after `nowMs` is in the future.
 */
export function readingProblem(row: ReadingRow, nowMs: number): string | null {
  if (!Number.isFinite(row.intervalStartMs)) return REJECT_REASONS.badTime;
  if (!timeInRange(row.intervalStartMs)) return REJECT_REASONS.outOfRange;
  if (row.intervalStartMs % INTERVAL_MS !== 0) return REJECT_REASONS.misaligned;
  if (row.intervalStartMs + INTERVAL_MS > nowMs) return REJECT_REASONS.future;
  if (!isEnergy(row.importWh) || !isEnergy(row.exportWh)) return REJECT_REASONS.badEnergy;
  if (row.importWh > MAX_ENERGY_WH || row.exportWh > MAX_ENERGY_WH) return REJECT_REASONS.tooMuchEnergy;
  if (!(READING_QUALITIES as readonly string[]).includes(row.quality)) return REJECT_REASONS.badQuality;
  return null;
}

/**
 * Every invalid row of a batch with its reason, by index. A row repeating the metering point and
 * interval of an earlier row is a duplicate; `isKnownPoint` says which points exist.
 */
export function batchRejections(rows: readonly ReadingRow[], nowMs: number, isKnownPoint: (id: string) => boolean): RejectedRow[] {
  const rejected: RejectedRow[] = [];
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const key = `${row.meteringPointId}\u0000${row.intervalStartMs}`;
    const reason = !isKnownPoint(row.meteringPointId)
      ? REJECT_REASONS.unknownPoint
      : (readingProblem(row, nowMs) ?? (seen.has(key) ? REJECT_REASONS.duplicate : null));
    seen.add(key);
    if (reason) rejected.push({ index, reason });
  });
  return rejected;
}

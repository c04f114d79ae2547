import { QUARTERS_PER_DAY, civilDate, lisbonQuarter } from '../../subgraphs/kit/calendar';

/** Pearson correlation of two equally long series; NaN when either is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`pearson: lengths differ (${a.length} vs ${b.length})`);
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i];
    meanB += b[i];
  }
  meanA /= n;
  meanB /= n;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - meanA;
    const db = b[i] - meanB;
    covariance += da * db;
    varianceA += da * da;
    varianceB += db * db;
  }
  return covariance / Math.sqrt(varianceA * varianceB);
}

/** The largest |actual − expected| / |expected| over the pairs. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; index: number } {
  if (actual.length !== expected.length) throw new Error(`maxRelativeError: lengths differ (${actual.length} vs ${expected.length})`);
  let worst = { error: 0, index: -1 };
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]);
    if (worst.index < 0 || error > worst.error) worst = { error, index: i };
  }
  return worst;
}

/** Where each quarter-hour of a series of consecutive UTC quarter-hours falls in Lisbon local time. */
export interface LocalPositions {
  /** 0-11 */
  month: Uint8Array;
  /** Local quarter-hour of the day, 0 = 00:00-00:15. */
  slot: Uint8Array;
}

export function localPositions(firstUtcQuarter: number, count: number): LocalPositions {
  const month = new Uint8Array(count);
  const slot = new Uint8Array(count);
  let cachedDay = Number.NaN;
  let cachedMonth = 0;
  for (let i = 0; i < count; i++) {
    const local = lisbonQuarter(firstUtcQuarter + i);
    const localDay = Math.floor(local / QUARTERS_PER_DAY);
    if (localDay !== cachedDay) {
      cachedDay = localDay;
      cachedMonth = civilDate(localDay).month - 1;
    }
    month[i] = cachedMonth;
    slot[i] = local - localDay * QUARTERS_PER_DAY;
  }
  return { month, slot };
}

export function sumByMonth(values: ArrayLike<number>, positions: LocalPositions): Float64Array {
  const sums = new Float64Array(12);
  for (let i = 0; i < values.length; i++) sums[positions.month[i]] += values[i];
  return sums;
}

/** Per month, the mean of each local quarter-hour over the month's days (a repeated hour counts as two samples). */
export function meanDailyShapeByMonth(values: ArrayLike<number>, positions: LocalPositions): Float64Array[] {
  const sums = Array.from({ length: 12 }, () => new Float64Array(QUARTERS_PER_DAY));
  const counts = Array.from({ length: 12 }, () => new Float64Array(QUARTERS_PER_DAY));
  for (let i = 0; i < values.length; i++) {
    sums[positions.month[i]][positions.slot[i]] += values[i];
    counts[positions.month[i]][positions.slot[i]]++;
  }
  return sums.map((monthSums, month) => monthSums.map((sum, slot) => sum / counts[month][slot]));
}

export const percent = (fraction: number, decimals = 2): string => `${(fraction * 100).toFixed(decimals)} %`;

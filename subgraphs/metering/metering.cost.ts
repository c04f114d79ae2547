import { DEFAULT_PAGE_SIZE } from '../kit/connection';
import type { CostModel } from '../kit/cost';
import { bucketCount, Resolution, type CurveWindow } from './demand.rules';

/**
 * What metering's fields cost per resolution (kit/cost.ts), in values read or returned: a
 * bucket of a series costs 1, a bucket returned as an object 10 (building, planning and
 * serialising objects, not reading, is what made a week of 1,000 curves as objects take 14 s).
 */
export const SERIES_VALUE_COST = 1;
export const OBJECT_VALUE_COST = 10;

/** The buckets of a window given as arguments; 0 when they do not make a window (the resolver refuses those). */
function buckets(args: Record<string, unknown>, resolution = (args.resolution as Resolution | undefined) ?? Resolution.PT15M): number {
  const { from, to } = args;
  if (!(from instanceof Date) || !(to instanceof Date) || !(to.getTime() > from.getTime())) return 0;
  const window: CurveWindow = { fromMs: from.getTime(), toMs: to.getTime(), resolution };
  return bucketCount(window);
}

const CURVES = 'fewer metering points (first), a shorter window, a coarser resolution (PT1H, P1D)';

export const meteringCosts: CostModel = {
  'MeteringPoint.loadCurve': { cost: (args) => buckets(args) * OBJECT_VALUE_COST, advice: `${CURVES}, or loadCurveSeries, which costs a tenth` },
  'MeteringPoint.loadCurveSeries': { cost: (args) => buckets(args) * SERIES_VALUE_COST, advice: CURVES },
  'MeteringPoint.events': { cost: (args) => (typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE) * OBJECT_VALUE_COST, advice: 'fewer metering points or a smaller first' },
  // DTC measurements are always quarter-hours.
  'SecondarySubstation.measurements': { cost: (args) => buckets(args, Resolution.PT15M) * OBJECT_VALUE_COST, advice: 'fewer substations or a shorter window' },
  'Query.demand': {
    cost: (args) => {
      const scope = args.scope as { meteringPointIds?: unknown } | undefined;
      const points = Array.isArray(scope?.meteringPointIds) ? scope.meteringPointIds.length : 0;
      const n = buckets(args);
      return n * OBJECT_VALUE_COST + points * n * SERIES_VALUE_COST;
    },
    advice: 'a shorter window, a coarser resolution, or an area instead of many points',
  },
};

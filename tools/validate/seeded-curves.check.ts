import { BTN_C } from '../profiles/coefficients';
import { QUARTER_MS } from '../../subgraphs/kit/calendar';
import { readEredesProfiles } from '../profiles/eredes-csv';
import { createCurveGenerator, type CurvePoint } from '../seed/load-curves';
import { DEFAULT_SEED } from '../seed/parish';
import type { Check } from './check';
import { localPositions, maxRelativeError, meanDailyShapeByMonth, pearson, percent, sumByMonth } from './stats';

const POINTS = 300;
const MIN_SHAPE_CORRELATION = 0.9;
const MAX_MONTH_SHARE_ERROR = 0.03;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const KVA = [3.45, 4.6, 5.75, 6.9];

/** Residential BTN C households without PV, as the seed draws them: 1,500-4,500 kWh a year. */
export function sampleHouseholds(count: number): CurvePoint[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i + 1,
    customerClass: 'BTN_C',
    usage: 'RESIDENTIAL',
    annualConsumptionKwh: 1_500 + ((i * 1_237) % 3_000),
    pvCapacityKwp: 0,
    contractedPowerKva: KVA[i % KVA.length],
  }));
}

/** The seed's curves for a year of the official calendar, averaged as ‰ of each point's annual energy, against BTN C. */
export const seededCurvesCheck: Check = {
  name: 'seeded-curves',
  description: `${POINTS} seeded residential BTN C households over 2023 average out to the official BTN C profile`,
  run({ sharedDataDir }) {
    const official = readEredesProfiles(sharedDataDir);
    const reference = official.values[BTN_C];
    const rows = reference.length;
    const points = sampleHouseholds(POINTS);
    const generator = createCurveGenerator(points, DEFAULT_SEED);
    const average = new Float64Array(rows);
    const reading = { importWh: 0, exportWh: 0 };
    for (let p = 0; p < points.length; p++) {
      const perMille = 1000 / (points[p].annualConsumptionKwh * 1000) / points.length;
      for (let row = 0; row < rows; row++) {
        average[row] += generator.readingInto(p, (official.firstUtcQuarter + row) * QUARTER_MS, reading).importWh * perMille;
      }
    }

    const positions = localPositions(official.firstUtcQuarter, rows);
    const total = average.reduce((sum, value) => sum + value, 0);
    const share = maxRelativeError(
      sumByMonth(average, positions).map((sum) => sum / total),
      sumByMonth(reference, positions).map((sum) => sum / 1000),
    );
    const seededShapes = meanDailyShapeByMonth(average, positions);
    const officialShapes = meanDailyShapeByMonth(reference, positions);
    const correlations = seededShapes.map((shape, month) => pearson(shape, officialShapes[month]));
    const worstMonth = correlations.indexOf(Math.min(...correlations));
    return {
      pass: correlations[worstMonth] >= MIN_SHAPE_CORRELATION && share.error <= MAX_MONTH_SHARE_ERROR,
      figure:
        `lowest monthly daily-shape correlation ${correlations[worstMonth].toFixed(4)} (${MONTHS[worstMonth]}; min ${MIN_SHAPE_CORRELATION}), ` +
        `worst monthly share error ${percent(share.error)} (${MONTHS[share.index]}; max ${percent(MAX_MONTH_SHARE_ERROR, 0)}), ` +
        `annual energy ${percent(total / 1000, 1)} of the points' annual consumption, quarter-hourly correlation ${pearson(average, reference).toFixed(4)}`,
      details: correlations.map((correlation, month) => `${MONTHS[month]}: daily-shape correlation ${correlation.toFixed(4)}`),
    };
  },
};

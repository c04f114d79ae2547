import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BTN_C } from '../profiles/coefficients';
import { readEredesProfiles } from '../profiles/eredes-csv';
import { HOUSEHOLD_SERIES_FILE } from '../profiles/shared-data';
import type { Check } from './check';
import { meanDailyShape, parseHouseholdSeries } from './household';
import { localPositions, meanDailyShapeByMonth, pearson } from './stats';

/** One house is noisy: this only asks that its day look like a Portuguese household's. */
const MIN_CORRELATION = 0.5;

export const householdCheck: Check = {
  name: 'household-series',
  description: 'the real household series (January 2022) has a daily shape like the official BTN C January profile',
  run({ sharedDataDir }) {
    const samples = parseHouseholdSeries(readFileSync(path.join(sharedDataDir, HOUSEHOLD_SERIES_FILE), 'utf8'));
    const official = readEredesProfiles(sharedDataDir);
    const january = meanDailyShapeByMonth(official.values[BTN_C], localPositions(official.firstUtcQuarter, official.values[BTN_C].length))[0];
    const measured = samples.filter((sample) => sample.measured).length;
    // Estimated values are the meter operator's fill-in, possibly from a profile: judge on measured ones.
    const correlation = pearson(meanDailyShape(samples, (sample) => sample.measured), january);
    const allCorrelation = pearson(meanDailyShape(samples), january);
    const dailyKwh = (samples.reduce((sum, sample) => sum + sample.kw, 0) * 0.25) / (samples.length / 96);
    return {
      pass: correlation >= MIN_CORRELATION,
      figure:
        `daily-shape correlation with BTN C January ${correlation.toFixed(3)} over ${measured} measured quarter-hours (min ${MIN_CORRELATION}); ` +
        `${allCorrelation.toFixed(3)} with the ${samples.length - measured} estimated ones too; ${dailyKwh.toFixed(1)} kWh/day`,
      details: [],
    };
  },
};

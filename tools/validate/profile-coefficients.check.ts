import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROFILE_CLASSES, StandardProfiles, profileCoefficientsSchema, type ProfileClassIndex } from '../profiles/coefficients';
import { readEredesProfiles } from '../profiles/eredes-csv';
import { PROJECT_ROOT } from '../profiles/shared-data';
import type { Check } from './check';
import { localPositions, maxRelativeError, pearson, percent, sumByMonth } from './stats';

export const COEFFICIENTS_FILE = path.join(PROJECT_ROOT, 'tools/seed/profile-coefficients.json');
const MAX_MONTH_ENERGY_ERROR = 0.01;
const MIN_CORRELATION = 0.95;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The committed table, rebuilt over every quarter-hour of the official year, against the official values. */
export const profileCoefficientsCheck: Check = {
  name: 'profile-coefficients',
  description: 'tools/seed/profile-coefficients.json rebuilds the official 2023 E-REDES profiles',
  run({ sharedDataDir }) {
    const official = readEredesProfiles(sharedDataDir);
    const profiles = new StandardProfiles(profileCoefficientsSchema.parse(JSON.parse(readFileSync(COEFFICIENTS_FILE, 'utf8'))));
    const rows = official.values[0].length;
    const positions = localPositions(official.firstUtcQuarter, rows);

    let worstMonth = { error: 0, label: '' };
    let worstCorrelation = { value: Infinity, label: '' };
    const details = PROFILE_CLASSES.map((name, index) => {
      const classIndex = index as ProfileClassIndex;
      const rebuilt = new Float64Array(rows);
      for (let row = 0; row < rows; row++) rebuilt[row] = 1000 * profiles.share(classIndex, official.firstUtcQuarter + row);
      const month = maxRelativeError(sumByMonth(rebuilt, positions), sumByMonth(official.values[index], positions));
      const correlation = pearson(rebuilt, official.values[index]);
      if (month.error >= worstMonth.error) worstMonth = { error: month.error, label: `${name} ${MONTHS[month.index]}` };
      if (correlation < worstCorrelation.value) worstCorrelation = { value: correlation, label: name };
      return `${name}: worst month energy error ${percent(month.error, 4)} (${MONTHS[month.index]}), quarter-hourly correlation ${correlation.toFixed(4)}`;
    });
    return {
      pass: worstMonth.error <= MAX_MONTH_ENERGY_ERROR && worstCorrelation.value >= MIN_CORRELATION,
      figure:
        `worst month energy error ${percent(worstMonth.error, 4)} (${worstMonth.label}; max ${percent(MAX_MONTH_ENERGY_ERROR, 0)}), ` +
        `lowest quarter-hourly correlation ${worstCorrelation.value.toFixed(4)} (${worstCorrelation.label}; min ${MIN_CORRELATION}) over ${rows} quarter-hours`,
      details,
    };
  },
};

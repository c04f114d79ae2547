import { compilePeriods, ERSE_PERIODS, SEASONS, WEEK_DAYS, type ErsePeriod } from '../../subgraphs/tariffs/erse-periods.rules';
import { ERSE_CHART, ERSE_TOU_PERIODS } from '../../subgraphs/tariffs/erse-periods.table';
import { readErseChart } from '../tariffs/erse-chart';
import type { Check } from './check';

const hours = (quarters: readonly ErsePeriod[], period: ErsePeriod) => quarters.filter((q) => q === period).length / 4;
const offPeak = (quarters: readonly ErsePeriod[]) => hours(quarters, 'vazio_normal') + hours(quarters, 'super_vazio');

/**
 * The committed chart (subgraphs/tariffs/erse-periods.table.json) against ERSE's, quarter-hour by
 * quarter-hour, and ERSE's own checks on it: 10 off-peak hours a day in the daily cycle, 76 a week
 * in the weekly cycle (five weekdays, a Saturday and a Sunday).
 */
export const erseTouPeriodsCheck: Check = {
  name: 'erse-tou-periods',
  description: "subgraphs/tariffs/erse-periods.table.json classifies every quarter-hour as ERSE's chart does",
  run({ sharedDataDir }) {
    const reference = compilePeriods(readErseChart(sharedDataDir));
    const differences: string[] = [];
    const compare = (where: string, ours: readonly ErsePeriod[], theirs: readonly ErsePeriod[]) => {
      for (let q = 0; q < 96; q++) if (ours[q] !== theirs[q]) differences.push(`${where} quarter ${q}: ${ours[q]} against ${theirs[q]}`);
    };
    const details: string[] = [];
    for (const season of SEASONS) {
      compare(`daily ${season}`, ERSE_TOU_PERIODS.daily[season], reference.daily[season]);
      details.push(`daily ${season}: ${ERSE_PERIODS.map((period) => `${period} ${hours(ERSE_TOU_PERIODS.daily[season], period)} h`).join(', ')}`);
      for (const day of WEEK_DAYS) compare(`weekly ${season} ${day}`, ERSE_TOU_PERIODS.weekly[season][day], reference.weekly[season][day]);
    }
    const dailyOffPeak = SEASONS.map((season) => offPeak(ERSE_TOU_PERIODS.daily[season]));
    const weeklyOffPeak = SEASONS.map((season) => {
      const week = ERSE_TOU_PERIODS.weekly[season];
      return 5 * offPeak(week.WEEKDAY) + offPeak(week.SATURDAY) + offPeak(week.SUNDAY);
    });
    const checks = dailyOffPeak.every((h) => h === 10) && weeklyOffPeak.every((h) => h === 76);
    return {
      pass: differences.length === 0 && checks,
      figure: `${differences.length} quarter-hours differ from ERSE's chart over 2 seasons × 4 day charts × 96; off-peak hours: daily ${dailyOffPeak.join('/')} (want 10), weekly ${weeklyOffPeak.join('/')} (want 76) (summer/winter); source ${ERSE_CHART.source.split(' ')[0]}`,
      details: [...details, ...differences.slice(0, 20)],
    };
  },
};

import chart from './erse-periods.table.json';
import { compilePeriods, type CompiledPeriods, type ErsePeriodTable } from './erse-periods.rules';

/**
 * ERSE's time-of-use periods as the hub uses them: compiled once at load from the committed chart
 * (erse-periods.table.json, made by `npm run tariffs:derive` from the shared data and checked
 * against it by `npm run validate`), which names its source.
 */
// The JSON import is typed by its content (string arrays); compilePeriods checks every range and period.
export const ERSE_CHART = chart as unknown as ErsePeriodTable;
export const ERSE_TOU_PERIODS: CompiledPeriods = compilePeriods(ERSE_CHART);

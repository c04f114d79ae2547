import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERSE_PERIODS, type DayChart, type ErsePeriodTable } from '../../subgraphs/tariffs/erse-periods.rules';

/** ERSE's time-of-use chart for mainland Portugal, relative to the shared data folder. */
export const ERSE_CHART_FILE = 'tariffs/erse-tou-periods-mainland.json';

type RawDay = Record<string, [string, string][]>;
interface RawChart {
  source: string;
  continental: {
    diario: Record<'verao' | 'inverno', RawDay>;
    semanal: Record<'verao' | 'inverno', Record<'segunda_a_sexta' | 'sabado' | 'domingo', RawDay>>;
  };
}

function day(raw: RawDay): DayChart {
  // Object.fromEntries types its result as a string record; it has exactly one entry per period.
  return Object.fromEntries(ERSE_PERIODS.map((period) => [period, (raw[period] ?? []).map(([from, to]) => [from, to] as const)])) as unknown as DayChart;
}

/**
 * The hub's table from ERSE's chart (the file's own names: diario/semanal, verao/inverno,
 * segunda_a_sexta/sabado/domingo): the daily and the weekly cycle of BTN; the optional weekly
 * cycle is not offered to BTN households and is left out.
 */
export function readErseChart(sharedDataDir: string): ErsePeriodTable {
  const file = path.join(sharedDataDir, ERSE_CHART_FILE);
  // The shared file's shape is ERSE's (via pyerse); a missing key fails below with its name.
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawChart;
  const { diario, semanal } = raw.continental;
  const week = (season: 'verao' | 'inverno') => ({ WEEKDAY: day(semanal[season].segunda_a_sexta), SATURDAY: day(semanal[season].sabado), SUNDAY: day(semanal[season].domingo) });
  return {
    source: `${ERSE_CHART_FILE} (${raw.source})`,
    daily: { SUMMER: day(diario.verao), WINTER: day(diario.inverno) },
    weekly: { SUMMER: week('verao'), WINTER: week('inverno') },
  };
}

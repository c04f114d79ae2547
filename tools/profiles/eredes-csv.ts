import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DAY_MS, MINUTE_MS, QUARTER_MS, civilDate, epochDay, lisbonLocalDay, lisbonOffsetMs, lisbonWallToUtcMs } from '../../subgraphs/kit/calendar';
import { PROFILE_CLASSES } from './coefficients';
import { EREDES_PROFILES_FILE } from './shared-data';

/** The E-REDES profile file as consecutive UTC quarter-hours. */
export interface OfficialProfiles {
  /** UTC quarter-hour (quarters since the epoch) of the first row. */
  firstUtcQuarter: number;
  /** Per class (PROFILE_CLASSES order), row by row: ‰ of the class's annual energy in that quarter-hour. */
  values: Float64Array[];
}

const MONTHS = ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez'];
const COLUMNS: Record<(typeof PROFILE_CLASSES)[number], string> = { BTN_A: 'BTN A', BTN_B: 'BTN B', BTN_C: 'BTN C', IP: 'IP' };

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * The Data and Hora labels E-REDES gives the quarter-hour starting at `utcQuarter`: the Lisbon date
 * of its start and the Lisbon time of its end, 24:00 for the day's last ("01:00" twice on the
 * autumn day, no 01:00-01:45 on the spring day: legal time).
 */
export function eredesLabel(utcQuarter: number): { date: string; time: string } {
  const startMs = utcQuarter * QUARTER_MS;
  const localDay = lisbonLocalDay(startMs);
  const endMs = startMs + QUARTER_MS;
  const endMinutes = (endMs + lisbonOffsetMs(endMs) - localDay * DAY_MS) / MINUTE_MS;
  const { year, month, day } = civilDate(localDay);
  return { date: `${day}/${MONTHS[month - 1]}/${year}`, time: `${pad(Math.floor(endMinutes / 60))}:${pad(endMinutes % 60)}` };
}

/**
 * Parses the file and checks every row's labels against its position, so a reordered or
 * differently stamped file fails here rather than skewing the coefficients.
 */
export function parseEredesProfiles(text: string): OfficialProfiles {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0].split(';');
  const columnIndex = PROFILE_CLASSES.map((name) => {
    const index = header.indexOf(COLUMNS[name]);
    if (index < 0) throw new Error(`E-REDES profiles: no column "${COLUMNS[name]}" in header "${lines[0]}"`);
    return index;
  });
  const dateIndex = header.indexOf('Data');
  const timeIndex = header.indexOf('Hora');
  if (dateIndex < 0 || timeIndex < 0) throw new Error(`E-REDES profiles: no Data/Hora columns in header "${lines[0]}"`);

  const first = lines[1].split(';');
  const [day, monthName, year] = first[dateIndex].split('/');
  const [hours, minutes] = first[timeIndex].split(':').map(Number);
  const month = MONTHS.indexOf(monthName) + 1;
  if (month === 0) throw new Error(`E-REDES profiles: unknown month in "${first[dateIndex]}"`);
  const firstStartWallMs = epochDay(Number(year), month, Number(day)) * DAY_MS + (hours * 60 + minutes) * MINUTE_MS - QUARTER_MS;
  const firstUtcQuarter = lisbonWallToUtcMs(firstStartWallMs) / QUARTER_MS;

  const rows = lines.length - 1;
  const values = PROFILE_CLASSES.map(() => new Float64Array(rows));
  for (let row = 0; row < rows; row++) {
    const fields = lines[row + 1].split(';');
    const expected = eredesLabel(firstUtcQuarter + row);
    if (fields[dateIndex] !== expected.date || fields[timeIndex] !== expected.time) {
      throw new Error(
        `E-REDES profiles line ${row + 2}: expected ${expected.date} ${expected.time} (consecutive quarter-hours, end-stamped, Lisbon legal time), got ${fields[dateIndex]} ${fields[timeIndex]}`,
      );
    }
    columnIndex.forEach((column, classIndex) => {
      const value = Number(fields[column].replace(',', '.'));
      if (!Number.isFinite(value)) throw new Error(`E-REDES profiles line ${row + 2}: not a number: "${fields[column]}"`);
      values[classIndex][row] = value;
    });
  }
  return { firstUtcQuarter, values };
}

export function readEredesProfiles(sharedDataDir: string): OfficialProfiles {
  return parseEredesProfiles(readFileSync(path.join(sharedDataDir, EREDES_PROFILES_FILE), 'utf8'));
}

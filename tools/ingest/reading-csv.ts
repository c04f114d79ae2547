import { qualityCode, readingProblem, REJECT_REASONS, type ReadingRow } from '../../subgraphs/metering/reading.rules';

/**
 * The bulk reading file: a header line, then one reading per line, comma-separated without
 * quoting (no field can hold a comma). `quality` is optional; absent or empty, it is MEASURED.
 */
export const REQUIRED_COLUMNS = ['metering_point_id', 'interval_start', 'import_wh', 'export_wh'] as const;
export const OPTIONAL_COLUMNS = ['quality'] as const;
export const DEFAULT_QUALITY = 'MEASURED';

type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** Where each column sits in a line, from the header; `quality` is -1 when the file has none. */
export interface CsvLayout {
  fieldCount: number;
  index: Record<Column, number>;
}

/** A file the bulk load cannot even start on (missing, unreadable header): the user's to fix. */
export class IngestInputError extends Error {}

export function parseHeader(line: string): CsvLayout {
  const expected = `${REQUIRED_COLUMNS.join(',')}[,${OPTIONAL_COLUMNS.join(',')}]`;
  const names = line.replace(/^\uFEFF/, '').split(',').map((name) => name.trim());
  const known: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];
  const unknown = names.filter((name) => !known.includes(name));
  const missing = REQUIRED_COLUMNS.filter((name) => !names.includes(name));
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (unknown.length > 0 || missing.length > 0 || repeated.length > 0) {
    const problems = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown ${unknown.map((name) => `"${name}"`).join(', ')}` : '',
      repeated.length > 0 ? `repeated ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    throw new IngestInputError(`unusable header "${line}" (${problems.join('; ')}): expected ${expected}`);
  }
  const index = Object.fromEntries(known.map((name) => [name, names.indexOf(name)])) as Record<Column, number>;
  return { fieldCount: names.length, index };
}

// ISO 8601 with an offset: Z, ±hh, ±hhmm or ±hh:mm; a space for the T as PostgreSQL prints it.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch ms of an ISO 8601 instant with an offset, NaN for anything else: Date.parse would take
 * a time without an offset as local time and roll 30 February over into March.
 */
export function parseInstantMs(text: string): number {
  const match = INSTANT.exec(text);
  if (!match) return Number.NaN;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6] ?? 0);
  const offsetMinutes = match[8] ? 0 : (match[9] === '-' ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11] ?? 0));
  const daysInMonth = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (daysInMonth === undefined || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || Math.abs(offsetMinutes) > 18 * 60) {
    return Number.NaN;
  }
  const fractionMs = match[7] ? Number(`0.${match[7]}`) * 1000 : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second) + fractionMs - offsetMinutes * 60_000;
}

/**
 * A file repeats few distinct instants (a day has 96 quarter-hours), so parsing and formatting
 * them once each takes most of the per-line cost away. Emptied when full, to stay small.
 */
const INSTANT_CACHE_ENTRIES = 4096;

function memoised<K, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= INSTANT_CACHE_ENTRIES) cache.clear();
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

const cachedInstantMs = memoised(parseInstantMs);
const cachedIsoString = memoised((ms: number) => new Date(ms).toISOString());

const NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/** Number() reads '' as 0 and '0x10' as 16: only decimal text counts; readingProblem judges the value. */
const parseEnergy = (text: string): number => (NUMBER.test(text) ? Number(text) : Number.NaN);

export type ParsedLine = { row: ReadingRow; problem: null } | { row: null; problem: string };

/** One data line against the header's layout and the reading rules (which need no database). */
export function parseReadingLine(line: string, layout: CsvLayout, nowMs: number): ParsedLine {
  const fields = line.split(',');
  if (fields.length !== layout.fieldCount) return { row: null, problem: `expected ${layout.fieldCount} comma-separated fields, found ${fields.length}` };
  const { index } = layout;
  const quality = index.quality < 0 || fields[index.quality] === '' ? DEFAULT_QUALITY : fields[index.quality]!;
  const row: ReadingRow = {
    meteringPointId: fields[index.metering_point_id]!,
    intervalStartMs: cachedInstantMs(fields[index.interval_start]!),
    importWh: parseEnergy(fields[index.import_wh]!),
    exportWh: parseEnergy(fields[index.export_wh]!),
    quality,
  };
  const problem =
    row.meteringPointId === ''
      ? REJECT_REASONS.unknownPoint
      : readingProblem(row, nowMs);
  return problem ? { row: null, problem } : { row, problem: null };
}

const COPY_SPECIAL = /[\\\t\n\r]/;

/** COPY's text format escapes backslash, tab and line breaks; ids are plain codes, so this rarely runs. */
function copyText(value: string): string {
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** The staging columns the bulk COPY fills, in order; metering_point_key is resolved in SQL afterwards. */
export const STAGING_COPY_COLUMNS = '(line_no, metering_point_id, interval_start, import_wh, export_wh, quality)';

/** One valid row as a line of COPY text for STAGING_COPY_COLUMNS. */
export function stagingCopyLine(lineNo: number, row: ReadingRow): string {
  return `${lineNo}\t${copyText(row.meteringPointId)}\t${cachedIsoString(row.intervalStartMs)}\t${row.importWh}\t${row.exportWh}\t${qualityCode(row.quality)}\n`;
}

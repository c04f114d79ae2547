import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bus, LineCode, LineSegment, Load, LvNetwork, MvSource, Phase, Transformer } from './lv-network';

/**
 * Reads a feeder in the IEEE PES European LV Test Feeder CSV format (Source.csv, Transformer.csv,
 * LineCodes.csv, Lines.csv, Loads.csv, LoadShapes.csv, Buscoords.csv and the load profiles).
 * Every defect is reported with the file, the line and the field, because the files are edited by
 * hand and an operator must be able to find the mistake.
 */

export class FeederFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly field: string | null,
    detail: string,
  ) {
    super(`${file}${line === null ? '' : `, line ${line}`}${field === null ? '' : `, field ${field}`}: ${detail}`);
    this.name = 'FeederFileError';
  }
}

interface CsvRow {
  line: number;
  get(field: string): string;
}

/** OpenDSS's defaults for a Vsource given by its short-circuit currents. */
const DEFAULT_X1R1 = 4;
const DEFAULT_X0R0 = 3;
/** A minute-step day: the shapes the published feeder uses. */
const MINUTES_PER_DAY = 1440;

function readText(folder: string, file: string): string {
  const full = path.join(folder, file);
  if (!existsSync(full)) throw new FeederFileError(file, null, null, 'file not found');
  return readFileSync(full, 'utf8');
}

/**
 * Rows of a table whose header is the first line that is neither blank nor a `#` comment; field
 * names are matched without case, spaces or a leading `%`, as the published files vary in both.
 */
function readTable(folder: string, file: string, required: readonly string[]): CsvRow[] {
  const lines = readText(folder, file).split(/\r?\n/);
  let header: string[] | null = null;
  const rows: CsvRow[] = [];
  const normalise = (name: string) => name.trim().replace(/^%\s*/, '').toLowerCase();
  lines.forEach((text, index) => {
    const lineNumber = index + 1;
    if (text.trim() === '' || text.trim().startsWith('#') || /^[,\s]*$/.test(text)) return;
    const cells = text.split(',').map((cell) => cell.trim());
    if (header === null) {
      header = cells.map(normalise);
      for (const field of required) {
        if (!header.includes(normalise(field))) throw new FeederFileError(file, lineNumber, field, 'missing column in the header');
      }
      return;
    }
    const columns = header;
    rows.push({
      line: lineNumber,
      get(field: string): string {
        const value = cells[columns.indexOf(normalise(field))];
        if (value === undefined || value === '') throw new FeederFileError(file, lineNumber, field, 'missing value');
        return value;
      },
    });
  });
  if (header === null) throw new FeederFileError(file, null, null, 'no header line');
  return rows;
}

function numberField(file: string, row: CsvRow, field: string, rule: 'positive' | 'nonNegative' | 'any' = 'positive'): number {
  const text = row.get(field);
  const value = Number(text);
  const valid = Number.isFinite(value) && (rule === 'any' || (rule === 'positive' ? value > 0 : value >= 0));
  if (!valid) throw new FeederFileError(file, row.line, field, `expected a ${rule === 'any' ? '' : rule === 'positive' ? 'positive ' : 'non-negative '}number, got "${text}"`);
  return value;
}

/** Source.csv is `key=value` lines with units (`Voltage=11 kV`, `ISC3=3000 A`). */
function readSource(folder: string): MvSource {
  const file = 'Source.csv';
  const values = new Map<string, { value: string; line: number }>();
  readText(folder, file)
    .split(/\r?\n/)
    .forEach((text, index) => {
      const match = /^\s*([A-Za-z0-9_]+)\s*=\s*([^,]*)/.exec(text);
      if (match) values.set(match[1].toLowerCase(), { value: match[2].trim(), line: index + 1 });
    });
  const read = (key: string, unit: string | null, fallback?: number): number => {
    const entry = values.get(key.toLowerCase());
    if (!entry) {
      if (fallback !== undefined) return fallback;
      throw new FeederFileError(file, null, key, 'missing');
    }
    const match = /^([0-9.eE+-]+)\s*([A-Za-z]*)$/.exec(entry.value);
    const value = match ? Number(match[1]) : NaN;
    if (!match || !Number.isFinite(value) || value <= 0) throw new FeederFileError(file, entry.line, key, `expected a positive number, got "${entry.value}"`);
    if (unit !== null && match[2] !== '' && match[2].toLowerCase() !== unit.toLowerCase()) {
      throw new FeederFileError(file, entry.line, key, `expected ${unit}, got "${match[2]}"`);
    }
    return value;
  };
  return {
    voltageKv: read('Voltage', 'kV'),
    voltagePu: read('pu', null),
    isc3A: read('ISC3', 'A'),
    isc1A: read('ISC1', 'A'),
    x1r1: read('X1R1', null, DEFAULT_X1R1),
    x0r0: read('X0R0', null, DEFAULT_X0R0),
  };
}

function readTransformer(folder: string): Transformer {
  const file = 'Transformer.csv';
  const rows = readTable(folder, file, ['Name', 'kV_pri', 'kV_sec', 'MVA', 'Conn_pri', 'Conn_sec', '%XHL', '% resistance']);
  if (rows.length !== 1) throw new FeederFileError(file, rows[1]?.line ?? null, null, `expected exactly one transformer, found ${rows.length}`);
  const row = rows[0];
  const primary = row.get('Conn_pri').toLowerCase();
  const secondary = row.get('Conn_sec').toLowerCase();
  if (primary !== 'delta') throw new FeederFileError(file, row.line, 'Conn_pri', `only a Delta primary is supported, got "${row.get('Conn_pri')}"`);
  if (secondary !== 'wye') throw new FeederFileError(file, row.line, 'Conn_sec', `only a grounded-Wye secondary is supported, got "${row.get('Conn_sec')}"`);
  return {
    ratedKva: numberField(file, row, 'MVA') * 1000,
    primaryKv: numberField(file, row, 'kV_pri'),
    secondaryKv: numberField(file, row, 'kV_sec'),
    connection: 'Dyn',
    resistancePercent: numberField(file, row, '% resistance', 'nonNegative'),
    reactancePercent: numberField(file, row, '%XHL', 'nonNegative'),
  };
}

/** Impedances in ohm per km whatever unit the file gives. */
const PER_KM: Readonly<Record<string, number>> = { km: 1, m: 1000, mi: 1 / 1.609344, kft: 1 / 0.3048, ft: 1000 / 0.3048 };
/** Lengths in m. */
const METRES: Readonly<Record<string, number>> = { m: 1, km: 1000, ft: 0.3048, kft: 304.8, mi: 1609.344 };

function unitFactor(file: string, row: CsvRow, table: Readonly<Record<string, number>>): number {
  const unit = row.get('Units').toLowerCase();
  const factor = table[unit];
  if (factor === undefined) throw new FeederFileError(file, row.line, 'Units', `unknown unit "${row.get('Units')}"`);
  return factor;
}

function readLineCodes(folder: string): LineCode[] {
  const file = 'LineCodes.csv';
  const seen = new Set<string>();
  return readTable(folder, file, ['Name', 'R1', 'X1', 'R0', 'X0', 'Units']).map((row) => {
    const name = row.get('Name');
    if (seen.has(name)) throw new FeederFileError(file, row.line, 'Name', `duplicate line code "${name}"`);
    seen.add(name);
    const factor = unitFactor(file, row, PER_KM);
    return {
      name,
      r1OhmPerKm: numberField(file, row, 'R1', 'nonNegative') * factor,
      x1OhmPerKm: numberField(file, row, 'X1', 'nonNegative') * factor,
      r0OhmPerKm: numberField(file, row, 'R0', 'nonNegative') * factor,
      x0OhmPerKm: numberField(file, row, 'X0', 'nonNegative') * factor,
      ampacityA: null,
    };
  });
}

/** Segments must form one tree from the transformer's LV bus: each bus fed exactly once. */
function readLines(folder: string, lineCodes: ReadonlySet<string>, buses: ReadonlySet<string>, rootBus: string, feederName: string): LineSegment[] {
  const file = 'Lines.csv';
  const fed = new Set<string>([rootBus]);
  const rows = readTable(folder, file, ['Name', 'Bus1', 'Bus2', 'Phases', 'Length', 'Units', 'LineCode']);
  const segments = rows.map((row) => {
    for (const field of ['Bus1', 'Bus2']) {
      if (!buses.has(row.get(field))) throw new FeederFileError(file, row.line, field, `bus "${row.get(field)}" is not in Buscoords.csv`);
    }
    if (fed.has(row.get('Bus2'))) throw new FeederFileError(file, row.line, 'Bus2', `bus "${row.get('Bus2')}" is fed twice: the feeder must be radial`);
    fed.add(row.get('Bus2'));
    const phases = row.get('Phases').toUpperCase();
    if (phases !== 'ABC') throw new FeederFileError(file, row.line, 'Phases', `only three-phase segments are supported, got "${row.get('Phases')}"`);
    const lineCode = row.get('LineCode');
    if (!lineCodes.has(lineCode)) throw new FeederFileError(file, row.line, 'LineCode', `unknown line code "${lineCode}" (not in LineCodes.csv)`);
    return {
      name: row.get('Name'),
      fromBus: row.get('Bus1'),
      toBus: row.get('Bus2'),
      lengthM: numberField(file, row, 'Length') * unitFactor(file, row, METRES),
      lineCode,
      feederId: feederName,
    };
  });
  for (const bus of buses) {
    if (!fed.has(bus)) throw new FeederFileError(file, null, null, `bus "${bus}" is not fed by any segment`);
  }
  // Every bus fed once can still hold a ring of segments feeding each other, cut off from the transformer.
  const downstream = new Map<string, string[]>();
  for (const segment of segments) downstream.set(segment.fromBus, [...(downstream.get(segment.fromBus) ?? []), segment.toBus]);
  const reached = [rootBus];
  for (let head = 0; head < reached.length; head++) reached.push(...(downstream.get(reached[head]) ?? []));
  const reachedSet = new Set(reached);
  const cutOff = segments.findIndex((segment) => !reachedSet.has(segment.fromBus));
  if (cutOff >= 0) {
    throw new FeederFileError(file, rows[cutOff].line, 'Bus1', `bus "${segments[cutOff].fromBus}" is not reached from the transformer's bus "${rootBus}": the segments form a loop`);
  }
  return segments;
}

function readShapes(folder: string): Map<string, Float64Array> {
  const file = 'LoadShapes.csv';
  const shapes = new Map<string, Float64Array>();
  for (const row of readTable(folder, file, ['Name', 'npts', 'File'])) {
    const name = row.get('Name');
    const points = numberField(file, row, 'npts');
    if (points !== MINUTES_PER_DAY) throw new FeederFileError(file, row.line, 'npts', `expected ${MINUTES_PER_DAY} one-minute points, got ${points}`);
    const profile = row.get('File');
    // The v2 package keeps the profiles in a subfolder; the original beside the tables.
    const relative = existsSync(path.join(folder, 'load-profiles', profile)) ? path.join('load-profiles', profile) : profile;
    const multipliers = new Float64Array(points);
    const profileRows = readTable(folder, relative, ['mult']);
    if (profileRows.length !== points) throw new FeederFileError(relative, null, null, `expected ${points} rows, found ${profileRows.length}`);
    profileRows.forEach((profileRow, i) => {
      multipliers[i] = numberField(relative, profileRow, 'mult', 'nonNegative');
    });
    shapes.set(name, multipliers);
  }
  return shapes;
}

function readLoads(folder: string, shapes: ReadonlyMap<string, Float64Array>, buses: ReadonlySet<string>): Load[] {
  const file = 'Loads.csv';
  return readTable(folder, file, ['Name', 'Bus', 'phases', 'kV', 'Model', 'Connection', 'kW', 'PF', 'Yearly']).map((row) => {
    if (!buses.has(row.get('Bus'))) throw new FeederFileError(file, row.line, 'Bus', `bus "${row.get('Bus')}" is not in Buscoords.csv`);
    const phase = row.get('phases').toUpperCase();
    if (phase !== 'A' && phase !== 'B' && phase !== 'C') throw new FeederFileError(file, row.line, 'phases', `expected A, B or C, got "${row.get('phases')}"`);
    if (row.get('Model') !== '1') throw new FeederFileError(file, row.line, 'Model', `only constant-PQ loads (model 1) are supported, got "${row.get('Model')}"`);
    if (row.get('Connection').toLowerCase() !== 'wye') throw new FeederFileError(file, row.line, 'Connection', `only wye (line-to-neutral) loads are supported`);
    const powerFactor = numberField(file, row, 'PF');
    if (powerFactor > 1) throw new FeederFileError(file, row.line, 'PF', `a power factor is at most 1, got ${powerFactor}`);
    const shape = row.get('Yearly');
    if (!shapes.has(shape)) throw new FeederFileError(file, row.line, 'Yearly', `unknown load shape "${shape}" (not in LoadShapes.csv)`);
    // Shapes are in actual kW (useactual), so the kW column must be the 1 kW base they assume.
    if (numberField(file, row, 'kW') !== 1) throw new FeederFileError(file, row.line, 'kW', 'expected 1: the load shapes give actual kW');
    return { name: row.get('Name'), bus: row.get('Bus'), phase: phase satisfies Phase, kv: numberField(file, row, 'kV'), powerFactor, shape, meteringPointId: null, share: 1 };
  });
}

function readBuses(folder: string): Bus[] {
  const file = 'Buscoords.csv';
  return readTable(folder, file, ['Busname', 'x', 'y']).map((row) => ({
    name: row.get('Busname'),
    x: numberField(file, row, 'x', 'any'),
    y: numberField(file, row, 'y', 'any'),
  }));
}

export function readIeeeFeeder(folder: string): LvNetwork {
  if (!existsSync(folder)) throw new FeederFileError(folder, null, null, 'folder not found');
  const name = path.basename(path.resolve(folder));
  const source = readSource(folder);
  const transformer = readTransformer(folder);
  const transformerRow = readTable(folder, 'Transformer.csv', ['bus2'])[0];
  const rootBus = transformerRow.get('bus2');
  const buses = readBuses(folder);
  const busNames = new Set(buses.map((bus) => bus.name));
  if (!busNames.has(rootBus)) throw new FeederFileError('Transformer.csv', transformerRow.line, 'bus2', `bus "${rootBus}" is not in Buscoords.csv`);
  const lineCodes = readLineCodes(folder);
  const lines = readLines(folder, new Set(lineCodes.map((code) => code.name)), busNames, rootBus, name);
  const shapes = readShapes(folder);
  const loads = readLoads(folder, shapes, busNames);
  return { name, source, transformer, rootBus, buses, lineCodes, lines, loads, shapes };
}

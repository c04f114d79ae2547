import { REJECT_REASONS } from '../../subgraphs/metering/reading.rules';
import { IngestInputError, parseHeader, parseInstantMs, parseReadingLine, stagingCopyLine } from './reading-csv';

const NOW_MS = Date.parse('2026-11-01T00:00:00Z');
const layout = parseHeader('metering_point_id,interval_start,import_wh,export_wh,quality');

describe('parseInstantMs', () => {
  it('reads Z and numeric offsets, with or without seconds, and PostgreSQL’s space-separated form', () => {
    const expected = Date.parse('2026-10-05T00:15:00Z');
    for (const text of ['2026-10-05T00:15:00Z', '2026-10-05T00:15Z', '2026-10-05T01:15:00+01:00', '2026-10-05T01:15:00+0100', '2026-10-05 00:15:00+00', '2026-10-04T23:15:00.000-01:00']) {
      expect(parseInstantMs(text)).toBe(expected);
    }
  });

  it('refuses a time without an offset, an impossible date and anything else', () => {
    for (const text of ['2026-10-05T00:15:00', '2026-02-30T00:00:00Z', '2026-13-01T00:00Z', '2026-10-05T24:00Z', '2026-10-05', 'yesterday', '']) {
      expect(parseInstantMs(text)).toBeNaN();
    }
  });
});

describe('parseHeader', () => {
  it('finds the columns in any order and without the optional quality', () => {
    expect(parseHeader('\uFEFFinterval_start,metering_point_id,export_wh,import_wh')).toEqual({
      fieldCount: 4,
      index: { metering_point_id: 1, interval_start: 0, import_wh: 3, export_wh: 2, quality: -1 },
    });
  });

  it('names what is missing, unknown or repeated', () => {
    expect(() => parseHeader('metering_point_id,interval_start,import_kwh,export_wh')).toThrow(/missing import_wh; unknown "import_kwh"/);
    expect(() => parseHeader('metering_point_id,interval_start,import_wh,export_wh,export_wh')).toThrow(/repeated export_wh/);
    expect(() => parseHeader('')).toThrow(IngestInputError);
  });
});

describe('parseReadingLine', () => {
  const reason = (line: string) => parseReadingLine(line, layout, NOW_MS).problem;

  it('accepts a valid line and defaults an empty quality to MEASURED', () => {
    expect(parseReadingLine('PT0002000000000001AA,2026-10-05T00:15:00Z,120,3,', layout, NOW_MS)).toEqual({
      row: { meteringPointId: 'PT0002000000000001AA', intervalStartMs: Date.parse('2026-10-05T00:15:00Z'), importWh: 120, exportWh: 3, quality: 'MEASURED' },
      problem: null,
    });
  });

  it('gives the reason of the reading rules, and its own for what the rules cannot see', () => {
    expect(reason('P,2026-10-05T00:07:00Z,1,0,MEASURED')).toBe(REJECT_REASONS.misaligned);
    expect(reason('P,2026-11-01T00:00:00Z,1,0,MEASURED')).toBe(REJECT_REASONS.future);
    expect(reason('P,2026-10-05T00:00:00,1,0,MEASURED')).toBe(REJECT_REASONS.badTime);
    for (const energy of ['-1', '1.5', '', '0x10', '1e3']) expect(reason(`P,2026-10-05T00:00:00Z,${energy},0,MEASURED`)).toBe(REJECT_REASONS.badEnergy);
    expect(reason('P,2026-10-05T00:00:00Z,1,0,GUESSED')).toBe(REJECT_REASONS.badQuality);
    expect(reason(',2026-10-05T00:00:00Z,1,0,MEASURED')).toBe(REJECT_REASONS.unknownPoint);
    expect(reason('P,2026-10-05T00:00:00Z,2147483648,0,MEASURED')).toBe(REJECT_REASONS.tooMuchEnergy);
    expect(reason('P,2026-10-05T00:00:00Z,1,0')).toBe('expected 5 comma-separated fields, found 4');
  });
});

describe('stagingCopyLine', () => {
  it('writes COPY text with the quality code and escapes what COPY would misread', () => {
    const row = { meteringPointId: 'A\\B\tC', intervalStartMs: Date.parse('2026-10-05T00:15:00Z'), importWh: 1, exportWh: 2, quality: 'ESTIMATED' };
    expect(stagingCopyLine(7, row)).toBe('7\tA\\\\B\\tC\t2026-10-05T00:15:00.000Z\t1\t2\t1\n');
  });
});

import { DAY_TYPES, QUARTER_MS, epochDay } from '../../subgraphs/kit/calendar';
import { PROFILE_CLASSES, SHAPE_SCALE, StandardProfiles, profileCoefficientsSchema, type ClassCoefficients, type ProfileClassIndex, type ProfileCoefficients } from './coefficients';
import { deriveCoefficients, formatCoefficients } from './derivation';
import { eredesLabel, parseEredesProfiles, type OfficialProfiles } from './eredes-csv';

const HEADER = 'Data;Dia;Hora;BTN A;BTN B;BTN C;IP';

/** A CSV as E-REDES writes it (decimal comma, end-stamped legal time) of `values` from `firstUtcQuarter`. */
function csv(firstUtcQuarter: number, values: readonly (readonly number[])[]): string {
  const rows = values.map((row, i) => {
    const { date, time } = eredesLabel(firstUtcQuarter + i);
    return [date, 'x', time, ...row.map((v) => String(v).replace('.', ','))].join(';');
  });
  return [HEADER, ...rows].join('\r\n');
}

const utcQuarter = (...args: [number, number, number, number?, number?]): number => Date.UTC(...args) / QUARTER_MS;

describe('eredesLabel', () => {
  it('stamps the end of each quarter-hour in legal time, 24:00 closing the day', () => {
    expect(eredesLabel(utcQuarter(2023, 0, 1, 0, 0))).toEqual({ date: '1/jan/2023', time: '00:15' });
    expect(eredesLabel(utcQuarter(2023, 0, 1, 23, 45))).toEqual({ date: '1/jan/2023', time: '24:00' });
    expect(eredesLabel(utcQuarter(2023, 2, 26, 0, 45))).toEqual({ date: '26/mar/2023', time: '02:00' });
    expect(eredesLabel(utcQuarter(2023, 9, 28, 23, 45))).toEqual({ date: '29/out/2023', time: '01:00' });
    expect(eredesLabel(utcQuarter(2023, 9, 29, 0, 45))).toEqual({ date: '29/out/2023', time: '01:00' });
  });
});

describe('parseEredesProfiles', () => {
  it('reads decimal commas and places rows across the autumn switch', () => {
    const first = utcQuarter(2023, 9, 28, 22);
    const values = Array.from({ length: 12 }, (_, i) => [i / 10, 1.5, 0.0000003, i]);
    const parsed = parseEredesProfiles(csv(first, values));
    expect(parsed.firstUtcQuarter).toBe(first);
    expect(Array.from(parsed.values[0])).toEqual(values.map((row) => row[0]));
    expect(parsed.values[2][3]).toBeCloseTo(0.0000003, 10);
  });

  it('rejects a file whose stamps do not follow its rows', () => {
    const text = csv(utcQuarter(2023, 0, 1), [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]);
    const lines = text.split('\r\n');
    [lines[2], lines[3]] = [lines[3], lines[2]];
    expect(() => parseEredesProfiles(lines.join('\r\n'))).toThrow(/line 3: expected 1\/jan\/2023 00:30/);
  });
});

/** Made-up coefficients with distinct shapes per class, month and day type. */
function knownCoefficients(): ProfileCoefficients {
  const make = (classIndex: number, dayTypeGroup: number[]): ClassCoefficients => {
    const groups = Math.max(...dayTypeGroup) + 1;
    return {
      monthShare: Array.from({ length: 12 }, (_, m) => (1 + 0.3 * Math.cos((m + classIndex) / 2)) / 12),
      dayTypeGroup,
      dayWeight: Array.from({ length: 12 }, () => [1.1, 0.9, 0.75].slice(0, groups)),
      shape: Array.from({ length: 12 }, (_, m) =>
        Array.from({ length: groups }, (_, g) => {
          const raw = Array.from({ length: 96 }, (_, s) => 1.2 + Math.sin((s + 8 * g + m + 5 * classIndex) / 9));
          const total = raw.reduce((a, b) => a + b, 0);
          return raw.map((v) => Math.round((v / total) * SHAPE_SCALE));
        }),
      ),
    };
  };
  return {
    source: { file: 'test', origin: 'test', derivation: 'test', conventions: 'test', derivedOn: '2025-01-01' },
    dayTypes: [DAY_TYPES[0], DAY_TYPES[1], DAY_TYPES[2]],
    shapeScale: SHAPE_SCALE,
    classes: { BTN_A: make(0, [0, 1, 2]), BTN_B: make(1, [0, 1, 2]), BTN_C: make(2, [0, 1, 2]), IP: make(3, [0, 0, 0]) },
  };
}

describe('deriveCoefficients', () => {
  const known = new StandardProfiles(knownCoefficients());
  const firstUtcQuarter = epochDay(2023, 1, 1) * 96;
  const rows = 365 * 96;
  const official: OfficialProfiles = {
    firstUtcQuarter,
    values: PROFILE_CLASSES.map((_, c) => Float64Array.from({ length: rows }, (_, row) => 1000 * known.share(c as ProfileClassIndex, firstUtcQuarter + row))),
  };
  const derived = deriveCoefficients(official, { file: 'synthetic.csv', derivedOn: '2025-02-03' });

  it('recovers a year built from known coefficients, summer-time days included', () => {
    const rebuilt = new StandardProfiles(derived);
    let worst = 0;
    PROFILE_CLASSES.forEach((_, c) => {
      for (let row = 0; row < rows; row++) {
        const expected = official.values[c][row];
        worst = Math.max(worst, Math.abs(1000 * rebuilt.share(c as ProfileClassIndex, firstUtcQuarter + row) - expected) / expected);
      }
    });
    // What rounding shapes to whole units of SHAPE_SCALE leaves.
    expect(worst).toBeLessThan(1e-3);
  });

  it('keeps every month\'s share and pools public lighting over day types', () => {
    const shares = derived.classes.BTN_A.monthShare;
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 8);
    expect(derived.classes.IP.dayTypeGroup).toEqual([0, 0, 0]);
    expect(derived.classes.IP.shape[0]).toHaveLength(1);
    expect(derived.classes.BTN_C.shape[0]).toHaveLength(3);
    expect(derived.source).toMatchObject({ file: 'synthetic.csv', derivedOn: '2025-02-03' });
  });

  it('writes JSON that parses back to the same table and passes the schema', () => {
    const text = formatCoefficients(derived);
    expect(JSON.parse(text)).toEqual(derived);
    expect(() => profileCoefficientsSchema.parse(JSON.parse(text))).not.toThrow();
    expect(text).toMatch(/"monthShare": \[[\d.,e-]+\]/);
  });
});

import fc from 'fast-check';
import {
  CRITICAL_FACTOR,
  declaredAsset,
  describeFinding,
  findingProblem,
  MAX_WINDOW_DAYS,
  parseDeclaration,
  severityOf,
  windowProblem,
  type DeclarationDraft,
  type PowerFlowFinding,
} from './grid-constraint.rules';

const DAY_MS = 86_400_000;
const start = Date.parse('2026-11-26T18:00:00Z');

describe('severityOf', () => {
  it('makes an overload CRITICAL from 120 % of the thermal limit on', () => {
    // 100 % limit: 119.9 % is a warning, 120 % and above critical; in amperes, 400 A cable: 480 A.
    expect(severityOf('LINE_OVERLOAD', 100, 100.5)).toBe('WARNING');
    expect(severityOf('LINE_OVERLOAD', 100, 119.9)).toBe('WARNING');
    expect(severityOf('LINE_OVERLOAD', 100, 120)).toBe('CRITICAL');
    expect(severityOf('TRANSFORMER_OVERLOAD', 100, 134.2)).toBe('CRITICAL');
    expect(severityOf('LINE_OVERLOAD', 400, 479)).toBe('WARNING');
    expect(severityOf('LINE_OVERLOAD', 400, 480)).toBe('CRITICAL');
    // 630 kVA transformer: 756 kVA is 120 %.
    expect(severityOf('TRANSFORMER_OVERLOAD', 630, 755)).toBe('WARNING');
    expect(severityOf('TRANSFORMER_OVERLOAD', 630, 756)).toBe('CRITICAL');
  });

  it("makes an undervoltage CRITICAL at EN 50160's −15 % floor: 195.5 V against 207 V, 0.85 pu against 0.90 pu", () => {
    expect(severityOf('UNDERVOLTAGE', 207, 206)).toBe('WARNING');
    expect(severityOf('UNDERVOLTAGE', 207, 195.6)).toBe('WARNING');
    expect(severityOf('UNDERVOLTAGE', 207, 195.5)).toBe('CRITICAL');
    expect(severityOf('UNDERVOLTAGE', 207, 180)).toBe('CRITICAL');
    expect(severityOf('UNDERVOLTAGE', 0.9, 0.851)).toBe('WARNING');
    expect(severityOf('UNDERVOLTAGE', 0.9, 0.85)).toBe('CRITICAL');
  });

  it('makes an overvoltage CRITICAL at +15 %: 264.5 V against 253 V, 1.15 pu against 1.10 pu', () => {
    expect(severityOf('OVERVOLTAGE', 253, 254)).toBe('WARNING');
    expect(severityOf('OVERVOLTAGE', 253, 264.4)).toBe('WARNING');
    expect(severityOf('OVERVOLTAGE', 253, 264.5)).toBe('CRITICAL');
    expect(severityOf('OVERVOLTAGE', 1.1, 1.15)).toBe('CRITICAL');
    expect(severityOf('OVERVOLTAGE', 1.1, 1.149)).toBe('WARNING');
  });

  it('makes a phase unbalance CRITICAL from 1.5 times the limit: 3 % against 2 %', () => {
    expect(severityOf('PHASE_UNBALANCE', 2, 2.9)).toBe('WARNING');
    expect(severityOf('PHASE_UNBALANCE', 2, 3)).toBe('CRITICAL');
  });

  it('makes a failure CRITICAL, and maintenance CRITICAL only when the loading expected exceeds the capacity left', () => {
    expect(severityOf('ASSET_FAILURE', 0, 0)).toBe('CRITICAL');
    expect(severityOf('PLANNED_MAINTENANCE', 0, 0)).toBe('WARNING');
    expect(severityOf('PLANNED_MAINTENANCE', 60, 60)).toBe('WARNING');
    expect(severityOf('PLANNED_MAINTENANCE', 60, 75)).toBe('CRITICAL');
  });

  it('does not depend on the unit: scaling limit and value together keeps the severity', () => {
    const kinds = Object.keys(CRITICAL_FACTOR) as (keyof typeof CRITICAL_FACTOR)[];
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.double({ min: 0.5, max: 2, noNaN: true }), fc.constantFrom(0.01, 1 / 230, 100, 230, 1000), (kind, ratio, scale) => {
        const limit = kind === 'PHASE_UNBALANCE' ? 2 : kind.endsWith('VOLTAGE') ? (kind === 'UNDERVOLTAGE' ? 207 : 253) : 100;
        // Away from the bound, where rounding of the scaled pair could tip it.
        fc.pre(Math.abs(ratio - CRITICAL_FACTOR[kind]) > 1e-6);
        expect(severityOf(kind, limit * scale, limit * ratio * scale)).toBe(severityOf(kind, limit, limit * ratio));
      }),
    );
  });
});

describe('windowProblem', () => {
  it(`wants from before to, at most ${MAX_WINDOW_DAYS} days apart`, () => {
    expect(windowProblem(start, start + DAY_MS)).toBeNull();
    expect(windowProblem(start, start + MAX_WINDOW_DAYS * DAY_MS)).toBeNull();
    expect(windowProblem(start, start + MAX_WINDOW_DAYS * DAY_MS + 1)).toMatch(/at most 366 days/);
    expect(windowProblem(start, start)).toBe('to must be after from');
    expect(windowProblem(start, start - 1)).toBe('to must be after from');
  });
});

describe('parseDeclaration', () => {
  const draft = (overrides: Partial<DeclarationDraft> = {}): DeclarationDraft => ({
    kind: 'PLANNED_MAINTENANCE',
    startMs: start,
    endMs: start + 4 * 3_600_000,
    limit: null,
    value: null,
    description: '  Replacing the LV board of PT 0042  ',
    ...overrides,
  });

  it('defaults the capacity left to 0 (out of service) and the loading expected to 0, and trims the description', () => {
    expect(parseDeclaration(draft())).toEqual({ kind: 'PLANNED_MAINTENANCE', limit: 0, value: 0, description: 'Replacing the LV board of PT 0042' });
    expect(parseDeclaration(draft({ kind: 'ASSET_FAILURE', limit: 50, value: 80 }))).toEqual({ kind: 'ASSET_FAILURE', limit: 50, value: 80, description: 'Replacing the LV board of PT 0042' });
  });

  it("refuses the power flow's kinds, naming the field", () => {
    for (const kind of ['TRANSFORMER_OVERLOAD', 'LINE_OVERLOAD', 'UNDERVOLTAGE', 'OVERVOLTAGE', 'PHASE_UNBALANCE'] as const) {
      expect(parseDeclaration(draft({ kind }))).toEqual([{ field: 'kind', message: expect.stringMatching(/PLANNED_MAINTENANCE, ASSET_FAILURE/) }]);
    }
  });

  it('refuses a reversed, empty or too long window, out-of-range percentages and an empty description, each by its field', () => {
    const fields = (overrides: Partial<DeclarationDraft>) => {
      const parsed = parseDeclaration(draft(overrides));
      return Array.isArray(parsed) ? parsed.map((problem) => problem.field) : [];
    };
    expect(fields({ endMs: start - 1 })).toEqual(['end']);
    expect(fields({ endMs: start })).toEqual(['end']);
    expect(fields({ endMs: start + (MAX_WINDOW_DAYS + 1) * DAY_MS })).toEqual(['end']);
    expect(fields({ limit: -1 })).toEqual(['limit']);
    expect(fields({ limit: 100.1 })).toEqual(['limit']);
    expect(fields({ limit: Number.NaN })).toEqual(['limit']);
    expect(fields({ value: 1_000.1 })).toEqual(['value']);
    expect(fields({ description: ' \n ' })).toEqual(['description']);
    expect(fields({ description: 'x'.repeat(501) })).toEqual(['description']);
    expect(fields({ kind: 'LINE_OVERLOAD', endMs: start, description: '' })).toEqual(['kind', 'end', 'description']);
  });
});

describe('declaredAsset', () => {
  it("is the feeder when one is named, else the substation's transformer", () => {
    expect(declaredAsset('PT-1', 'PT-1-F2')).toEqual({ kind: 'FEEDER', id: 'PT-1-F2' });
    expect(declaredAsset('PT-1', null)).toEqual({ kind: 'TRANSFORMER', id: 'PT-1' });
  });
});

describe('findingProblem', () => {
  const finding = (overrides: Partial<PowerFlowFinding> = {}): PowerFlowFinding => ({
    kind: 'LINE_OVERLOAD',
    startMs: start,
    endMs: start + 900_000,
    limit: 100,
    value: 134.2,
    unit: 'PERCENT',
    ...overrides,
  });

  it('accepts a value beyond its limit, in a unit of its kind', () => {
    expect(findingProblem(finding())).toBeNull();
    expect(findingProblem(finding({ kind: 'UNDERVOLTAGE', limit: 207, value: 201.3, unit: 'VOLT' }))).toBeNull();
    expect(findingProblem(finding({ kind: 'TRANSFORMER_OVERLOAD', limit: 630, value: 700, unit: 'KILOVOLT_AMPERE' }))).toBeNull();
  });

  it('refuses a value within its limit, a unit foreign to its kind, a reversed window and infinite numbers', () => {
    expect(findingProblem(finding({ value: 100 }))).toMatch(/not beyond limit/);
    expect(findingProblem(finding({ kind: 'UNDERVOLTAGE', limit: 207, value: 210, unit: 'VOLT' }))).toMatch(/not beyond limit/);
    expect(findingProblem(finding({ unit: 'VOLT' }))).toBe('LINE_OVERLOAD is stated in PERCENT or AMPERE, not VOLT');
    expect(findingProblem(finding({ endMs: start }))).toBe('end must be after start');
    expect(findingProblem(finding({ value: Number.POSITIVE_INFINITY }))).toBe('limit and value must be finite');
  });
});

describe('describeFinding', () => {
  it('states value and limit in their unit, four significant digits', () => {
    expect(describeFinding('LINE_OVERLOAD', 100, 134.2167, 'PERCENT')).toBe('Line loading 134.2 % above the limit of 100 %');
    expect(describeFinding('UNDERVOLTAGE', 207, 201.349, 'VOLT')).toBe('Voltage 201.3 V below the limit of 207 V');
    expect(describeFinding('TRANSFORMER_OVERLOAD', 630, 702.04, 'KILOVOLT_AMPERE')).toBe('Transformer loading 702 kVA above the limit of 630 kVA');
  });
});

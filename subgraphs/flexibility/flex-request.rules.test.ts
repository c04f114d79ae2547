import { flexRequestProblems } from './flex-request.rules';

const now = Date.parse('2026-11-26T10:00:00Z');
const at = (iso: string) => new Date(iso);

describe('flexRequestProblems', () => {
  it('accepts an evening window for a positive power', () => {
    expect(flexRequestProblems({ powerKw: 50, windowStart: at('2026-11-26T18:00:00Z'), windowEnd: at('2026-11-26T21:00:00Z') }, now)).toEqual([]);
  });

  it('rejects a window that ends before it starts', () => {
    expect(flexRequestProblems({ powerKw: 50, windowStart: at('2026-11-26T21:00:00Z'), windowEnd: at('2026-11-26T18:00:00Z') }, now)).toEqual([
      'windowEnd must be after windowStart',
    ]);
  });

  it('rejects zero, sub-watt, negative and absurd powers', () => {
    expect(flexRequestProblems({ powerKw: 0.001, windowStart: at('2026-11-26T18:00:00Z'), windowEnd: at('2026-11-26T19:00:00Z') }, now)).toEqual([]);
    for (const powerKw of [0, 0.0009, 5e-324, -1, 1e9, Number.NaN]) {
      expect(flexRequestProblems({ powerKw, windowStart: at('2026-11-26T18:00:00Z'), windowEnd: at('2026-11-26T19:00:00Z') }, now)).toHaveLength(1);
    }
  });

  it('rejects a window in the past and one longer than a day', () => {
    expect(flexRequestProblems({ powerKw: 5, windowStart: at('2026-11-25T18:00:00Z'), windowEnd: at('2026-11-25T19:00:00Z') }, now)).toEqual([
      'windowStart must not be in the past',
    ]);
    expect(flexRequestProblems({ powerKw: 5, windowStart: at('2026-11-27T00:00:00Z'), windowEnd: at('2026-11-28T06:00:00Z') }, now)).toEqual([
      'the window may last at most 24 hours',
    ]);
  });
});

import { activationFeedback, activationProblems, reportConflict } from './flex-activation.rules';

const at = (text: string) => Date.parse(text);
const hems = new Set(['h1', 'h2']);
const isps = new Set([at('2026-01-14T18:00:00Z'), at('2026-01-14T18:15:00Z')]);
/** After both ISPs: what they shifted is known. */
const later = at('2026-01-14T18:30:00Z');

describe('an activation report', () => {
  it('of the order\'s HEMS in its ISPs, 0 to 1,000 kW, has no problems', () => {
    const entries = [
      { hemsId: 'h1', startMs: at('2026-01-14T18:00:00Z'), kw: 0 },
      { hemsId: 'h1', startMs: at('2026-01-14T18:15:00Z'), kw: 1_000 },
      { hemsId: 'h2', startMs: at('2026-01-14T18:00:00Z'), kw: 1.5 },
    ];
    expect(activationProblems('o1', entries, hems, isps, later)).toEqual([]);
  });

  it('names a HEMS not in the order, an ISP outside it, a kW out of range and a pair reported twice', () => {
    const entries = [
      { hemsId: 'h9', startMs: at('2026-01-14T18:00:00Z'), kw: 1 },
      { hemsId: 'h1', startMs: at('2026-01-14T18:30:00Z'), kw: 1 },
      { hemsId: 'h1', startMs: at('2026-01-14T18:00:00Z'), kw: -0.1 },
      { hemsId: 'h2', startMs: at('2026-01-14T18:00:00Z'), kw: Number.NaN },
      { hemsId: 'h2', startMs: at('2026-01-14T18:15:00Z'), kw: 1_000.5 },
      { hemsId: 'h2', startMs: at('2026-01-14T18:15:00Z'), kw: 1 },
    ];
    expect(activationProblems('o1', entries, hems, isps, later).map((problem) => problem.message)).toEqual([
      'HEMS h9 is not in order o1: hold a load of it off for the order first (a FLEX_ORDER SHIFT or CURTAIL)',
      'ISP 2026-01-14T18:30:00.000Z is outside the order',
      'kw -0.1 of HEMS h1 at 2026-01-14T18:00:00.000Z must be between 0 and 1000',
      'kw NaN of HEMS h2 at 2026-01-14T18:00:00.000Z must be between 0 and 1000',
      'kw 1000.5 of HEMS h2 at 2026-01-14T18:15:00.000Z must be between 0 and 1000',
      'HEMS h2 at 2026-01-14T18:15:00.000Z is reported twice',
    ]);
  });

  it('names an ISP off the 15-minute grid so, not as outside the order', () => {
    const entries = [{ hemsId: 'h1', startMs: at('2026-01-14T18:07:30Z'), kw: 1 }];
    expect(activationProblems('o1', entries, hems, isps, later)).toEqual([{ field: 'isps', message: 'ISP 2026-01-14T18:07:30.000Z is not on the 15-minute grid' }]);
  });

  it('names an ISP of the order that has not ended yet: one still running, one to come', () => {
    const entries = [
      { hemsId: 'h1', startMs: at('2026-01-14T18:00:00Z'), kw: 1 },
      { hemsId: 'h1', startMs: at('2026-01-14T18:15:00Z'), kw: 1 },
    ];
    expect(activationProblems('o1', entries, hems, isps, at('2026-01-14T18:30:00Z'))).toEqual([]);
    expect(activationProblems('o1', entries, hems, isps, at('2026-01-14T18:15:00Z'))).toEqual([
      { field: 'isps', message: 'ISP 2026-01-14T18:15:00.000Z has not ended yet: report what was shifted once it has' },
    ]);
    expect(activationProblems('o1', entries, hems, isps, at('2026-01-14T18:14:59.999Z'))).toEqual([
      { field: 'isps', message: 'ISP 2026-01-14T18:00:00.000Z has not ended yet: report what was shifted once it has' },
      { field: 'isps', message: 'ISP 2026-01-14T18:15:00.000Z has not ended yet: report what was shifted once it has' },
    ]);
  });

  it('needs at least one entry', () => {
    expect(activationProblems('o1', [], hems, isps, later)).toEqual([{ field: 'isps', message: 'report at least one ISP' }]);
  });

  it('is taken while the order is ORDERED or ACTIVATED only', () => {
    expect(reportConflict('o1', 'ORDERED')).toBeNull();
    expect(reportConflict('o1', 'ACTIVATED')).toBeNull();
    expect(reportConflict('o1', 'SETTLED')).toBe('order o1 is SETTLED: it takes no more activation reports');
    expect(reportConflict('o1', 'CANCELLED')).toBe('order o1 is CANCELLED: it takes no more activation reports');
  });
});

describe("a request's activation feedback", () => {
  it('sums per request ISP the orders (offered × factor) and the reports of the orders not cancelled, counting HEMS once', () => {
    const [a, b, c] = [at('2026-01-14T18:00:00Z'), at('2026-01-14T18:15:00Z'), at('2026-01-14T18:30:00Z')];
    const feedback = activationFeedback(
      [b, a, c],
      [
        {
          status: 'ACTIVATED',
          activationFactor: 0.5,
          isps: [
            { startMs: a, kw: 4 },
            { startMs: b, kw: 2 },
          ],
          activations: [
            { hemsId: 'h1', startMs: a, kw: 1.25 },
            { hemsId: 'h2', startMs: a, kw: 0.5 },
            { hemsId: 'h1', startMs: b, kw: 1 },
          ],
        },
        { status: 'ORDERED', activationFactor: 1, isps: [{ startMs: a, kw: 3 }], activations: [] },
        { status: 'CANCELLED', activationFactor: 1, isps: [{ startMs: a, kw: 10 }], activations: [{ hemsId: 'h3', startMs: a, kw: 9 }] },
      ],
    );
    expect(feedback).toEqual([
      { startMs: a, orderedKw: 5, reportedKw: 1.75, hemsCount: 2 },
      { startMs: b, orderedKw: 1, reportedKw: 1, hemsCount: 1 },
      { startMs: c, orderedKw: 0, reportedKw: 0, hemsCount: 0 },
    ]);
  });
});

import { availabilityProblems, consecutiveRuns, MAX_OFFERS_PER_REQUEST, offerContentHash, offerCountProblem, offerShapeProblems, offerStatusAt, offerTermsProblems, type OfferDraft, type RequestTerms } from './flex-offer.rules';

const NOW = Date.parse('2026-06-01T10:07:00Z');
const at = (iso: string) => Date.parse(iso);
const A = at('2026-06-01T18:00:00Z');
const B = at('2026-06-01T18:15:00Z');

const draft = (overrides: Partial<OfferDraft> = {}): OfferDraft => ({
  flexRequestId: 'fr-1',
  isps: [
    { startMs: A, kw: 5 },
    { startMs: B, kw: 3 },
  ],
  priceEurPerKwh: 0.2,
  expiresAtMs: at('2026-06-01T16:00:00Z'),
  idempotencyKey: 'k-1',
  ...overrides,
});
const request = (overrides: Partial<RequestTerms> = {}): RequestTerms => ({
  status: 'OPEN',
  expiresAtMs: at('2026-06-01T17:00:00Z'),
  periodStartMs: A,
  isps: [
    { startMs: A, maxKw: 10 },
    { startMs: B, maxKw: 10 },
  ],
  ...overrides,
});
const messages = (problems: { message: string }[]) => problems.map((problem) => problem.message);

describe('an offer on its own', () => {
  it('is accepted with ISPs of at least a watt, a price from 0 to 10 and a key of 1 to 200 characters', () => {
    expect(offerShapeProblems(draft())).toEqual([]);
    expect(offerShapeProblems(draft({ priceEurPerKwh: 0, idempotencyKey: 'k'.repeat(200), isps: [{ startMs: A, kw: 0.001 }] }))).toEqual([]);
    expect(offerShapeProblems(draft({ priceEurPerKwh: 10 }))).toEqual([]);
  });

  it('is refused without ISPs, with an ISP twice or under a watt, naming the field', () => {
    expect(offerShapeProblems(draft({ isps: [] }))).toEqual([{ field: 'isps', message: 'an offer needs at least one ISP' }]);
    expect(offerShapeProblems(draft({ isps: [{ startMs: A, kw: 1 }, { startMs: A, kw: 2 }] }))).toEqual([{ field: 'isps[1].start', message: 'ISP 2026-06-01T18:00:00.000Z is offered twice' }]);
    expect(offerShapeProblems(draft({ isps: [{ startMs: A, kw: 0.0009 }] }))[0]!.field).toBe('isps[0].kw');
    expect(offerShapeProblems(draft({ isps: [{ startMs: A, kw: 0 }] }))).toHaveLength(1);
    expect(offerShapeProblems(draft({ isps: [{ startMs: A, kw: Number.NaN }] }))).toHaveLength(1);
  });

  it('is refused with a price below 0, above 10 or not finite, or a key empty or too long', () => {
    for (const priceEurPerKwh of [-0.01, 10.01, Number.POSITIVE_INFINITY, Number.NaN]) expect(offerShapeProblems(draft({ priceEurPerKwh })).map((p) => p.field)).toEqual(['priceEurPerKwh']);
    for (const idempotencyKey of ['', 'k'.repeat(201)]) expect(offerShapeProblems(draft({ idempotencyKey })).map((p) => p.field)).toEqual(['idempotencyKey']);
  });
});

describe('an offer against its request', () => {
  it('is accepted for ISPs of the request within their maxKw, expiring before the first ISP', () => {
    expect(offerTermsProblems(draft({ expiresAtMs: A, isps: [{ startMs: B, kw: 10 }] }), request(), NOW)).toEqual([]);
  });

  it('is refused for a closed or an expired request, saying which', () => {
    expect(messages(offerTermsProblems(draft(), request({ status: 'CLOSED' }), NOW))).toEqual(['the request is closed']);
    expect(messages(offerTermsProblems(draft(), request({ expiresAtMs: NOW }), NOW))).toEqual(['the request expired at 2026-06-01T10:07:00.000Z']);
  });

  it('is refused for an ISP on the grid outside the request, or above its maxKw', () => {
    const outside = at('2026-06-01T19:00:00Z');
    expect(messages(offerTermsProblems(draft({ isps: [{ startMs: outside, kw: 1 }, { startMs: A, kw: 10.001 }] }), request(), NOW))).toEqual([
      'ISP 2026-06-01T19:00:00.000Z is outside the request',
      "kw of ISP 2026-06-01T18:00:00.000Z exceeds the request's maxKw there (10 kW)",
    ]);
  });

  it('is refused for an ISP off the 15-minute grid saying so, not that it is outside the request', () => {
    expect(offerTermsProblems(draft({ isps: [{ startMs: A + 60_000, kw: 1 }] }), request(), NOW)).toEqual([{ field: 'isps[0].start', message: 'ISP 2026-06-01T18:01:00.000Z is not on the 15-minute grid' }]);
  });

  it('is refused expiring now or earlier, or after the first ISP', () => {
    expect(messages(offerTermsProblems(draft({ expiresAtMs: NOW }), request(), NOW))).toEqual(['expiresAt must be in the future']);
    expect(messages(offerTermsProblems(draft({ expiresAtMs: A + 1 }), request(), NOW))).toEqual(["expiresAt must be no later than the request's first ISP (2026-06-01T18:00:00.000Z)"]);
  });
});

describe('an offer against the available flexibility', () => {
  const capacity = new Map([
    [A, { availableKw: 7.4, alreadyOfferedKw: 2.4 }],
    [B, { availableKw: 3, alreadyOfferedKw: 0 }],
  ]);

  it('is accepted up to the last watt left', () => {
    expect(availabilityProblems([{ startMs: A, kw: 5 }, { startMs: B, kw: 3 }], capacity, 'feeder F1')).toEqual([]);
  });

  it('is refused one watt above, naming the ISP, the availability and what is already offered', () => {
    expect(availabilityProblems([{ startMs: A, kw: 5.001 }], capacity, 'feeder F1')).toEqual([
      { field: 'isps[0].kw', message: 'offer of 5.001 kW at 2026-06-01T18:00:00.000Z exceeds your available flexibility behind feeder F1 (7.4 kW, 2.4 kW already offered)' },
    ]);
  });

  it('is refused in an ISP where nothing is available', () => {
    expect(availabilityProblems([{ startMs: at('2026-06-01T18:30:00Z'), kw: 0.001 }], capacity, 'feeder F1')).toHaveLength(1);
  });
});

describe("an offer's content hash", () => {
  it('is the same whatever order the ISPs come in, and the key is not part of it', () => {
    expect(offerContentHash(draft({ isps: [...draft().isps].reverse(), idempotencyKey: 'other' }))).toBe(offerContentHash(draft()));
  });

  it('differs with the request, an ISP, the price or the expiry', () => {
    const hash = offerContentHash(draft());
    for (const other of [draft({ flexRequestId: 'fr-2' }), draft({ isps: [{ startMs: A, kw: 5 }] }), draft({ priceEurPerKwh: 0.21 }), draft({ expiresAtMs: draft().expiresAtMs + 1 })]) {
      expect(offerContentHash(other)).not.toBe(hash);
    }
  });
});

describe("an offer's status", () => {
  it('reads EXPIRED once an open offer reaches its expiry, and stays as stored otherwise', () => {
    expect(offerStatusAt('OPEN', NOW + 1, NOW)).toBe('OPEN');
    expect(offerStatusAt('OPEN', NOW, NOW)).toBe('EXPIRED');
    expect(offerStatusAt('ORDERED', NOW - 1, NOW)).toBe('ORDERED');
    expect(offerStatusAt('REVOKED', NOW - 1, NOW)).toBe('REVOKED');
  });
});

describe('runs of consecutive ISPs', () => {
  it('split an offer where an ISP is skipped, whatever order they are listed in', () => {
    const C = at('2026-06-01T18:30:00Z');
    const E = at('2026-06-01T19:00:00Z');
    expect(consecutiveRuns([C, A, E, B])).toEqual([
      { fromMs: A, toMs: at('2026-06-01T18:45:00Z') },
      { fromMs: E, toMs: at('2026-06-01T19:15:00Z') },
    ]);
    expect(consecutiveRuns([B])).toEqual([{ fromMs: B, toMs: at('2026-06-01T18:30:00Z') }]);
  });
});

describe('offers of one organisation to one request', () => {
  it('are taken up to ten, whatever became of the earlier ones', () => {
    expect(MAX_OFFERS_PER_REQUEST).toBe(10);
    expect(offerCountProblem(9)).toBeNull();
    expect(offerCountProblem(10)).toEqual({ field: 'flexRequestId', message: 'at most 10 offers per organisation to one request, and yours has 10' });
  });
});

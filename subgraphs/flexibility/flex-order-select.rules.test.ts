import fc from 'fast-check';
import { activationFactorProblem, nothingLeftToBuyProblem, orderableProblem, selectOffers, type RequestIspLimits, type SelectableOffer } from './flex-order-select.rules';
import { sufficiency, type CountedOffer } from './flex-sufficiency.rules';

const A = Date.parse('2026-06-01T18:00:00Z');
const B = Date.parse('2026-06-01T18:15:00Z');
const T0 = Date.parse('2026-06-01T10:00:00Z');
const offer = (id: string, priceEurPerKwh: number, isps: [number, number][], createdAtMs = T0): SelectableOffer => ({
  id,
  priceEurPerKwh,
  createdAtMs,
  isps: isps.map(([startMs, kw]) => ({ startMs, kw })),
});
const NONE = new Map<number, number>();

describe('an activation factor', () => {
  it('is taken in (0, 1] only', () => {
    expect(activationFactorProblem(1)).toBeNull();
    expect(activationFactorProblem(0.001)).toBeNull();
    for (const factor of [0, -0.5, 1.0001, Number.NaN]) expect(activationFactorProblem(factor)?.field).toBe('activationFactor');
  });
});

describe("an order against the request's maxKw", () => {
  const limits = [
    { startMs: A, minKw: 5, maxKw: 10 },
    { startMs: B, minKw: 5, maxKw: 10 },
  ];
  const both = offer('o', 1, [[A, 12], [B, 12]]);

  it('is taken, even past maxKw, while some ISP of the offer has orders below it', () => {
    expect(nothingLeftToBuyProblem(limits, NONE, both)).toBeNull();
    expect(nothingLeftToBuyProblem(limits, new Map([[A, 13], [B, 9.999]]), both)).toBeNull();
  });

  it('is refused when the orders reach maxKw (to the watt) in every ISP of the offer: it would buy nothing asked for', () => {
    const problem = { field: 'offerId', message: "the request's orders already reach its maxKw in every ISP of the offer: it would buy nothing the DSO asked for" };
    expect(nothingLeftToBuyProblem(limits, new Map([[A, 10], [B, 9.9996]]), both)).toEqual(problem);
    expect(nothingLeftToBuyProblem(limits, new Map([[A, 10]]), offer('a-only', 1, [[A, 1]]))).toEqual(problem);
  });
});

describe('autoSelect', () => {
  const limits = [
    { startMs: A, minKw: 10, maxKw: 12 },
    { startMs: B, minKw: 6, maxKw: 12 },
  ];

  it('takes the cheapest offers first and trims the last one to the remaining shortfall', () => {
    // By hand: cheap (0.1) gives 6 and 4: short 4 and 2 remain; mid (0.2) offers 8 and 8: 4/8 = 0.5
    // covers A, 2/8 = 0.25 covers B, so 0.5; dear (0.3) is not needed.
    const result = selectOffers(limits, NONE, [offer('dear', 0.3, [[A, 10], [B, 10]]), offer('mid', 0.2, [[A, 8], [B, 8]]), offer('cheap', 0.1, [[A, 6], [B, 4]])]);
    expect(result).toEqual({ selections: [{ offerId: 'cheap', activationFactor: 1 }, { offerId: 'mid', activationFactor: 0.5 }] });
  });

  it('breaks a price tie by the earlier offer', () => {
    const result = selectOffers([{ startMs: A, minKw: 5, maxKw: 5 }], NONE, [offer('late', 0.1, [[A, 5]], T0 + 1), offer('early', 0.1, [[A, 5]], T0)]);
    expect(result).toEqual({ selections: [{ offerId: 'early', activationFactor: 1 }] });
  });

  it('leaves a cheap offer that covers no ISP still short', () => {
    const result = selectOffers(limits, NONE, [offer('a-only', 0.1, [[A, 10]]), offer('a-again', 0.15, [[A, 10]]), offer('b-only', 0.2, [[B, 6]])]);
    expect(result).toEqual({ selections: [{ offerId: 'a-only', activationFactor: 1 }, { offerId: 'b-only', activationFactor: 1 }] });
  });

  it('counts what is already ordered towards the minimum', () => {
    const result = selectOffers([{ startMs: A, minKw: 10, maxKw: 11 }], new Map([[A, 7]]), [offer('big', 0.1, [[A, 20]])]);
    expect(result).toEqual({ selections: [{ offerId: 'big', activationFactor: 3 / 20 }] });
  });

  it("covers a request made from a need (minKw = maxKw) though an offer then goes past some ISP's maxKw", () => {
    // The walkthrough's shape, by hand: each retailer offers min(maxKw, its availability) per ISP.
    // Sufficiency: A 19 of 12, B 18 of 8, C 14 of 5: no shortfall. cheap at 1 leaves only A 3 kW
    // short; mid covers it at 3 / 4 = 0.75, taking B to 8 + 3 = 11 and C to 5 + 3 = 8, past their
    // maxKw (8, 5): one factor scales mid in every ISP. dear is not needed. A cap at maxKw on the
    // orders' sum would leave mid no room in B and C, and refuse A 3 kW short.
    const C = Date.parse('2026-06-01T18:30:00Z');
    const fromNeed = [
      { startMs: A, minKw: 12, maxKw: 12 },
      { startMs: B, minKw: 8, maxKw: 8 },
      { startMs: C, minKw: 5, maxKw: 5 },
    ];
    const offers = [offer('dear', 0.2, [[A, 6], [B, 6], [C, 5]]), offer('mid', 0.15, [[A, 4], [B, 4], [C, 4]]), offer('cheap', 0.1, [[A, 9], [B, 8], [C, 5]])];
    expect(selectOffers(fromNeed, NONE, offers)).toEqual({ selections: [{ offerId: 'cheap', activationFactor: 1 }, { offerId: 'mid', activationFactor: 0.75 }] });
  });

  it('refuses, naming the worst ISP, when the offers cannot cover every minimum', () => {
    expect(selectOffers(limits, NONE, [offer('a', 0.1, [[A, 9]]), offer('b', 0.1, [[B, 2]])])).toEqual({
      problem: "the open offers cannot cover the request's minimum: at 2026-06-01T18:15:00.000Z they fall 4 kW short of 6 kW",
    });
    expect(selectOffers(limits, NONE, [])).toEqual({ problem: "the open offers cannot cover the request's minimum: at 2026-06-01T18:00:00.000Z they fall 10 kW short of 10 kW" });
  });

  it('chooses nothing when what is ordered already covers the minimum', () => {
    expect(selectOffers(limits, new Map([[A, 10], [B, 6]]), [offer('a', 0.1, [[A, 1]])])).toEqual({ selections: [] });
  });
});

describe('autoSelect on random requests and offers', () => {
  // Powers in whole watts, as the market compares them (flex-sufficiency.rules.ts watts).
  const kwArb = (maxWatts: number) => fc.integer({ min: 1, max: maxWatts }).map((w) => w / 1000);
  const limitsArb = fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 5 }).chain((quarters) =>
    fc.tuple(...quarters.map((q) => fc.tuple(kwArb(20_000), kwArb(5_000)).map(([minKw, extraKw]): RequestIspLimits => ({ startMs: A + q * 900_000, minKw, maxKw: minKw + extraKw })))),
  );
  const caseArb = limitsArb.chain((limits) => {
    const ispArb = fc.subarray(limits, { minLength: 1 }).chain((isps) => fc.tuple(...isps.map((isp) => kwArb(Math.round(isp.maxKw * 1000)).map((kw) => ({ startMs: isp.startMs, kw })))));
    const offerArb = fc.record({ priceEurPerKwh: fc.integer({ min: 0, max: 5 }).map((cents) => cents / 10), createdAtMs: fc.integer({ min: 0, max: 3 }), isps: ispArb });
    const orderedArb = fc.tuple(...limits.map((isp) => fc.option(kwArb(Math.round(isp.maxKw * 1000)), { nil: undefined }).map((kw) => [isp.startMs, kw] as const)));
    return fc.record({
      limits: fc.constant(limits),
      offers: fc.array(offerArb, { maxLength: 6 }).map((drafts) => drafts.map((draft, i): SelectableOffer => ({ id: `o${i}`, ...draft }))),
      ordered: orderedArb.map((pairs) => new Map(pairs.filter((pair): pair is readonly [number, number] => pair[1] !== undefined))),
    });
  });
  /** What the DSO reads before it asks: the open offers, and what is ordered as one standing order. */
  const shown = (limits: readonly RequestIspLimits[], offers: readonly SelectableOffer[], ordered: ReadonlyMap<number, number>) => {
    const open: CountedOffer[] = offers.map((o) => ({ status: 'OPEN', order: null, isps: o.isps }));
    const standing: CountedOffer = { status: 'ORDERED', order: { status: 'ORDERED', activationFactor: 1 }, isps: [...ordered].map(([startMs, kw]) => ({ startMs, kw })) };
    return sufficiency(limits, [...open, standing]);
  };

  it('covers every minimum whenever sufficiency shows no shortfall, and otherwise refuses naming the largest shortfall', () => {
    fc.assert(
      fc.property(caseArb, ({ limits, offers, ordered }) => {
        const lines = shown(limits, offers, ordered);
        const result = selectOffers(limits, ordered, offers);
        const worstShortfallKw = Math.max(...lines.map((line) => line.shortfallKw));
        if (worstShortfallKw > 0) {
          expect(result).toEqual({ problem: expect.stringContaining(`they fall ${worstShortfallKw} kW short`) });
          return;
        }
        if (!('selections' in result)) throw new Error(result.problem);
        const byId = new Map(offers.map((o) => [o.id, o]));
        expect(new Set(result.selections.map((s) => s.offerId)).size).toBe(result.selections.length);
        for (const line of limits) {
          const taken = result.selections.reduce((sum, s) => sum + (byId.get(s.offerId)!.isps.find((isp) => isp.startMs === line.startMs)?.kw ?? 0) * s.activationFactor, 0);
          expect(Math.round(((ordered.get(line.startMs) ?? 0) + taken) * 1000)).toBeGreaterThanOrEqual(Math.round(line.minKw * 1000));
        }
        for (const s of result.selections) expect(s.activationFactor > 0 && s.activationFactor <= 1).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('whether an offer can be ordered', () => {
  const open = { status: 'OPEN' as const, revision: 2 };
  it('is so for an open offer to the current revision of an open request', () => {
    expect(orderableProblem({ status: 'OPEN', requestRevision: 2 }, open)).toBeNull();
  });

  it('is a conflict once ordered, and bad input when revoked, superseded, expired or its request closed', () => {
    expect(orderableProblem({ status: 'ORDERED', requestRevision: 2 }, open)).toEqual({ conflict: true, message: 'the offer is already ordered' });
    expect(orderableProblem({ status: 'REVOKED', requestRevision: 2 }, open)).toEqual({ conflict: false, message: 'the offer is revoked' });
    expect(orderableProblem({ status: 'OPEN', requestRevision: 1 }, open)?.message).toBe('the offer is superseded by a revision of its request');
    expect(orderableProblem({ status: 'SUPERSEDED', requestRevision: 1 }, open)?.message).toBe('the offer is superseded by a revision of its request');
    expect(orderableProblem({ status: 'EXPIRED', requestRevision: 2 }, open)).toEqual({ conflict: false, message: 'the offer is expired' });
    expect(orderableProblem({ status: 'OPEN', requestRevision: 2 }, { status: 'CLOSED', revision: 2 })).toEqual({ conflict: false, message: 'the request is closed' });
  });
});

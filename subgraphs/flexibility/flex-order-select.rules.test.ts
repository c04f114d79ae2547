import { activationFactorProblem, maxKwProblems, orderableProblem, selectOffers, type SelectableOffer } from './flex-order-select.rules';

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
  const limits = [{ startMs: A, minKw: 5, maxKw: 10 }];
  it('may fill it to the watt with what is already ordered, but not beyond', () => {
    expect(maxKwProblems(limits, new Map([[A, 4]]), offer('o', 1, [[A, 12]]), 0.5)).toEqual([]);
    expect(maxKwProblems(limits, new Map([[A, 4]]), offer('o', 1, [[A, 12]]), 0.6)).toEqual([
      { field: 'activationFactor', message: "ordering 7.2 kW at 2026-06-01T18:00:00.000Z would take the request's orders to 11.2 kW, above its maxKw (10 kW)" },
    ]);
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

  it('counts what is already ordered towards the minimum and the maximum', () => {
    const result = selectOffers([{ startMs: A, minKw: 10, maxKw: 11 }], new Map([[A, 7]]), [offer('big', 0.1, [[A, 20]])]);
    expect(result).toEqual({ selections: [{ offerId: 'big', activationFactor: 3 / 20 }] });
  });

  it('never takes an offer past an ISP maxKw, trimming it there', () => {
    // big covers A's 10 at 1.0 but B's room is 12: 24 × f ≤ 12 caps it at 0.5, leaving A 5 short for small.
    const result = selectOffers(limits, NONE, [offer('big', 0.1, [[A, 10], [B, 24]]), offer('small', 0.2, [[A, 5]])]);
    expect(result).toEqual({ selections: [{ offerId: 'big', activationFactor: 0.5 }, { offerId: 'small', activationFactor: 1 }] });
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

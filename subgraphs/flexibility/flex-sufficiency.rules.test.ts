import { sufficiency, type CountedOffer } from './flex-sufficiency.rules';

const A = Date.parse('2026-06-01T18:00:00Z');
const B = Date.parse('2026-06-01T18:15:00Z');
const ISPS = [
  { startMs: B, minKw: 4 },
  { startMs: A, minKw: 10 },
];
const offer = (status: CountedOffer['status'], isps: [number, number][], order: CountedOffer['order'] = null): CountedOffer => ({
  status,
  order,
  isps: isps.map(([startMs, kw]) => ({ startMs, kw })),
});

describe('sufficiency', () => {
  it('is the whole minimum short in every ISP, in time order, without offers', () => {
    expect(sufficiency(ISPS, [])).toEqual([
      { startMs: A, minKw: 10, offeredKw: 0, shortfallKw: 10 },
      { startMs: B, minKw: 4, offeredKw: 0, shortfallKw: 4 },
    ]);
  });

  it('closes as open offers arrive, floored at 0 when they cover more', () => {
    const offers = [offer('OPEN', [[A, 6.5], [B, 3]]), offer('OPEN', [[B, 2]])];
    expect(sufficiency(ISPS, offers)).toEqual([
      { startMs: A, minKw: 10, offeredKw: 6.5, shortfallKw: 3.5 },
      { startMs: B, minKw: 4, offeredKw: 5, shortfallKw: 0 },
    ]);
  });

  it('counts an ordered offer at its ordered kW, and nothing of revoked, superseded or expired ones', () => {
    const offers = [offer('ORDERED', [[A, 8]], { status: 'ORDERED', activationFactor: 0.5 }), offer('REVOKED', [[A, 9]]), offer('SUPERSEDED', [[A, 9]]), offer('EXPIRED', [[A, 9]])];
    expect(sufficiency(ISPS, offers)[0]).toEqual({ startMs: A, minKw: 10, offeredKw: 4, shortfallKw: 6 });
  });

  it('counts an ordered offer whose order was cancelled as nothing, and one whose order ran at its ordered kW', () => {
    const offers = [
      offer('ORDERED', [[A, 8]], { status: 'CANCELLED', activationFactor: 1 }),
      offer('ORDERED', [[A, 2]], { status: 'ACTIVATED', activationFactor: 0.5 }),
      offer('ORDERED', [[A, 3]], { status: 'SETTLED', activationFactor: 1 }),
    ];
    expect(sufficiency(ISPS, offers)[0]).toEqual({ startMs: A, minKw: 10, offeredKw: 4, shortfallKw: 6 });
  });

  it('rounds to the watt', () => {
    expect(sufficiency([{ startMs: A, minKw: 0.3 }], [offer('OPEN', [[A, 0.1]]), offer('OPEN', [[A, 0.1]])])[0]).toEqual({ startMs: A, minKw: 0.3, offeredKw: 0.2, shortfallKw: 0.1 });
  });
});

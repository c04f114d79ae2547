import { ispOutsideProblem, onIspGrid } from './flex-isp.rules';

const A = Date.parse('2026-06-01T18:00:00Z');
const isps = new Set([A]);

describe('an ISP start', () => {
  it('is on the grid at a quarter-hour UTC only', () => {
    expect(onIspGrid(A)).toBe(true);
    expect(onIspGrid(A + 900_000)).toBe(true);
    for (const off of [A + 1, A + 60_000, A + 450_000, A + 0.5]) expect(onIspGrid(off)).toBe(false);
  });

  it('off the grid is named so, not as outside, whatever the ISPs it is checked against', () => {
    expect(ispOutsideProblem(A + 60_000, isps, 'the request', 'isps[0].start')).toEqual({ field: 'isps[0].start', message: 'ISP 2026-06-01T18:01:00.000Z is not on the 15-minute grid' });
  });

  it('on the grid is outside when not one of the ISPs, and has no problem when it is', () => {
    expect(ispOutsideProblem(A + 900_000, isps, 'the order', 'isps')).toEqual({ field: 'isps', message: 'ISP 2026-06-01T18:15:00.000Z is outside the order' });
    expect(ispOutsideProblem(A, isps, 'the order', 'isps')).toBeNull();
  });
});

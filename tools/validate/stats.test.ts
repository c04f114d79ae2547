import { epochDay } from '../../subgraphs/kit/calendar';
import { localPositions, maxRelativeError, meanDailyShapeByMonth, pearson, sumByMonth } from './stats';

describe('pearson', () => {
  it('is 1 for a positive linear relation and -1 for a negative one', () => {
    expect(pearson([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
  });

  it('matches a hand-computed value', () => {
    // Deviations (-1, 0, 1) and (-2, 1, 1): covariance 3, variances 2 and 6.
    expect(pearson([1, 2, 3], [1, 4, 4])).toBeCloseTo(3 / Math.sqrt(12), 12);
  });

  it('is NaN for a constant series and refuses series of different lengths', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => pearson([1, 2], [1, 2, 3])).toThrow(/lengths differ/);
  });
});

describe('maxRelativeError', () => {
  it('finds the worst pair', () => {
    expect(maxRelativeError([101, 190, 300], [100, 200, 300])).toEqual({ error: 0.05, index: 1 });
  });
});

describe('local positions', () => {
  it('place the 100 quarter-hours of the autumn switch day, 01:00-02:00 twice', () => {
    const first = (epochDay(2023, 10, 29) * 96) - 4; // 23:00 UTC on the 28th = local midnight
    const { month, slot } = localPositions(first, 100);
    expect(Array.from(slot.slice(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7]);
    expect(slot[99]).toBe(95);
    expect(month.every((m) => m === 9)).toBe(true);
  });

  it('sum by month and average each quarter-hour over its samples', () => {
    // 31 January days then one February day, all in winter (UTC).
    const first = epochDay(2023, 1, 1) * 96;
    const values = Float64Array.from({ length: 32 * 96 }, (_, i) => (i < 31 * 96 ? i % 96 : 1000));
    const positions = localPositions(first, values.length);
    const sums = sumByMonth(values, positions);
    expect(sums[0]).toBe(31 * ((95 * 96) / 2));
    expect(sums[1]).toBe(96 * 1000);
    const shapes = meanDailyShapeByMonth(values, positions);
    expect(shapes[0][10]).toBe(10);
    expect(shapes[1][10]).toBe(1000);
    expect(shapes[2][10]).toBeNaN();
  });
});

import { complianceOf, orderProblems, orderStatus, temporaryMaxPowerKw, type OrderDraft } from './contracted-power-order.rules';

const draft = (overrides: Partial<OrderDraft> = {}): OrderDraft => ({
  area: { primarySubstationId: 'SE-1' },
  reductionPercent: 30,
  startMs: Date.parse('2026-11-26T18:00:00Z'),
  expectedEndMs: Date.parse('2026-11-26T20:00:00Z'),
  reason: 'Transformer overload at SE Alvalade',
  ...overrides,
});

describe('orderProblems', () => {
  it('accepts a 30 % reduction on a primary substation for two hours', () => {
    expect(orderProblems(draft())).toEqual([]);
  });

  it('rejects percentages outside 1..100, an end before the start and an empty reason', () => {
    for (const reductionPercent of [0, 0.5, 100.1, -3, Number.NaN]) expect(orderProblems(draft({ reductionPercent }))).toHaveLength(1);
    expect(orderProblems(draft({ reductionPercent: 1 }))).toEqual([]);
    expect(orderProblems(draft({ reductionPercent: 100 }))).toEqual([]);
    expect(orderProblems(draft({ expectedEndMs: Date.parse('2026-11-26T17:00:00Z') }))).toEqual(['expectedEnd must be after start']);
    expect(orderProblems(draft({ reason: '   ' }))).toHaveLength(1);
  });

  it('rejects empty areas and areas named two ways', () => {
    expect(orderProblems(draft({ area: {} }))).toHaveLength(1);
    expect(orderProblems(draft({ area: { secondarySubstationIds: [] } }))).toHaveLength(1);
    expect(orderProblems(draft({ area: { primarySubstationId: 'SE-1', feederIds: ['F1'] } }))).toHaveLength(1);
  });
});

describe('temporaryMaxPowerKw', () => {
  it('takes the reduction off the contracted power', () => {
    expect(temporaryMaxPowerKw(6.9, 30)).toBeCloseTo(4.83, 9);
    expect(temporaryMaxPowerKw(41.4, 100)).toBe(0);
  });
});

describe('orderStatus', () => {
  const start = Date.parse('2026-11-26T18:00:00Z');
  it('is ACTIVE from the start of an issued order, and keeps RESTORED and CANCELLED', () => {
    expect(orderStatus('ISSUED', start, start - 1)).toBe('ISSUED');
    expect(orderStatus('ISSUED', start, start)).toBe('ACTIVE');
    expect(orderStatus('RESTORED', start, start + 1)).toBe('RESTORED');
    expect(orderStatus('CANCELLED', start, start + 1)).toBe('CANCELLED');
  });
});

describe('complianceOf', () => {
  it('counts the quarter-hours above the cap and the highest average power', () => {
    const readings = [500, 1300, 900, 2000].map((importWh, i) => ({ intervalStartMs: i * 900_000, importWh }));
    // 2.0, 5.2, 3.6 and 8.0 kW against a 4.83 kW cap.
    expect(complianceOf(readings, 4.83)).toEqual({ intervalsAbove: 2, maxObservedKw: 8 });
    expect(complianceOf([], 4.83)).toEqual({ intervalsAbove: 0, maxObservedKw: 0 });
  });
});

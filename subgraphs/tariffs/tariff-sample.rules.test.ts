import { MAX_SAMPLE_POINTS, parseTariffSample, pointDaysProblem } from './tariff-sample.rules';

describe('parseTariffSample', () => {
  it('reads a list of points, without duplicates', () => {
    expect(parseTariffSample({ meteringPointIds: ['a', 'b', 'a'] })).toEqual({ kind: 'points', ids: ['a', 'b'] });
  });

  it('reads a secondary substation', () => {
    expect(parseTariffSample({ secondarySubstationId: 'ss-1' })).toEqual({ kind: 'secondary', id: 'ss-1' });
  });

  it('refuses neither or both fields', () => {
    expect(parseTariffSample({})).toMatch(/exactly one/);
    expect(parseTariffSample({ meteringPointIds: ['a'], secondarySubstationId: 'ss-1' })).toMatch(/exactly one/);
  });

  it('refuses an empty or too long list and an empty substation id', () => {
    expect(parseTariffSample({ meteringPointIds: [] })).toMatch(/1 to 5,000/);
    expect(parseTariffSample({ meteringPointIds: Array.from({ length: MAX_SAMPLE_POINTS + 1 }, (_, i) => `p${i}`) })).toMatch(/1 to 5,000/);
    expect(parseTariffSample({ secondarySubstationId: '' })).toMatch(/empty/);
  });
});

describe('pointDaysProblem', () => {
  it('allows 60,000 point-days read one by one, and says what to ask instead of more', () => {
    expect(pointDaysProblem(2_000, 30, 'a shorter window')).toBeNull();
    expect(pointDaysProblem(300, 200, 'a shorter window')).toBeNull();
    expect(pointDaysProblem(300, 201, 'a shorter window')).toBe('300 metering points over 201 local days are 60,300 point-days, at most 60,000: a shorter window');
  });
});

import { MAX_SAMPLE_POINTS, parseTariffSample } from './tariff-sample.rules';

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

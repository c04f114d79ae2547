import { parseTariffScope, parseTariffWindow, sampleScope } from './tariff-scope.rules';

describe('a tariff scope', () => {
  it('is named by exactly one field', () => {
    expect(parseTariffScope({ network: true })).toEqual({ kind: 'area', area: { kind: 'network' } });
    expect(parseTariffScope({ feederId: 'PT0598-F3' })).toEqual({ kind: 'area', area: { kind: 'feeder', id: 'PT0598-F3' } });
    expect(parseTariffScope({ secondarySubstationId: 'PT0598' })).toEqual({ kind: 'area', area: { kind: 'secondary', id: 'PT0598' } });
    expect(parseTariffScope({ primarySubstationId: 'SE-1' })).toEqual({ kind: 'area', area: { kind: 'primary', id: 'SE-1' } });
    expect(parseTariffScope({ retailerPortfolio: true })).toEqual({ kind: 'portfolio' });
    expect(parseTariffScope({})).toBe('give the scope as exactly one of network, primarySubstationId, secondarySubstationId, feederId, meteringPointIds, retailerPortfolio');
    expect(parseTariffScope({ network: true, feederId: 'F1' })).toMatch(/^give the scope as exactly one of/);
  });

  it('refuses a flag given as false and an empty id', () => {
    expect(parseTariffScope({ network: false })).toBe('network must be true when given');
    expect(parseTariffScope({ retailerPortfolio: false })).toBe('retailerPortfolio must be true when given');
    expect(parseTariffScope({ feederId: '' })).toBe('feederId is empty');
  });

  it('takes 1 to 5,000 distinct metering points', () => {
    expect(parseTariffScope({ meteringPointIds: ['A', 'B', 'A'] })).toEqual({ kind: 'points', ids: ['A', 'B'] });
    expect(parseTariffScope({ meteringPointIds: [] })).toBe('meteringPointIds must hold 1 to 5,000 ids');
    expect(parseTariffScope({ meteringPointIds: Array.from({ length: 5_001 }, (_, i) => `P${i}`) })).toBe('meteringPointIds must hold 1 to 5,000 ids');
    expect(parseTariffScope({ meteringPointIds: Array.from({ length: 5_000 }, (_, i) => `P${i}`) })).toMatchObject({ kind: 'points' });
  });

  it('reads a KPI sample as an area or a point set', () => {
    expect(sampleScope({ kind: 'secondary', id: 'PT0598' })).toEqual({ kind: 'area', area: { kind: 'secondary', id: 'PT0598' } });
    expect(sampleScope({ kind: 'points', ids: ['A'] })).toEqual({ kind: 'points', ids: ['A'] });
  });
});

describe('a tariff window', () => {
  it('is whole local days: summer midnights are 23:00 UTC, winter ones 00:00 UTC', () => {
    expect(parseTariffWindow(new Date('2026-09-30T23:00:00Z'), new Date('2026-11-01T00:00:00Z'))).toEqual({ fromMs: Date.UTC(2026, 8, 30, 23), toMs: Date.UTC(2026, 10, 1) });
    expect(parseTariffWindow(new Date('2026-10-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'))).toMatch(/^from must be a local midnight/);
  });

  it('holds at most 400 local days, to after from', () => {
    expect(parseTariffWindow(new Date('2026-01-01T00:00:00Z'), new Date('2027-02-05T00:00:00Z'))).toMatchObject({ fromMs: Date.UTC(2026, 0, 1) });
    expect(parseTariffWindow(new Date('2026-01-01T00:00:00Z'), new Date('2027-02-06T00:00:00Z'))).toBe('the window holds 401 local days: at most 400');
    expect(parseTariffWindow(new Date('2026-01-02T00:00:00Z'), new Date('2026-01-01T00:00:00Z'))).toBe('to must be after from');
  });

  it('names the window in its problem when asked to', () => {
    expect(parseTariffWindow(new Date('2026-01-02T00:00:00Z'), new Date('2026-01-01T00:00:00Z'), 'baseline window')).toBe('baseline window: to must be after from');
    expect(parseTariffWindow(new Date(NaN), new Date('2026-01-01T00:00:00Z'))).toBe('from and to must be valid times');
  });
});

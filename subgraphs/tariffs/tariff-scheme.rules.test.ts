import { parseSchemeDraft, schemeShapeProblem, type SchemeDraft } from './tariff-scheme.rules';

const triRate: SchemeDraft = {
  name: ' Tri-horária 2027 ',
  family: null,
  kind: 'TIME_OF_USE',
  cycle: 'WEEKLY',
  energyPrices: [
    { period: 'ponta', energyPriceEurPerKwh: 0.2609 },
    { period: 'cheias', energyPriceEurPerKwh: 0.1626 },
    { period: 'vazio', energyPriceEurPerKwh: 0.1 },
  ],
  powerPriceEurPerKvaDay: 0.0546,
  validFrom: '2027-01-01',
  validTo: null,
};

const messages = (draft: SchemeDraft) => {
  const result = parseSchemeDraft(draft);
  return Array.isArray(result) ? result.map((problem) => `${problem.field}: ${problem.message}`) : [];
};

describe('schemeShapeProblem', () => {
  const shape = (...args: Parameters<typeof schemeShapeProblem>) => schemeShapeProblem(...args)?.message ?? null;

  it('accepts flat, two-rate, three-rate, four-period and critical-peak shapes', () => {
    expect(shape('FLAT', null, ['all'])).toBeNull();
    expect(shape('TIME_OF_USE', 'DAILY', ['vazio', 'fora_vazio'])).toBeNull();
    expect(shape('TIME_OF_USE', 'WEEKLY', ['ponta', 'cheias', 'vazio'])).toBeNull();
    expect(shape('TIME_OF_USE', 'WEEKLY', ['ponta', 'cheias', 'vazio_normal', 'super_vazio'])).toBeNull();
    expect(shape('CRITICAL_PEAK', 'DAILY', ['vazio', 'fora_vazio', 'critical_peak'])).toBeNull();
  });

  it('refuses a cycle on FLAT, none elsewhere, all outside FLAT, critical_peak outside CRITICAL_PEAK and gaps or overlaps', () => {
    expect(schemeShapeProblem('FLAT', 'DAILY', ['all'])).toEqual({ on: 'cycle', message: 'a FLAT scheme has no cycle' });
    expect(schemeShapeProblem('FLAT', null, ['vazio', 'fora_vazio'])).toEqual({ on: 'periods', message: 'a FLAT scheme prices the period all, and only it' });
    expect(shape('FLAT', null, ['all', 'all'])).toBe('all is priced twice');
    expect(schemeShapeProblem('TIME_OF_USE', null, ['vazio', 'fora_vazio'])).toEqual({ on: 'cycle', message: 'a TIME_OF_USE scheme needs a cycle, DAILY or WEEKLY' });
    expect(shape('TIME_OF_USE', 'DAILY', ['all'])).toMatch(/not all/);
    expect(shape('TIME_OF_USE', 'DAILY', ['vazio', 'fora_vazio', 'critical_peak'])).toMatch(/no critical_peak price/);
    expect(shape('CRITICAL_PEAK', 'DAILY', ['vazio', 'fora_vazio'])).toBe('a CRITICAL_PEAK scheme must price critical_peak');
    expect(shape('CRITICAL_PEAK', 'DAILY', ['critical_peak'])).toBe('the periods do not tile the day: no period is priced');
    expect(shape('TIME_OF_USE', 'DAILY', ['ponta', 'vazio'])).toBe('the periods do not tile the day: no price for cheias');
    expect(shape('TIME_OF_USE', 'DAILY', ['vazio', 'fora_vazio', 'super_vazio'])).toMatch(/super_vazio priced twice/);
    expect(shape('TIME_OF_USE', 'DAILY', ['vazio', 'fora_vazio', 'vazio'])).toMatch(/a period is priced twice/);
  });
});

describe('parseSchemeDraft', () => {
  it('reads a well-formed draft into nano-euros', () => {
    expect(parseSchemeDraft(triRate)).toEqual({
      name: 'Tri-horária 2027',
      family: null,
      kind: 'TIME_OF_USE',
      cycle: 'WEEKLY',
      energyNanoEurPerKwh: { ponta: 260_900_000, cheias: 162_600_000, vazio: 100_000_000 },
      powerNanoEurPerKvaDay: 54_600_000,
      validFrom: '2027-01-01',
      validTo: null,
    });
  });

  it('names every problem: negative or too fine prices, bad dates, an empty name', () => {
    expect(
      messages({
        ...triRate,
        name: ' ',
        energyPrices: [
          { period: 'ponta', energyPriceEurPerKwh: -0.1 },
          { period: 'cheias', energyPriceEurPerKwh: 0.1234567891 },
          { period: 'vazio', energyPriceEurPerKwh: 0.1 },
        ],
        powerPriceEurPerKvaDay: Number.NaN,
        validFrom: '2027-02-30',
        validTo: '2026-12-31',
      }),
    ).toEqual([
      'name: name must hold 1 to 200 characters',
      'validFrom: validFrom 2027-02-30 is not a calendar date',
      'energyPrices[0].energyPriceEurPerKwh: energyPrices[0].energyPriceEurPerKwh must be a price of 0 EUR or more',
      'energyPrices[1].energyPriceEurPerKwh: energyPrices[1].energyPriceEurPerKwh 0.1234567891 is finer than a nano-euro (at most 9 decimals)',
      'powerPriceEurPerKvaDay: powerPriceEurPerKvaDay must be a price of 0 EUR or more',
    ]);
    expect(messages({ ...triRate, validTo: '2026-12-31' })).toEqual(['validTo: validTo 2026-12-31 must be after validFrom 2027-01-01']);
    expect(messages({ ...triRate, family: '' })).toEqual(['family: family is empty: leave it out for a new scheme']);
  });

  it('blames the cycle for a cycle that does not fit the kind, the prices for periods that do not', () => {
    expect(messages({ ...triRate, kind: 'FLAT' })).toEqual(['cycle: a FLAT scheme has no cycle']);
    expect(messages({ ...triRate, cycle: null })).toEqual(['cycle: a TIME_OF_USE scheme needs a cycle, DAILY or WEEKLY']);
    expect(messages({ ...triRate, kind: 'FLAT', cycle: null })).toEqual(['energyPrices: a FLAT scheme prices the period all, and only it']);
  });
});

import { MAX_AREA_IDS, parseArea } from './area.rules';

describe('parseArea', () => {
  it('reads each way of naming an area and drops repeated ids', () => {
    expect(parseArea({ primarySubstationId: 'SE-1' })).toEqual({ kind: 'primary', id: 'SE-1' });
    expect(parseArea({ secondarySubstationIds: ['A', 'A', 'B'] })).toEqual({ kind: 'secondary', ids: ['A', 'B'] });
    expect(parseArea({ feederIds: ['F1'] })).toEqual({ kind: 'feeders', ids: ['F1'] });
  });

  it('refuses an area named no way or two ways, an empty id and an empty or too long list', () => {
    expect(parseArea({})).toMatch(/exactly one/);
    expect(parseArea({ primarySubstationId: 'SE-1', feederIds: ['F1'] })).toMatch(/exactly one/);
    expect(parseArea({ primarySubstationId: '' })).toBe('primarySubstationId is empty');
    expect(parseArea({ secondarySubstationIds: [] })).toMatch(/1 to 500 ids/);
    const ids = Array.from({ length: MAX_AREA_IDS + 1 }, (_, i) => `F${i}`);
    expect(parseArea({ feederIds: ids })).toMatch(/1 to 500 ids/);
    expect(parseArea({ feederIds: ids.slice(1) })).toEqual({ kind: 'feeders', ids: ids.slice(1) });
  });
});

import type { Role } from '../../schema/identity';
import type { AreaTreeFeeder } from '../kit/disclosure.rules';
import { aggregatePlan, areaDecision, withheldMessage, type AggregateParty, type PlacementCount } from './tariff-aggregate.rules';
import type { ScopeArea, TariffScope } from './tariff-scope.rules';

const as = (role: Role) => ({ role });
const FEEDER: ScopeArea = { kind: 'feeder', id: 'F1' };

describe('who may ask for a tariff aggregate', () => {
  it('gives the DSO every scope', () => {
    expect(aggregatePlan(as('dso'), { kind: 'points', ids: ['A'] })).toEqual({ kind: 'all' });
    expect(aggregatePlan(as('dso'), { kind: 'area', area: FEEDER })).toEqual({ kind: 'all' });
  });

  it('gives point sets only to parties that may read points one by one', () => {
    for (const role of ['retailer', 'aggregator', 'researcher', 'customer'] as const) expect(aggregatePlan(as(role), { kind: 'points', ids: ['A'] })).toEqual({ kind: 'individual' });
    for (const role of ['regulator', 'developer', 'tso'] as const) {
      expect(aggregatePlan(as(role), { kind: 'points', ids: ['A'] })).toEqual({ kind: 'refused', reason: expect.stringMatching(/^sets of metering points are only for points you may read one by one/) });
    }
  });

  it('suggests instead the areas the input can name: any for a scope, a secondary substation for a KPI sample', () => {
    const points: TariffScope = { kind: 'points', ids: ['A'] };
    expect(aggregatePlan(as('developer'), points)).toEqual({
      kind: 'refused',
      reason: 'sets of metering points are only for points you may read one by one; ask for an area instead (network, primarySubstationId, secondarySubstationId or feederId)',
    });
    expect(aggregatePlan(as('developer'), points, 'sample')).toEqual({
      kind: 'refused',
      reason: 'sets of metering points are only for points you may read one by one; ask for a secondary substation instead (secondarySubstationId)',
    });
  });

  it("gives a retailer's portfolio to retailers only", () => {
    expect(aggregatePlan(as('retailer'), { kind: 'portfolio' })).toEqual({ kind: 'own-portfolio' });
    expect(aggregatePlan(as('regulator'), { kind: 'portfolio' })).toMatchObject({ kind: 'refused' });
  });

  it('puts every area under the aggregate rule, the regulator by retailer, and gives customers none', () => {
    const area = { kind: 'area', area: FEEDER } as const;
    expect(aggregatePlan(as('regulator'), area)).toEqual({ kind: 'disclosed', party: { kind: 'regulator' } });
    expect(aggregatePlan(as('retailer'), area)).toEqual({ kind: 'disclosed', party: { kind: 'knowing' } });
    expect(aggregatePlan(as('researcher'), area)).toEqual({ kind: 'disclosed', party: { kind: 'knowing' } });
    expect(aggregatePlan(as('developer'), area)).toEqual({ kind: 'disclosed', party: { kind: 'public' } });
    expect(aggregatePlan(as('customer'), area)).toMatchObject({ kind: 'refused' });
  });
});

/**
 * Primary P1 over S1 (feeders F1, 12 points, and F2, 3 points) and S2 (feeder F3, 15 points);
 * at least 10 points. Worked by hand with the rules of kit/disclosure.rules.ts:
 * - public: F2 has 3 (TOO_FEW_POINTS); S1 would leave F2's 3 as its residual next to F1, so F1 is
 *   withdrawn (COMPLEMENTARY) and S1 published; F3, S2, P1 and the network are published.
 * - a retailer knowing 6 of F3's points: F3 and S2 have 9 unknown (TOO_FEW_POINTS); P1 would
 *   leave S2's 9 as its residual next to S1, so S1 is withdrawn (COMPLEMENTARY) and P1 published.
 */
describe('the aggregate rule on an area', () => {
  const feeders: AreaTreeFeeder[] = [
    { id: 'F1', secondarySubstationId: 'S1', primarySubstationId: 'P1' },
    { id: 'F2', secondarySubstationId: 'S1', primarySubstationId: 'P1' },
    { id: 'F3', secondarySubstationId: 'S2', primarySubstationId: 'P1' },
  ];
  const row = (placement: string, retailerId: string | null, points: number, known = 0): PlacementCount => ({ placement, retailerId, points, known });
  const AREAS: Record<string, ScopeArea> = {
    F1: { kind: 'feeder', id: 'F1' },
    F2: { kind: 'feeder', id: 'F2' },
    F3: { kind: 'feeder', id: 'F3' },
    S1: { kind: 'secondary', id: 'S1' },
    S2: { kind: 'secondary', id: 'S2' },
    P1: { kind: 'primary', id: 'P1' },
    network: { kind: 'network' },
  };
  const decisions = (party: AggregateParty, placements: PlacementCount[]) =>
    Object.fromEntries(Object.entries(AREAS).map(([name, area]) => [name, areaDecision(party, feeders, placements, area, 10)]));

  it('withholds a small feeder, and its sibling so that the substation does not give it away', () => {
    const placements = [row('F1', 'R1', 12), row('F2', 'R1', 3), row('F3', 'R1', 15)];
    expect(decisions({ kind: 'public' }, placements)).toEqual({ F1: 'COMPLEMENTARY', F2: 'TOO_FEW_POINTS', F3: null, S1: null, S2: null, P1: null, network: null });
  });

  it("counts only the points a retailer does not know: its own customers do not make an area large enough", () => {
    const placements = [row('F1', 'R1', 12), row('F2', 'R1', 3), row('F3', 'R1', 9), row('F3', 'R2', 6, 6)];
    expect(decisions({ kind: 'knowing' }, placements)).toEqual({ F1: 'COMPLEMENTARY', F2: 'TOO_FEW_POINTS', F3: 'TOO_FEW_POINTS', S1: 'COMPLEMENTARY', S2: 'TOO_FEW_POINTS', P1: null, network: null });
    // The same counts for a party that knows none of them: F3 and S2 are large enough.
    expect(decisions({ kind: 'public' }, placements)).toMatchObject({ F3: null, S2: null, S1: null });
  });

  /**
   * The regulator by retailer: R1 has 8 + 3 + 5 = 16 points, R2 4 + 10 = 14, both published. F1's
   * R2 group (4) and F3's R1 group (5) are small, so F1 and F3 are withheld; S1 and S2 hold a
   * small group in the whole area (R2's 4, R1's 5) and are withheld; P1 holds 16 and 14.
   */
  it("groups the regulator's points by retailer, as it also gets retailers' totals from metering", () => {
    const placements = [row('F1', 'R1', 8), row('F1', 'R2', 4), row('F2', 'R1', 3), row('F3', 'R1', 5), row('F3', 'R2', 10)];
    expect(decisions({ kind: 'regulator' }, placements)).toEqual({ F1: 'COMPLEMENTARY', F2: 'TOO_FEW_POINTS', F3: 'COMPLEMENTARY', S1: 'COMPLEMENTARY', S2: 'COMPLEMENTARY', P1: null, network: null });
  });

  it('knows no area outside the tree', () => {
    expect(areaDecision({ kind: 'public' }, feeders, [row('F1', 'R1', 12)], { kind: 'feeder', id: 'F9' }, 10)).toBe('TOO_FEW_POINTS');
  });

  it('explains a refusal in the words of the demand totals, naming no one', () => {
    expect(withheldMessage('TOO_FEW_POINTS', 10)).toBe(
      'Under the aggregate rule the totals of this area are withheld (TOO_FEW_POINTS): it holds fewer than 10 metering points other than those you may read yourself; ask for a larger area',
    );
    expect(withheldMessage('COMPLEMENTARY', 10)).toMatch(/\(COMPLEMENTARY\): with the totals of the areas around it/);
  });
});

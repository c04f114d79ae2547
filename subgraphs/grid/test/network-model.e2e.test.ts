import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';

/**
 * The network model through the gateway: the transformer, MV source and LV bus of a secondary
 * substation, its feeders' segments and buses page by page (public infrastructure, like the
 * substations), and the bus a metering point hangs on (as personal as its feeder and phase).
 */

let t: TestHub;
let developerKey: string;

beforeAll(async () => {
  t = await startTestHub({ customers: 100 });
  developerKey = await t.createKey('developer', 'dev-sandbox');
});

afterAll(() => t.stop());

interface Page<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

const SUBSTATION = `query($id: ID!) {
  secondarySubstation(id: $id) {
    ratedPowerKva lvBusId
    transformer { ratedKva primaryKv secondaryKv connection resistancePercent reactancePercent }
    mvSource { voltageKv voltagePu isc3A isc1A x1r1 x0r0 }
  }
}`;

const SEGMENTS = `query($id: ID!, $first: Int, $after: String) {
  secondarySubstation(id: $id) {
    feeders {
      id
      lineSegments(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { id name feederId fromBusId toBusId lengthM lineCode { name r1OhmPerKm x1OhmPerKm r0OhmPerKm x0OhmPerKm ampacityA source } } }
      }
      buses(first: 1000) { totalCount edges { node { id name secondarySubstationId x y } } }
    }
  }
}`;

interface Segment {
  id: string;
  name: string;
  feederId: string;
  fromBusId: string;
  toBusId: string;
  lengthM: number;
  lineCode: { name: string; ampacityA: number | null; source: string };
}

interface FeederPages {
  id: string;
  lineSegments: Page<Segment>;
  buses: Page<{ id: string }>;
}

describe('the network model', () => {
  it("gives any verified key a secondary substation's transformer, MV source and LV bus", async () => {
    const substation = t.parish.secondarySubstations[0]!;
    const { body } = await t.graphql(SUBSTATION, { key: developerKey, variables: { id: substation.id } });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      secondarySubstation: {
        ratedPowerKva: substation.ratedPowerKva,
        lvBusId: substation.lvBusId,
        transformer: {
          ratedKva: substation.ratedPowerKva,
          primaryKv: 10,
          secondaryKv: 0.4,
          connection: 'Dyn',
          resistancePercent: substation.transformerResistancePercent,
          reactancePercent: substation.transformerReactancePercent,
        },
        mvSource: {
          voltageKv: 10,
          voltagePu: substation.sourceVoltagePu,
          isc3A: substation.sourceIsc3A,
          isc1A: 1_000,
          x1r1: substation.sourceX1R1,
          x0r0: 3,
        },
      },
    });
  });

  it("pages each feeder's segments by id, with their line codes, and lists the buses they feed", async () => {
    const substation = t.parish.secondarySubstations[1]!;
    const seen = new Map<string, Segment[]>();
    let after: string | null = null;
    // Pages of 2 for every feeder at once, until no feeder has more.
    for (let round = 0; round < 50; round++) {
      const { body } = await t.graphql<{ secondarySubstation: { feeders: FeederPages[] } }>(SEGMENTS, { key: developerKey, variables: { id: substation.id, first: 2, after } });
      expect(body.errors).toBeUndefined();
      const feeders: FeederPages[] = body.data!.secondarySubstation.feeders;
      for (const feeder of feeders) {
        expect(feeder.lineSegments.totalCount).toBe(t.parish.lineSegments.filter((s) => s.feederId === feeder.id).length);
        seen.set(feeder.id, [...(seen.get(feeder.id) ?? []), ...feeder.lineSegments.edges.map((edge) => edge.node)]);
        expect(feeder.buses.edges.map((edge) => edge.node.id).sort()).toEqual(
          t.parish.lineSegments.filter((s) => s.feederId === feeder.id).map((s) => s.toBusId).sort(),
        );
      }
      // Every feeder's page follows the same cursor: the longest feeder's end tells when all are read.
      const longest: FeederPages = feeders.reduce((a, b) => (b.lineSegments.totalCount > a.lineSegments.totalCount ? b : a));
      if (!longest.lineSegments.pageInfo.hasNextPage) break;
      after = longest.lineSegments.pageInfo.endCursor;
    }
    const longestId = [...seen.entries()].reduce((a, b) => (b[1].length > a[1].length ? b : a))[0];
    const expected = t.parish.lineSegments.filter((s) => s.feederId === longestId).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(seen.get(longestId)!.map(({ lineCode, ...segment }) => ({ ...segment, lineCode: lineCode.name }))).toEqual(
      expected.map(({ secondarySubstationId: _substation, ...segment }) => segment),
    );
    const code = seen.get(longestId)![0]!.lineCode;
    expect(code).toMatchObject(t.parish.lineCodes.find((c) => c.name === code.name)!);
  });

  it('tells the DSO the bus a metering point hangs on, next to its feeder and phase', async () => {
    const dsoKey = await t.createKey('dso', 'dso');
    const connection = t.parish.connections[0]!;
    const { body } = await t.graphql(`query($id: ID!) { meteringPoint(id: $id) { gridConnection { feederId phase busId } } }`, {
      key: dsoKey,
      variables: { id: connection.meteringPointId },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ meteringPoint: { gridConnection: { feederId: connection.feederId, phase: connection.phase, busId: connection.busId } } });
  });

  it('refuses a page size beyond the limit, naming the argument', async () => {
    const { body } = await t.graphql(SEGMENTS, { key: developerKey, variables: { id: t.parish.secondarySubstations[0]!.id, first: 5_000 } });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

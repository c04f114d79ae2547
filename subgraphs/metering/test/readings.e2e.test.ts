import { ROLE_SCOPES } from '../../../schema/access';
import type { Identity } from '../../../schema/identity';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { openDatabase, type Database } from '../../kit/db';
import { DemandRepo } from '../demand.repo';
import { DemandScopeKind, Resolution } from '../demand.rules';
import { MeteringPointRepo } from '../metering-point.repo';
import { INTERVAL_MS, REJECT_REASONS } from '../reading.rules';
import { ReadingRepo } from '../reading.repo';

let t: TestHub;
let dsoKey: string;
const statements: string[] = [];
/** The ids of each lookup of points' keys. */
const keyLookups: string[][] = [];

// A fixed past day, so the test does not depend on today's date or on partitions of this month.
const DAY = Date.parse('2026-10-05T00:00:00Z');
const at = (quarter: number) => new Date(DAY + quarter * INTERVAL_MS).toISOString();

const INGEST = `mutation($input: IngestReadingsInput!) {
  ingestReadings(input: $input) { idempotencyKey received inserted revised unchanged replayed }
}`;

type IngestData = { ingestReadings: { received: number; inserted: number; revised: number; unchanged: number; replayed: boolean } };

interface Reading {
  meteringPointId: string;
  intervalStart: string;
  importWh: number;
  exportWh: number;
  quality?: string;
}

const ingest = (idempotencyKey: string, readings: Reading[], key = dsoKey) =>
  t.graphql<IngestData>(INGEST, { key, variables: { input: { idempotencyKey, readings } } });

const readingCount = async () => Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM metering.readings')).rows[0].n);

beforeAll(async () => {
  t = await startTestHub({
    customers: 300,
    onQuery: (query, params) => {
      statements.push(query);
      if (/SELECT id, key FROM metering\.metering_points/i.test(query)) keyLookups.push(params[0] as string[]);
    },
  });
  dsoKey = await t.createKey('dso', 'dso');
});

afterAll(() => t.stop());

/** A day of readings for `points`, with a value that depends on the point and the quarter. */
function dayOf(points: string[], quarters = 96, scale = 1): Reading[] {
  return points.flatMap((meteringPointId, p) =>
    Array.from({ length: quarters }, (_, q) => ({ meteringPointId, intervalStart: at(q), importWh: scale * (100 + p * 7 + q), exportWh: q % 5 === 0 ? p : 0 })),
  );
}

describe('ingestReadings', () => {
  it('writes a valid batch and answers a re-sent batch with the first answer, writing nothing', async () => {
    const points = t.parish.meteringPoints.slice(0, 40).map((point) => point.id);
    const first = await ingest('day-1', dayOf(points));
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.ingestReadings).toMatchObject({ received: 3840, inserted: 3840, revised: 0, unchanged: 0, replayed: false });
    const count = await readingCount();

    const again = await ingest('day-1', dayOf(points));
    expect(again.body.data?.ingestReadings).toMatchObject({ received: 3840, inserted: 3840, replayed: true });
    expect(await readingCount()).toBe(count);
  });

  it('refuses the same idempotency key for a different batch with CONFLICT', async () => {
    const points = t.parish.meteringPoints.slice(0, 2).map((point) => point.id);
    const { body } = await ingest('day-1', dayOf(points, 4));
    expect(body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('rejects a bad batch whole, naming every bad row, and writes nothing', async () => {
    const good = t.parish.meteringPoints[100]!.id;
    const before = await readingCount();
    const batches = Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM metering.ingest_batches')).rows[0].n);
    const readings: Reading[] = [
      { meteringPointId: good, intervalStart: at(0), importWh: 10, exportWh: 0 },
      { meteringPointId: 'PT0002999999999999ZZ', intervalStart: at(1), importWh: 10, exportWh: 0 },
      { meteringPointId: good, intervalStart: new Date(DAY + 7 * 60_000).toISOString(), importWh: 10, exportWh: 0 },
      { meteringPointId: good, intervalStart: new Date(Math.ceil((Date.now() + 3_600_000) / INTERVAL_MS) * INTERVAL_MS).toISOString(), importWh: 10, exportWh: 0 },
      { meteringPointId: good, intervalStart: at(2), importWh: -5, exportWh: 0 },
      { meteringPointId: good, intervalStart: at(3), importWh: 12.5, exportWh: 0 },
      { meteringPointId: good, intervalStart: at(0), importWh: 11, exportWh: 0 },
      { meteringPointId: good, intervalStart: at(4), importWh: 10, exportWh: 0 },
    ];
    const { body } = await ingest('bad-batch', readings);
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      rejected: [
        { index: 1, reason: REJECT_REASONS.unknownPoint },
        { index: 2, reason: REJECT_REASONS.misaligned },
        { index: 3, reason: REJECT_REASONS.future },
        { index: 4, reason: REJECT_REASONS.badEnergy },
        { index: 5, reason: REJECT_REASONS.badEnergy },
        { index: 6, reason: REJECT_REASONS.duplicate },
      ],
    });
    expect(await readingCount()).toBe(before);
    expect(Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM metering.ingest_batches')).rows[0].n)).toBe(batches);
  });

  it('replaces a corrected value as a new revision and leaves an identical one alone', async () => {
    const point = t.parish.meteringPoints[0]!.id;
    const { body } = await ingest('correction-1', [
      { meteringPointId: point, intervalStart: at(10), importWh: 5000, exportWh: 0, quality: 'SUBSTITUTED' },
      { meteringPointId: point, intervalStart: at(11), importWh: 111, exportWh: 0 },
    ]);
    expect(body.data?.ingestReadings).toMatchObject({ inserted: 0, revised: 1, unchanged: 1 });
    const { rows } = await t.database.handle.pool.query(
      `SELECT r.revision, r.quality, r.import_wh FROM metering.readings r JOIN metering.metering_points mp ON mp.key = r.metering_point_key
       WHERE mp.id = $1 AND r.interval_start = $2`,
      [point, at(10)],
    );
    expect(rows).toEqual([{ revision: 1, quality: 2, import_wh: 5000 }]);
  });

  it('is FORBIDDEN to a retailer and writes nothing', async () => {
    const retailer = t.parish.meteringPoints[0]!.retailerId;
    const key = await t.createKey('retailer', retailer);
    const before = await readingCount();
    const { body } = await ingest('retailer-try', dayOf([t.parish.meteringPoints[0]!.id], 2), key);
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await readingCount()).toBe(before);
  });
});

describe('demand rollups', () => {
  it('match a direct SUM of the readings for every scope after inserts, revisions and re-ingest', async () => {
    const points = t.parish.meteringPoints.slice(0, 120).map((point) => point.id);
    await ingest('rollups-1', dayOf(points, 24));
    await ingest('rollups-2', dayOf(points.slice(0, 60), 24, 3));
    await ingest('rollups-2-again', dayOf(points.slice(0, 60), 24, 3));

    const pool = t.database.handle.pool;
    const direct = await pool.query(`
      WITH r AS (
        SELECT r.interval_start, r.import_wh, r.export_wh, c.feeder_id, c.secondary_substation_id, c.primary_substation_id, sc.retailer_id
        FROM metering.readings r
        JOIN metering.metering_points mp ON mp.key = r.metering_point_key
        JOIN grid.metering_point_connections_v c ON c.metering_point_id = mp.id
        JOIN metering.supply_contracts sc ON sc.metering_point_id = mp.id
          AND r.interval_start >= sc.valid_from AND (sc.valid_to IS NULL OR r.interval_start < sc.valid_to))
      SELECT 0 AS kind, '' AS id, interval_start, sum(import_wh)::bigint AS import_wh, sum(export_wh)::bigint AS export_wh, count(*)::int AS n FROM r GROUP BY 3
      UNION ALL SELECT 1, primary_substation_id, interval_start, sum(import_wh), sum(export_wh), count(*)::int FROM r GROUP BY 2, 3
      UNION ALL SELECT 2, secondary_substation_id, interval_start, sum(import_wh), sum(export_wh), count(*)::int FROM r GROUP BY 2, 3
      UNION ALL SELECT 3, feeder_id, interval_start, sum(import_wh), sum(export_wh), count(*)::int FROM r GROUP BY 2, 3
      UNION ALL SELECT 4, retailer_id, interval_start, sum(import_wh), sum(export_wh), count(*)::int FROM r GROUP BY 2, 3
      ORDER BY 1, 2, 3`);
    const rolled = await pool.query(`
      SELECT scope_kind AS kind, scope_id AS id, interval_start, import_wh, export_wh, reading_count AS n
      FROM metering.demand_rollups ORDER BY 1, 2, 3`);
    expect(rolled.rows.length).toBeGreaterThan(100);
    expect(rolled.rows).toEqual(direct.rows);
  });
});

describe('load curves and demand through the gateway', () => {
  const CURVES = `query($first: Int, $from: DateTime!, $to: DateTime!, $resolution: Resolution) {
    meteringPoints(first: $first) { edges { node { id loadCurve(from: $from, to: $to, resolution: $resolution) { intervalStart importWh exportWh avgImportKw } } } }
  }`;
  type CurveData = { meteringPoints: { edges: { node: { id: string; loadCurve: { intervalStart: string; importWh: number; avgImportKw: number }[] } }[] } };

  it('gives the same curve as series, one value per bucket from the bucket the window starts in, null where nothing was read', async () => {
    // A point no other test here writes readings for.
    const point = t.parish.meteringPoints[250]!.id;
    // Quarter-hours 8 to 15 only: the window's first hour and its later hours hold nothing.
    const readings = Array.from({ length: 8 }, (_, q) => ({ meteringPointId: point, intervalStart: at(8 + q), importWh: 10 * (q + 1), exportWh: q }));
    expect((await ingest(`series-${point}`, readings)).body.errors).toBeUndefined();
    const SERIES = `query($id: ID!, $from: DateTime!, $to: DateTime!, $resolution: Resolution) {
      meteringPoint(id: $id) { loadCurveSeries(from: $from, to: $to, resolution: $resolution) { start resolution importWh exportWh } loadCurve(from: $from, to: $to, resolution: $resolution) { intervalStart importWh } }
    }`;
    type SeriesData = { meteringPoint: { loadCurveSeries: { start: string; resolution: string; importWh: (number | null)[]; exportWh: (number | null)[] }; loadCurve: { intervalStart: string; importWh: number }[] } };
    // From 00:45: the hourly series starts at 00:00 and has 6 buckets up to 06:00.
    const hourly = await t.graphql<SeriesData>(SERIES, { key: dsoKey, variables: { id: point, from: at(3), to: at(24), resolution: 'PT1H' } });
    expect(hourly.body.errors).toBeUndefined();
    expect(hourly.body.data!.meteringPoint.loadCurveSeries).toEqual({ start: at(0), resolution: 'PT1H', importWh: [null, null, 100, 260, null, null], exportWh: [null, null, 6, 22, null, null] });
    const quarters = await t.graphql<SeriesData>(SERIES, { key: dsoKey, variables: { id: point, from: at(0), to: at(96), resolution: 'PT15M' } });
    const { loadCurveSeries, loadCurve } = quarters.body.data!.meteringPoint;
    expect(loadCurveSeries.importWh).toHaveLength(96);
    for (const bucket of loadCurve) expect(loadCurveSeries.importWh[(Date.parse(bucket.intervalStart) - DAY) / INTERVAL_MS]).toBe(bucket.importWh);
    expect(loadCurveSeries.importWh.filter((value) => value !== null)).toHaveLength(loadCurve.length);
  });

  it('answers a day at each resolution with energy sums and average power', async () => {
    const firstThree = t.parish.meteringPoints.map((point) => point.id).sort().slice(0, 3);
    await ingest('first-three', dayOf(firstThree));
    const variables = { first: 3, from: at(0), to: at(96) };
    const quarter = await t.graphql<CurveData>(CURVES, { key: dsoKey, variables: { ...variables, resolution: 'PT15M' } });
    const hourly = await t.graphql<CurveData>(CURVES, { key: dsoKey, variables: { ...variables, resolution: 'PT1H' } });
    const daily = await t.graphql<CurveData>(CURVES, { key: dsoKey, variables: { ...variables, resolution: 'P1D' } });
    const node = (data: CurveData | null | undefined, i: number) => data!.meteringPoints.edges[i]!.node.loadCurve;
    const sum = (curve: { importWh: number }[]) => curve.reduce((total, point) => total + point.importWh, 0);
    for (let i = 0; i < 3; i++) {
      expect(node(quarter.body.data, i)).toHaveLength(96);
      expect(node(hourly.body.data, i)).toHaveLength(24);
      expect(sum(node(hourly.body.data, i))).toBe(sum(node(quarter.body.data, i)));
      expect(sum(node(daily.body.data, i))).toBe(sum(node(quarter.body.data, i)));
      expect(node(hourly.body.data, i)[1]!.avgImportKw).toBeCloseTo(node(hourly.body.data, i)[1]!.importWh / 1000, 9);
      expect(node(quarter.body.data, i)[0]!.avgImportKw).toBeCloseTo(node(quarter.body.data, i)[0]!.importWh * 4 / 1000, 9);
    }
    // The test day is a Monday in Lisbon summer time: its local day starts at 23:00 UTC the day before.
    expect(node(daily.body.data, 0).map((point) => point.intervalStart)).toEqual(['2026-10-04T23:00:00.000Z', '2026-10-05T23:00:00.000Z']);
  });

  it('reads load curves in a number of statements that does not grow with the number of points', async () => {
    const count = async (first: number) => {
      statements.length = 0;
      const { body } = await t.graphql<CurveData>(CURVES, { key: dsoKey, variables: { first, from: at(0), to: at(96), resolution: 'PT1H' } });
      expect(body.data?.meteringPoints.edges).toHaveLength(first);
      // The key's lookup and its last use are the gateway's, once per key, not per point.
      return statements.filter((statement) => !statement.includes('"hub"."api_keys"')).length;
    };
    const few = await count(3);
    const many = await count(120);
    expect(many).toBe(few);
    // The page, its count, the access log, the points' keys and their curves.
    expect(many).toBeLessThanOrEqual(5);
  });

  it("looks up each point's key once per request, however many of its fields read readings or events", async () => {
    const PAGE = `query($from: DateTime!, $to: DateTime!) {
      meteringPoints(first: 20) { edges { node { id
        loadCurve(from: $from, to: $to, resolution: PT1H) { importWh }
        loadCurveSeries(from: $from, to: $to) { importWh }
        events(from: $from, to: $to) { totalCount }
      } } }
      demand(scope: { meteringPointIds: ["${t.parish.meteringPoints.map((point) => point.id).sort()[0]}"] }, from: $from, to: $to) { meteringPointCount }
    }`;
    keyLookups.length = 0;
    const { body } = await t.graphql(PAGE, { key: dsoKey, variables: { from: at(0), to: at(96) } });
    expect(body.errors).toBeUndefined();
    // The page and demand may be looked up in one batch or two, as their resolvers' timing has it; never a point twice.
    const looked = keyLookups.flat();
    expect(looked.length).toBeGreaterThanOrEqual(20);
    expect(new Set(looked).size).toBe(looked.length);
  });

  it('logs every read of a load curve: who, which key, which point, which period, which request', async () => {
    const retailer = t.parish.organisations.find((org) => org.kind === 'retailer')!.id;
    const key = await t.createKey('retailer', retailer);
    const { body } = await t.graphql<CurveData>(CURVES, { key, variables: { first: 2, from: at(0), to: at(8), resolution: 'PT15M' } });
    const ids = body.data!.meteringPoints.edges.map((edge) => edge.node.id);
    const { rows } = await t.database.handle.pool.query(
      `SELECT organisation_id, metering_point_id, resource, period_from, period_to, request_id FROM hub.access_log
       WHERE organisation_id = $1 ORDER BY metering_point_id`,
      [retailer],
    );
    expect(rows.map((row) => row.metering_point_id)).toEqual([...ids].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ resource: 'loadCurve', period_from: new Date(at(0)), period_to: new Date(at(8)) });
      expect(row.request_id).toMatch(/\w{8,}/);
    }
    await expect(t.database.handle.pool.query('UPDATE hub.access_log SET organisation_id = $1', ['someone-else'])).rejects.toThrow(/append-only/);
    await expect(t.database.handle.pool.query('DELETE FROM hub.access_log')).rejects.toThrow(/append-only/);
    await expect(t.database.handle.pool.query('TRUNCATE hub.access_log')).rejects.toThrow(/append-only/);
  });

  it('shows a retailer only the intervals inside its own supply contracts', async () => {
    const switched = t.parish.supplyContracts.find((contract) => contract.validTo !== null)!;
    const point = switched.meteringPointId;
    const switchMs = switched.validTo!.getTime();
    const before = switchMs - 4 * INTERVAL_MS;
    const readings = Array.from({ length: 8 }, (_, q) => ({ meteringPointId: point, intervalStart: new Date(before + q * INTERVAL_MS).toISOString(), importWh: 50 + q, exportWh: 0 }));
    expect((await ingest(`switch-${point}`, readings)).body.errors).toBeUndefined();
    const current = t.parish.meteringPoints.find((candidate) => candidate.id === point)!.retailerId;
    const curveOf = async (retailer: string) => {
      const key = await t.createKey('retailer', retailer);
      const { body } = await t.graphql<{ meteringPoint: { loadCurve: { intervalStart: string }[] } }>(
        `query($id: ID!, $from: DateTime!, $to: DateTime!) { meteringPoint(id: $id) { loadCurve(from: $from, to: $to) { intervalStart } } }`,
        { key, variables: { id: point, from: new Date(before).toISOString(), to: new Date(before + 8 * INTERVAL_MS).toISOString() } },
      );
      return body.data!.meteringPoint.loadCurve.map((p) => Date.parse(p.intervalStart));
    };
    const previousCurve = await curveOf(switched.retailerId);
    const currentCurve = await curveOf(current);
    expect(previousCurve).toEqual([0, 1, 2, 3].map((q) => before + q * INTERVAL_MS));
    expect(currentCurve).toEqual([4, 5, 6, 7].map((q) => before + q * INTERVAL_MS));
  });

  const DEMAND = `query($scope: DemandScopeInput!, $from: DateTime!, $to: DateTime!, $resolution: Resolution) {
    demand(scope: $scope, from: $from, to: $to, resolution: $resolution) { meteringPointCount points { intervalStart importWh exportWh readingCount } }
  }`;
  type DemandData = { demand: { meteringPointCount: number; points: { intervalStart: string; importWh: number; readingCount: number }[] } };

  it('answers the whole network from the rollups, equal to the sum of the readings', async () => {
    const { body } = await t.graphql<DemandData>(DEMAND, { key: dsoKey, variables: { scope: { network: true }, from: at(0), to: at(96), resolution: 'PT1H' } });
    expect(body.errors).toBeUndefined();
    const { rows } = await t.database.handle.pool.query(
      `SELECT sum(import_wh)::bigint AS total FROM metering.readings WHERE interval_start >= $1 AND interval_start < $2`,
      [at(0), at(96)],
    );
    expect(body.data!.demand.points.reduce((total, point) => total + point.importWh, 0)).toBe(Number(rows[0].total));
    expect(body.data!.demand.meteringPointCount).toBe(t.parish.meteringPoints.length);
  });

  it("gives a retailer its portfolio and area totals, never another retailer's", async () => {
    const [own, other] = t.parish.organisations.filter((org) => org.kind === 'retailer').map((org) => org.id) as [string, string];
    const key = await t.createKey('retailer', own);
    const window = { from: at(0), to: at(96), resolution: 'P1D' };
    expect((await t.graphql(DEMAND, { key, variables: { scope: { retailerId: own }, ...window } })).body.errors).toBeUndefined();
    expect((await t.graphql(DEMAND, { key, variables: { scope: { network: true }, ...window } })).body.errors).toBeUndefined();
    const theirs = await t.graphql(DEMAND, { key, variables: { scope: { retailerId: other }, ...window } });
    expect(theirs.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const foreignPoint = t.parish.meteringPoints.find((point) => !t.parish.supplyContracts.some((c) => c.meteringPointId === point.id && c.retailerId === own))!;
    const mixed = await t.graphql(DEMAND, { key, variables: { scope: { meteringPointIds: [foreignPoint.id] }, ...window } });
    expect(mixed.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a stakeholder any set of metering points, however large, and every single point', async () => {
    const key = await t.createKey('researcher', 'ist', ['aggregates:read', 'metering:read']);
    const window = { from: at(0), to: at(96), resolution: 'P1D' };
    const many = t.parish.meteringPoints.slice(0, 50).map((point) => point.id);
    const refused = await t.graphql(DEMAND, { key, variables: { scope: { meteringPointIds: many }, ...window } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.body.errors?.[0]?.message).toMatch(/one by one/);
    const single = await t.graphql(`query($id: ID!) { meteringPoint(id: $id) { id } }`, { key, variables: { id: many[0] } });
    expect(single.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('buckets whatever the session time zone', () => {
  const dso: Identity = { keyId: 'test', organisationId: 'dso', role: 'dso', scopes: [...ROLE_SCOPES.dso] };
  const keysOf = (db: Database) => async (ids: readonly string[]) => new Map((await new MeteringPointRepo(db, dso).keys(ids)).map((row) => [row.id, row.key]));

  it('gives the same hourly buckets with the session in a half-hour zone (Asia/Kolkata) as in UTC: UTC hours', async () => {
    // A point no other test here writes readings for; two hours of it from 10:00 UTC (15:30 in Kolkata).
    const point = t.parish.meteringPoints[260]!.id;
    const readings = Array.from({ length: 8 }, (_, q) => ({ meteringPointId: point, intervalStart: at(40 + q), importWh: q + 1, exportWh: 0 }));
    expect((await ingest(`time-zone-${point}`, readings)).body.errors).toBeUndefined();
    const window = { fromMs: DAY + 40 * INTERVAL_MS, toMs: DAY + 48 * INTERVAL_MS, resolution: Resolution.PT1H };
    const sessions = ['UTC', 'Asia/Kolkata'].map((zone) => openDatabase(t.database.url, { max: 1, options: `-c TimeZone=${zone}` }));
    try {
      const answers = await Promise.all(
        sessions.map(async ({ db, pool }) => {
          const readingRepo = new ReadingRepo(db, dso, keysOf(db));
          const demandRepo = new DemandRepo(db, dso, keysOf(db));
          return {
            zone: (await pool.query('SHOW TimeZone')).rows[0].TimeZone as string,
            curve: (await readingRepo.loadCurves([point], window)).get(point)!.map((bucket) => [bucket.intervalStart.toISOString(), bucket.importWh]),
            series: (await readingRepo.loadSeries([point], window)).get(point),
            points: (await demandRepo.pointSetSeries([point], window)).map((bucket) => [bucket.intervalStart.toISOString(), bucket.importWh]),
            network: (await demandRepo.rollupSeries(DemandScopeKind.Network, '', window)).map((bucket) => [bucket.intervalStart.toISOString(), bucket.readingCount]),
          };
        }),
      );
      const [utc, kolkata] = answers as [(typeof answers)[number], (typeof answers)[number]];
      expect([utc.zone, kolkata.zone]).toEqual(['UTC', 'Asia/Kolkata']);
      expect(utc.curve).toEqual([
        [at(40), 1 + 2 + 3 + 4],
        [at(44), 5 + 6 + 7 + 8],
      ]);
      expect(utc.series).toEqual({ index: [0, 1], importWh: [10, 26], exportWh: [0, 0] });
      expect(utc.points).toEqual(utc.curve);
      expect(utc.network.map(([start]) => start)).toEqual([at(40), at(44)]);
      expect(kolkata).toEqual({ ...utc, zone: 'Asia/Kolkata' });
    } finally {
      await Promise.all(sessions.map((session) => session.close()));
    }
  });
});

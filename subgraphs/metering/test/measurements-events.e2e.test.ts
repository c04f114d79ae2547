import { pointsSuppliedBy, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { INTERVAL_MS } from '../reading.rules';

let t: TestHub;
let dsoKey: string;
const DAY = Date.parse('2026-10-06T00:00:00Z');
const at = (quarter: number) => new Date(DAY + quarter * INTERVAL_MS).toISOString();
const phases = (kw: number) => [0, 1, 2].map((i) => ({ activePowerKw: kw + i, reactivePowerKvar: kw / 3, voltageV: 230 + i }));

beforeAll(async () => {
  t = await startTestHub({ customers: 200 });
  dsoKey = await t.createKey('dso', 'dso');
});

afterAll(() => t.stop());

describe('DTC measurements', () => {
  const INGEST = `mutation($m: [SubstationMeasurementInput!]!) { ingestSubstationMeasurements(measurements: $m) { received written } }`;

  it('stores a batch and serves it on the secondary substation, next to its grid fields', async () => {
    const substation = t.parish.secondarySubstations[0]!;
    const measurements = [0, 1, 2, 3].map((q) => ({ secondarySubstationId: substation.id, intervalStart: at(q), phases: phases(50 + q) }));
    const ingested = await t.graphql<{ ingestSubstationMeasurements: { received: number; written: number } }>(INGEST, { key: dsoKey, variables: { m: measurements } });
    expect(ingested.body.data?.ingestSubstationMeasurements).toEqual({ received: 4, written: 4 });
    const again = await t.graphql<{ ingestSubstationMeasurements: { written: number } }>(INGEST, { key: dsoKey, variables: { m: measurements } });
    expect(again.body.data?.ingestSubstationMeasurements.written).toBe(0);

    const { body } = await t.graphql<{ secondarySubstation: { name: string; measurements: { intervalStart: string; phases: { phase: string; activePowerKw: number; voltageV: number }[] }[] } }>(
      `query($id: ID!, $from: DateTime!, $to: DateTime!) { secondarySubstation(id: $id) { name measurements(from: $from, to: $to) { intervalStart phases { phase activePowerKw voltageV } } } }`,
      { key: dsoKey, variables: { id: substation.id, from: at(0), to: at(4) } },
    );
    expect(body.data?.secondarySubstation.name).toBe(substation.name);
    expect(body.data?.secondarySubstation.measurements.map((m) => m.intervalStart)).toEqual([at(0), at(1), at(2), at(3)]);
    expect(body.data?.secondarySubstation.measurements[2]!.phases).toEqual([
      { phase: 'A', activePowerKw: 52, voltageV: 230 },
      { phase: 'B', activePowerKw: 53, voltageV: 231 },
      { phase: 'C', activePowerKw: 54, voltageV: 232 },
    ]);
  });

  it('gives DTC measurements only to keys with grid:read: a developer with no scopes, or with its defaults, gets none', async () => {
    const substation = t.parish.secondarySubstations[0]!;
    const query = `query($id: ID!, $from: DateTime!, $to: DateTime!) { secondarySubstation(id: $id) { name measurements(from: $from, to: $to) { intervalStart } } }`;
    const variables = { id: substation.id, from: at(0), to: at(4) };
    for (const key of [await t.createKey('developer', 'dev-sandbox', []), await t.createKey('developer', 'dev-sandbox'), await t.createKey('retailer', 'ret-edpc')]) {
      const { body } = await t.graphql<{ secondarySubstation: { name: string; measurements: unknown } | null }>(query, { key, variables });
      // The substation itself is public infrastructure; its measurements are not.
      expect(body.data?.secondarySubstation?.name).toBe(substation.name);
      expect(body.data?.secondarySubstation?.measurements ?? null).toBeNull();
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(body.errors?.[0]?.message).toMatch(/grid:read/);
    }
    const tso = await t.graphql<{ secondarySubstation: { measurements: unknown[] } }>(query, { key: await t.createKey('tso', 'ren'), variables });
    expect(tso.body.data?.secondarySubstation.measurements).toHaveLength(4);
  });

  it('limits the window as 15-minute rows whatever resolution is asked, since the rows are not aggregated', async () => {
    const substation = t.parish.secondarySubstations[0]!;
    // Two years of daily buckets would pass the bucket limit; as 15-minute rows they are 70,080.
    const { body } = await t.graphql(
      `query($id: ID!, $from: DateTime!, $to: DateTime!) { secondarySubstation(id: $id) { measurements(from: $from, to: $to, resolution: P1D) { intervalStart } } }`,
      { key: dsoKey, variables: { id: substation.id, from: '2024-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' } },
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rejects a batch with an unknown substation or a missing phase and writes nothing', async () => {
    const substation = t.parish.secondarySubstations[1]!;
    const { body } = await t.graphql(INGEST, {
      key: dsoKey,
      variables: {
        m: [
          { secondarySubstationId: substation.id, intervalStart: at(10), phases: phases(10) },
          { secondarySubstationId: 'PT9999', intervalStart: at(10), phases: phases(10) },
          { secondarySubstationId: substation.id, intervalStart: at(11), phases: phases(10).slice(0, 2) },
        ],
      },
    });
    expect(body.errors?.[0]?.extensions?.rejected).toEqual([
      { index: 1, reason: 'unknown secondary substation' },
      { index: 2, reason: 'exactly three phases (A, B, C) are required' },
    ]);
    const { rows } = await t.database.handle.pool.query('SELECT count(*) AS n FROM metering.substation_measurements WHERE secondary_substation_id = $1', [substation.id]);
    expect(Number(rows[0].n)).toBe(0);
  });
});

describe('meter events', () => {
  const INGEST = `mutation($e: [MeterEventInput!]!) { ingestMeterEvents(events: $e) { received written } }`;
  const EVENTS = `query($id: ID!, $from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
    meteringPoint(id: $id) { events(from: $from, to: $to, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { kind severity occurredAt } } } }
  }`;
  type EventsData = { meteringPoint: { events: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { kind: string } }[] } } };

  it('records events once and pages through them for the supplying retailer, logging the read', async () => {
    const retailer = t.parish.organisations.find((org) => org.kind === 'retailer')!.id;
    const point = pointsSuppliedBy(t.parish, retailer).find((p) => p.retailerId === retailer)!.id;
    const events = [
      { meteringPointId: point, occurredAt: at(1), kind: 'POWER_OUTAGE', severity: 'CRITICAL' },
      { meteringPointId: point, occurredAt: at(5), kind: 'POWER_RESTORED', severity: 'INFO' },
      { meteringPointId: point, occurredAt: at(9), kind: 'VOLTAGE_SAG', severity: 'WARNING' },
    ];
    expect((await t.graphql<{ ingestMeterEvents: { written: number } }>(INGEST, { key: dsoKey, variables: { e: events } })).body.data?.ingestMeterEvents.written).toBe(3);
    expect((await t.graphql<{ ingestMeterEvents: { written: number } }>(INGEST, { key: dsoKey, variables: { e: events } })).body.data?.ingestMeterEvents.written).toBe(0);

    const key = await t.createKey('retailer', retailer);
    const window = { id: point, from: at(0), to: at(96) };
    const first = await t.graphql<EventsData>(EVENTS, { key, variables: { ...window, first: 2 } });
    expect(first.body.data?.meteringPoint.events.totalCount).toBe(3);
    expect(first.body.data?.meteringPoint.events.edges.map((edge) => edge.node.kind)).toEqual(['POWER_OUTAGE', 'POWER_RESTORED']);
    expect(first.body.data?.meteringPoint.events.pageInfo.hasNextPage).toBe(true);
    const second = await t.graphql<EventsData>(EVENTS, { key, variables: { ...window, first: 2, after: first.body.data!.meteringPoint.events.pageInfo.endCursor } });
    expect(second.body.data?.meteringPoint.events.edges.map((edge) => edge.node.kind)).toEqual(['VOLTAGE_SAG']);
    expect(second.body.data?.meteringPoint.events.pageInfo.hasNextPage).toBe(false);

    const { rows } = await t.database.handle.pool.query("SELECT count(*) AS n FROM hub.access_log WHERE resource = 'events' AND metering_point_id = $1", [point]);
    expect(Number(rows[0].n)).toBe(2);
  });

  it('answers a forged cursor as an error of the caller, for events as for orders', async () => {
    const forged = Buffer.from('not-a-key', 'utf8').toString('base64url');
    const events = await t.graphql(EVENTS, { key: dsoKey, variables: { id: t.parish.meteringPoints[0]!.id, from: at(0), to: at(96), after: forged } });
    const orders = await t.graphql(`query($after: String) { contractedPowerOrders(first: 5, after: $after) { totalCount } }`, { key: dsoKey, variables: { after: forged } });
    expect([events.body.errors?.[0]?.extensions?.code, orders.body.errors?.[0]?.extensions?.code]).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
  });

  it('rejects an event for an unknown metering point and writes nothing', async () => {
    const before = Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM metering.meter_events')).rows[0].n);
    const { body } = await t.graphql(INGEST, {
      key: dsoKey,
      variables: { e: [{ meteringPointId: t.parish.meteringPoints[3]!.id, occurredAt: at(2), kind: 'TAMPER', severity: 'CRITICAL' }, { meteringPointId: 'PT0002000000000000ZZ', occurredAt: at(2), kind: 'TAMPER', severity: 'CRITICAL' }] },
    });
    expect(body.errors?.[0]?.extensions?.rejected).toEqual([{ index: 1, reason: 'unknown metering point' }]);
    expect(Number((await t.database.handle.pool.query('SELECT count(*) AS n FROM metering.meter_events')).rows[0].n)).toBe(before);
  });
});

import { lastMidnightMs, writeHistory } from '../../../tools/seed/history';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs, type TestSubscriber } from '../../../tools/testing/ws-subscriber';
import { latestOutboxId } from '../../kit/outbox-tail';

const DAY_MS = 86_400_000;
const HISTORY_DAYS = 7;

const RUN = `mutation($input: RunPowerFlowInput!) {
  runPowerFlow(input: $input) {
    id intervals source start end
    summary { minVoltagePu maxVoltagePu maxLineLoadingPercent maxTransformerLoadingPercent intervals iterations missingReadings }
    constraints { id kind source start end feederId limit value secondarySubstation { id } }
    flexibilityNeeds { id congestionPointId congestionPointKind feederId intervals { intervalStart reductionKw } }
  }
}`;

const READ = `query($id: ID!) {
  powerFlowRun(id: $id) {
    id summary { minVoltagePu maxLineLoadingPercent }
    constraints { id kind feederId }
    flexibilityNeeds { congestionPointId intervals { intervalStart reductionKw } }
    buses(first: 5) { totalCount edges { node { busId minVoltageV } } }
  }
}`;

const EVENTS = `subscription($after: ID) {
  hubEvents(types: [GRID_CONSTRAINT], after: $after) { eventId gridConstraint { kind constraint { id kind feederId } } }
}`;

interface RunResult {
  id: string;
  intervals: number;
  summary: { minVoltagePu: number; maxLineLoadingPercent: number; missingReadings: number; iterations: number };
  constraints: { id: string; kind: string; source: string; start: string; end: string; feederId: string | null; limit: number; value: number; secondarySubstation: { id: string } }[];
  flexibilityNeeds: { id: string; congestionPointId: string; congestionPointKind: string; feederId: string | null; intervals: { intervalStart: string; reductionKw: number }[] }[];
}

interface EventFrame {
  data: { hubEvents: { eventId: string; gridConstraint: { kind: string; constraint: { id: string; kind: string; feederId: string | null } | null } } };
}

/**
 * The demo's power-flow story on a real hub: a week of seeded history, tomorrow from forecasts on
 * the substation whose feeder is seeded to be congested every evening.
 */
describe('runPowerFlow', () => {
  let t: TestHub;
  let dsoKey: string;
  let substationId: string;
  let feederId: string;
  const tomorrowMs = lastMidnightMs() + DAY_MS;
  const subscribers: TestSubscriber<EventFrame>[] = [];

  beforeAll(async () => {
    t = await startTestHub({ customers: 300 });
    const congestion = t.parish.congestion!;
    substationId = congestion.secondarySubstationId;
    feederId = congestion.feederId;
    const end = lastMidnightMs();
    await writeHistory(t.database.handle, t.parish, { dayStartsMs: Array.from({ length: HISTORY_DAYS }, (_, i) => end - (i + 1) * DAY_MS) });
    dsoKey = await t.createKey('dso', 'dso');
  }, 120_000);
  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
  });
  afterAll(() => t.stop());

  const run = (input: Record<string, unknown>, key = dsoKey) => t.graphql<{ runPowerFlow: RunResult }>(RUN, { key, variables: { input } });
  const tomorrow = { secondarySubstationIds: [] as string[], from: new Date(tomorrowMs).toISOString(), to: new Date(tomorrowMs + DAY_MS).toISOString(), source: 'FORECAST' };
  const retailerBehind = () => {
    const feeders = new Set(t.parish.feeders.filter((feeder) => feeder.secondarySubstationId === substationId).map((feeder) => feeder.id));
    const behind = new Set(t.parish.connections.filter((connection) => feeders.has(connection.feederId)).map((connection) => connection.meteringPointId));
    const retailers = new Set(t.parish.meteringPoints.filter((point) => behind.has(point.id)).map((point) => point.retailerId));
    const without = t.parish.organisations.find((organisation) => organisation.kind === 'retailer' && !retailers.has(organisation.id));
    return { with: [...retailers][0]!, without: without?.id ?? null };
  };

  it("finds tomorrow evening's congestion on the seeded feeder from forecasts, and the flexibility that removes it", async () => {
    const response = await run({ ...tomorrow, secondarySubstationIds: [substationId] });
    expect(response.body.errors).toBeUndefined();
    const result = response.body.data!.runPowerFlow;
    expect(result.intervals).toBe(96);
    expect(result.summary.missingReadings).toBe(0);
    const onFeeder = result.constraints.filter((constraint) => constraint.feederId === feederId);
    expect(onFeeder.map((constraint) => constraint.kind)).toEqual(expect.arrayContaining(['LINE_OVERLOAD']));
    for (const constraint of onFeeder) {
      expect(constraint).toMatchObject({ source: 'POWER_FLOW', secondarySubstation: { id: substationId } });
      // The chargers run in the evening: the constraint is there, not at night.
      const startHourUtc = new Date(constraint.start).getUTCHours();
      expect(startHourUtc).toBeGreaterThanOrEqual(16);
      expect(Date.parse(constraint.end)).toBeGreaterThan(Date.parse(constraint.start));
    }
    const overload = onFeeder.find((constraint) => constraint.kind === 'LINE_OVERLOAD')!;
    expect(overload.value).toBeGreaterThan(overload.limit);
    const need = result.flexibilityNeeds.find((candidate) => candidate.congestionPointId === feederId);
    expect(need).toMatchObject({ congestionPointKind: 'FEEDER', feederId });
    expect(need!.intervals.length).toBeGreaterThan(0);
    // Each interval of the need is inside a constraint less consumption cures.
    const curable = onFeeder.filter((constraint) => constraint.kind === 'LINE_OVERLOAD' || constraint.kind === 'UNDERVOLTAGE');
    for (const interval of need!.intervals) {
      expect(interval.reductionKw).toBeGreaterThan(0);
      const at = Date.parse(interval.intervalStart);
      expect(curable.some((constraint) => Date.parse(constraint.start) <= at && at < Date.parse(constraint.end))).toBe(true);
    }
    // No other feeder of the substation is congested on a normal evening.
    expect(result.constraints.filter((constraint) => constraint.feederId !== feederId && constraint.kind !== 'PHASE_UNBALANCE' && constraint.kind !== 'OVERVOLTAGE')).toEqual([]);
  });

  it('pushes the constraints to a retailer with customers there, which reads the need but not the bus voltages; another retailer sees nothing', async () => {
    const { with: retailerId, without } = retailerBehind();
    const since = String(await latestOutboxId(t.database.handle.pool));
    const retailerKey = await t.createKey('retailer', retailerId);
    const subscriber = subscribeOverWs<EventFrame>(t.hub.url, retailerKey, EVENTS, { after: since });
    subscribers.push(subscriber);
    const { id, constraints } = (await run({ ...tomorrow, secondarySubstationIds: [substationId] })).body.data!.runPowerFlow;

    const event = (await subscriber.next()).data.hubEvents;
    expect(event.gridConstraint.kind).toBe('NEW');
    expect(constraints.map((constraint) => constraint.id)).toContain(event.gridConstraint.constraint!.id);

    const read = await t.graphql<{ powerFlowRun: { id: string; flexibilityNeeds: { congestionPointId: string }[]; buses: unknown } | null }>(READ, { key: retailerKey, variables: { id } });
    expect(read.body.data!.powerFlowRun!.flexibilityNeeds.map((need) => need.congestionPointId)).toContain(feederId);
    expect(read.body.data!.powerFlowRun!.buses).toBeNull();
    expect(read.body.errors?.map((error) => [error.path?.join('.'), error.extensions?.code])).toEqual([['powerFlowRun.buses', 'FORBIDDEN']]);

    const dso = await t.graphql<{ powerFlowRun: { buses: { totalCount: number; edges: { node: { busId: string; minVoltageV: number[] } }[] } } }>(READ, { key: dsoKey, variables: { id } });
    expect(dso.body.errors).toBeUndefined();
    expect(dso.body.data!.powerFlowRun.buses.totalCount).toBeGreaterThan(10);
    expect(dso.body.data!.powerFlowRun.buses.edges[0]!.node.minVoltageV).toHaveLength(3);

    if (without) {
      const other = await t.graphql<{ powerFlowRun: unknown }>(READ, { key: await t.createKey('retailer', without), variables: { id } });
      expect(other.body.data?.powerFlowRun ?? null).toBeNull();
      expect(other.body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    }
  });

  it('solves measured history and keeps the latest figures on the substation', async () => {
    const yesterdayMs = lastMidnightMs() - DAY_MS;
    const response = await run({ secondarySubstationIds: [substationId], from: new Date(yesterdayMs).toISOString(), to: new Date(yesterdayMs + DAY_MS).toISOString(), source: 'MEASURED' });
    expect(response.body.errors).toBeUndefined();
    const result = response.body.data!.runPowerFlow;
    expect(result.summary.missingReadings).toBe(0);
    expect(result.constraints.some((constraint) => constraint.kind === 'LINE_OVERLOAD' && constraint.feederId === feederId)).toBe(true);
    const latest = await t.graphql<{ secondarySubstation: { latestPowerFlow: { runId: string; summary: { intervals: number } } } }>(
      `query($id: ID!) { secondarySubstation(id: $id) { latestPowerFlow { runId summary { intervals } } } }`,
      { key: dsoKey, variables: { id: substationId } },
    );
    expect(latest.body.data!.secondarySubstation.latestPowerFlow).toEqual({ runId: result.id, summary: { intervals: 96 } });
  });

  it.each([
    [{ secondarySubstationIds: ['nope'] }, /Unknown secondary substation: nope/],
    [{ from: new Date(tomorrowMs + 60_000).toISOString() }, /quarter-hour/],
    [{ to: new Date(tomorrowMs).toISOString() }, /after from/],
    [{ to: new Date(tomorrowMs + 8 * DAY_MS).toISOString() }, /at most 7 days/],
    [{ source: 'MEASURED' }, /readings for 0 % .* needs at least 50 %/],
    [{ secondarySubstationIds: Array.from({ length: 301 }, (_, i) => `SS${i}`) }, /at most 300 secondary substations/],
    [{ secondarySubstationIds: Array.from({ length: 100 }, (_, i) => `SS${i}`), to: new Date(tomorrowMs + 7 * DAY_MS).toISOString() }, /more than 60000/],
  ])('refuses bad input %# with BAD_USER_INPUT and writes nothing', async (change, message) => {
    const before = await t.database.handle.pool.query<{ n: string }>('SELECT count(*) AS n FROM grid.power_flow_runs');
    const response = await run({ ...tomorrow, secondarySubstationIds: [substationId], ...change });
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toMatch(message);
    const after = await t.database.handle.pool.query<{ n: string }>('SELECT count(*) AS n FROM grid.power_flow_runs');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('lets only the DSO run one', async () => {
    const response = await run({ ...tomorrow, secondarySubstationIds: [substationId] }, await t.createKey('retailer', retailerBehind().with));
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

import { eq, sql } from 'drizzle-orm';
import { connections, powerFlowRuns } from '../../../schema/tables';
import type { Transaction } from '../../kit/db';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { latestOutboxId } from '../../kit/outbox-tail';
import { recordPowerFlowConstraints, type NewPowerFlowConstraint } from '../grid-constraint.repo';
import { CLEAR, constraintFixture, DECLARE, iso, type ConstraintFixture } from './grid-constraint.fixture';

/**
 * Grid constraints through the gateway: the DSO declares and clears them, power-flow runs record
 * them, each new and cleared one is addressed to the parties with customers behind its secondary
 * substation, and each party reads those of the areas where it has customers (grid-area.sql.ts).
 * Their delivery over graphql-ws: grid-constraint-events.suite.ts.
 */

let t: TestHub;
let f: ConstraintFixture;

const DAY_MS = 86_400_000;

const LIST = `query($area: AreaInput, $from: DateTime!, $to: DateTime!) {
  gridConstraints(area: $area, from: $from, to: $to) { id kind source severity start secondarySubstation { id } feederId }
}`;

interface Listed {
  id: string;
  kind: string;
  source: string;
  severity: string;
  start: string;
  secondarySubstation: { id: string };
  feederId: string | null;
}

async function list(key: string, variables: Record<string, unknown>) {
  return (await t.graphql<{ gridConstraints: Listed[] }>(LIST, { key, variables })).body;
}

async function counts(): Promise<{ constraints: number; outbox: number; audit: number }> {
  const { rows } = await t.database.handle.pool.query<{ constraints: string; outbox: string; audit: string }>(
    `SELECT (SELECT count(*) FROM grid.constraints) AS constraints, (SELECT count(*) FROM hub.outbox) AS outbox, (SELECT count(*) FROM hub.audit_log) AS audit`,
  );
  return { constraints: Number(rows[0]!.constraints), outbox: Number(rows[0]!.outbox), audit: Number(rows[0]!.audit) };
}

const grantConsent = (meteringPointId: string, organisationId: string) =>
  t.graphql(`mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, {
    key: f.dsoKey,
    variables: { input: { meteringPointId, organisationId, scopes: ['metering:read'], from: iso(Date.now() - DAY_MS), to: iso(Date.now() + 30 * DAY_MS) } },
  });

beforeAll(async () => {
  t = await startTestHub({ customers: 100 });
  f = await constraintFixture(t);
});

afterAll(() => t.stop());

describe('declaring and clearing', () => {
  it('stores a declaration with its defaults, severity, asset and audit line, and clears it once', async () => {
    const { substationId, feederId } = await f.substationWithOneCustomer();
    const { fromMs } = f.nextWindow();
    const before = await counts();
    const { body } = await t.graphql<{ declareGridConstraint: Record<string, unknown> & { id: string } }>(DECLARE, {
      key: f.dsoKey,
      variables: { input: f.declaration(substationId, fromMs, { kind: 'ASSET_FAILURE', feederId, description: '  Cable fault  ' }) },
    });
    expect(body.errors).toBeUndefined();
    const declared = body.data!.declareGridConstraint;
    expect(declared).toMatchObject({
      kind: 'ASSET_FAILURE',
      source: 'OPERATOR',
      status: 'ACTIVE',
      severity: 'CRITICAL',
      start: iso(fromMs + 3_600_000),
      end: iso(fromMs + 5 * 3_600_000),
      feederId,
      limit: 0,
      value: 0,
      unit: 'PERCENT',
      description: 'Cable fault',
      powerFlowRunId: null,
      clearedAt: null,
      asset: { kind: 'FEEDER', id: feederId },
      secondarySubstation: { id: substationId },
    });
    expect(await counts()).toEqual({ constraints: before.constraints + 1, outbox: before.outbox + 1, audit: before.audit + 1 });

    const cleared = await t.graphql<{ clearGridConstraint: { id: string; status: string; clearedAt: string } }>(CLEAR, { key: f.dsoKey, variables: { id: declared.id } });
    expect(cleared.body.data!.clearGridConstraint).toMatchObject({ id: declared.id, status: 'CLEARED', clearedAt: expect.any(String) });
    const again = await t.graphql<{ clearGridConstraint: { clearedAt: string } }>(CLEAR, { key: f.dsoKey, variables: { id: declared.id } });
    // Clearing again answers the constraint as it is and writes nothing: no second event or audit line.
    expect(again.body.data!.clearGridConstraint).toEqual(cleared.body.data!.clearGridConstraint);
    expect(await counts()).toEqual({ constraints: before.constraints + 1, outbox: before.outbox + 2, audit: before.audit + 2 });
    const { rows } = await t.database.handle.pool.query(`SELECT operation FROM hub.audit_log WHERE target = $1 ORDER BY id`, [declared.id]);
    expect(rows.map((row) => row.operation)).toEqual(['declareGridConstraint', 'clearGridConstraint']);
  });

  it('refuses bad declarations with BAD_USER_INPUT naming the field, writing nothing', async () => {
    const { substationId } = await f.substationWithOneCustomer();
    const elsewhere = t.parish.feeders.find((feeder) => feeder.secondarySubstationId !== substationId)!;
    const { fromMs } = f.nextWindow();
    const before = await counts();
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'LINE_OVERLOAD' }, 'kind'],
      [{ secondarySubstationId: 'PT-NOWHERE' }, 'secondarySubstationId'],
      [{ feederId: 'PT-NOWHERE-F1' }, 'feederId'],
      [{ feederId: '' }, 'feederId'],
      [{ feederId: elsewhere.id }, 'feederId'],
      [{ start: iso(fromMs + 5 * 3_600_000), end: iso(fromMs + 3_600_000) }, 'end'],
      [{ limit: 120 }, 'limit'],
      [{ description: '   ' }, 'description'],
    ];
    for (const [overrides, field] of cases) {
      const { body } = await t.graphql(DECLARE, { key: f.dsoKey, variables: { input: f.declaration(substationId, fromMs, overrides) } });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await counts()).toEqual(before);
  });

  it('answers NOT_FOUND for clearing an unknown constraint, and refuses both mutations to any key but the DSO', async () => {
    const unknown = await t.graphql(CLEAR, { key: f.dsoKey, variables: { id: 'gc-nothing' } });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const retailer = await f.keyFor('retailer', t.parish.organisations.find((org) => org.kind === 'retailer')!.id);
    const { substationId } = await f.substationWithOneCustomer();
    const refused = await t.graphql(DECLARE, { key: retailer, variables: { input: f.declaration(substationId, f.nextWindow().fromMs) } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.graphql(CLEAR, { key: retailer, variables: { id: 'gc-nothing' } })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('reading', () => {
  it('returns the constraints overlapping the window by start, and refuses reversed and oversized windows', async () => {
    const { substationId } = await f.substationWithOneCustomer();
    const { fromMs, toMs } = f.nextWindow();
    const late = await f.declare(f.declaration(substationId, fromMs, { start: iso(fromMs + 20 * 3_600_000), end: iso(toMs + DAY_MS) }));
    const early = await f.declare(f.declaration(substationId, fromMs, { start: iso(fromMs - DAY_MS), end: iso(fromMs + 3_600_000) }));
    await f.declare(f.declaration(substationId, fromMs, { start: iso(fromMs - DAY_MS), end: iso(fromMs) }));
    await f.declare(f.declaration(substationId, fromMs, { start: iso(toMs), end: iso(toMs + 3_600_000) }));
    const area = { secondarySubstationIds: [substationId] };
    const listed = await list(f.dsoKey, { area, from: iso(fromMs), to: iso(toMs) });
    expect(listed.data!.gridConstraints.map((c) => c.id)).toEqual([early.id, late.id]);

    const reversed = await list(f.dsoKey, { area, from: iso(toMs), to: iso(fromMs) });
    expect(reversed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const oversized = await list(f.dsoKey, { area, from: iso(fromMs), to: iso(fromMs + 367 * DAY_MS) });
    expect(oversized.errors?.[0]?.message).toMatch(/at most 366 days/);
  });

  it("shows a retailer its customers' areas only, an aggregator those of its consented points, the TSO all, and refuses a developer", async () => {
    const mine = await f.substationWithOneCustomer();
    const other = await f.substationWithOneCustomer((point) => point.retailerId !== mine.retailerId);
    const { fromMs, toMs } = f.nextWindow();
    const onMine = await f.declare(f.declaration(mine.substationId, fromMs));
    const onOther = await f.declare(f.declaration(other.substationId, fromMs, { start: iso(fromMs + 2 * 3_600_000) }));
    const window = { from: iso(fromMs), to: iso(toMs) };
    const ids = async (key: string, area?: Record<string, unknown>) => (await list(key, { ...window, area })).data!.gridConstraints.map((c) => c.id);

    const retailer = await f.keyFor('retailer', mine.retailerId);
    expect(await ids(retailer)).toEqual([onMine.id]);
    expect(await ids(retailer, { feederIds: [mine.feederId] })).toEqual([onMine.id]);
    // An area that exists but where it has no customers: nothing, as for an area without constraints.
    expect(await ids(retailer, { secondarySubstationIds: [other.substationId] })).toEqual([]);
    expect(await ids(await f.keyFor('retailer', other.retailerId))).toEqual([onOther.id]);
    const unknown = await list(retailer, { ...window, area: { secondarySubstationIds: ['PT-NOWHERE'] } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'area' });

    const aggregator = await f.keyFor('aggregator', 'agg-flexpt');
    expect(await ids(aggregator)).toEqual([]);
    expect((await grantConsent(mine.pointId, 'agg-flexpt')).body.errors).toBeUndefined();
    expect(await ids(aggregator)).toEqual([onMine.id]);

    expect(await ids(await f.keyFor('tso', 'ren'))).toEqual([onMine.id, onOther.id]);
    const developer = await list(await f.keyFor('developer', 'dev-sandbox'), window);
    expect(developer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('events', () => {
  it('addresses an event to the DSO and the parties with customers behind the substation now, never to nobody', async () => {
    const area = await f.substationWithOneCustomer();
    expect((await grantConsent(area.pointId, 'agg-flexpt')).body.errors).toBeUndefined();
    const empty = await f.substationWithOneCustomer();
    // Its one customer moved on: nobody but the DSO has customers there.
    await t.database.handle.db.update(connections).set({ feederId: t.parish.feeders[0]!.id, busId: null }).where(eq(connections.meteringPointId, empty.pointId));
    const { fromMs } = f.nextWindow();
    const [withParties, withNobody] = [await f.declare(f.declaration(area.substationId, fromMs)), await f.declare(f.declaration(empty.substationId, fromMs))];
    const audienceOf = async (constraintId: string) =>
      (await t.database.handle.db.execute<{ audience: string[] }>(sql`SELECT audience FROM hub.outbox WHERE payload->>'constraintId' = ${constraintId}`)).rows.map((row) => row.audience);
    expect(await audienceOf(withParties.id)).toEqual([['agg-flexpt', 'dso', area.retailerId].sort()]);
    expect(await audienceOf(withNobody.id)).toEqual([['dso']]);
  });

  it('still hands an addressee its event once its customers left the area, without the constraint', async () => {
    const area = await f.substationWithOneCustomer();
    const { id } = await f.declare(f.declaration(area.substationId, f.nextWindow().fromMs));
    const eventId = String(await latestOutboxId(t.database.handle.pool));
    const key = await f.keyFor('retailer', area.retailerId);
    const read = async () =>
      (await t.graphql<{ hubEvent: { gridConstraint: { kind: string; constraint: { id: string; kind: string } | null } } }>(`query($id: ID!) { hubEvent(eventId: $id) { gridConstraint { kind constraint { id kind } } } }`, { key, variables: { id: eventId } })).body;
    expect((await read()).data!.hubEvent.gridConstraint).toEqual({ kind: 'NEW', constraint: { id, kind: 'PLANNED_MAINTENANCE' } });
    await t.database.handle.db.update(connections).set({ feederId: t.parish.feeders[0]!.id, busId: null }).where(eq(connections.meteringPointId, area.pointId));
    // The gateway nulls the constraint the grid no longer resolves for the caller (and says so in extensions.valueCompletion).
    expect((await read()).data).toEqual({ hubEvent: { gridConstraint: { kind: 'NEW', constraint: null } } });
  });
});

describe('power-flow constraints', () => {
  const finding = (substationId: string, feederId: string | null, fromMs: number, overrides: Partial<NewPowerFlowConstraint> = {}): NewPowerFlowConstraint => ({
    kind: 'LINE_OVERLOAD',
    secondarySubstationId: substationId,
    feederId,
    asset: { kind: 'LINE_SEGMENT', id: 'LINE12' },
    start: new Date(fromMs + 18 * 3_600_000),
    end: new Date(fromMs + 19 * 3_600_000),
    limit: 100,
    value: 134.2,
    unit: 'PERCENT',
    ...overrides,
  });

  /** The run the findings belong to: constraints of source POWER_FLOW name a stored run. */
  const runRow = async (tx: Transaction, id: string, fromMs: number) => {
    await tx.insert(powerFlowRuns).values({ id, source: 'MEASURED', start: new Date(fromMs), end: new Date(fromMs + 86_400_000), intervals: 96, requestedBy: 'dso' });
    return id;
  };

  it("records a run's findings with one event each, in the caller's transaction, read back as GridConstraints", async () => {
    const area = await f.substationWithOneCustomer();
    const { fromMs, toMs } = f.nextWindow();
    const before = await counts();
    const rows = await t.database.handle.db.transaction(async (tx) =>
      recordPowerFlowConstraints(tx, await runRow(tx, 'run-test-1', fromMs), [
        finding(area.substationId, area.feederId, fromMs),
        finding(area.substationId, null, fromMs, { kind: 'UNDERVOLTAGE', asset: { kind: 'BUS', id: 'B34' }, start: new Date(fromMs + 17 * 3_600_000), limit: 207, value: 201.3, unit: 'VOLT' }),
      ]),
    );
    expect(rows.map((row) => [row.source, row.powerFlowRunId, row.status])).toEqual([
      ['POWER_FLOW', 'run-test-1', 'ACTIVE'],
      ['POWER_FLOW', 'run-test-1', 'ACTIVE'],
    ]);
    expect(rows[0]!.description).toBe('Line loading 134.2 % above the limit of 100 %');
    // Audit lines are the run's mutation's to write, not this.
    expect(await counts()).toEqual({ constraints: before.constraints + 2, outbox: before.outbox + 2, audit: before.audit });

    const listed = await list(await f.keyFor('retailer', area.retailerId), { from: iso(fromMs), to: iso(toMs) });
    expect(listed.data!.gridConstraints.map((c) => [c.kind, c.source, c.severity, c.feederId])).toEqual([
      ['UNDERVOLTAGE', 'POWER_FLOW', 'WARNING', null],
      ['LINE_OVERLOAD', 'POWER_FLOW', 'CRITICAL', area.feederId],
    ]);
  });

  it('throws on a finding within its limit or a feeder off its substation, and the transaction writes nothing', async () => {
    const area = await f.substationWithOneCustomer();
    const { fromMs } = f.nextWindow();
    const before = await counts();
    const record = (constraints: NewPowerFlowConstraint[]) => t.database.handle.db.transaction(async (tx) => recordPowerFlowConstraints(tx, await runRow(tx, 'run-test-2', fromMs), constraints));
    await expect(record([finding(area.substationId, area.feederId, fromMs), finding(area.substationId, null, fromMs, { value: 99 })])).rejects.toThrow(
      'power-flow run run-test-2, constraint 1: value 99 is not beyond limit 100: no LINE_OVERLOAD',
    );
    await expect(record([finding(area.substationId, t.parish.feeders[0]!.id, fromMs)])).rejects.toMatchObject({ cause: { constraint: 'constraints_feeder_fk' } });
    expect(await counts()).toEqual(before);
  });
});

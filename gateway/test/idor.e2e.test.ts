import { ROLE_SCOPES } from '../../schema/access';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../schema/identity';
import type { SubgraphName } from '../../schema/subgraphs';
import { ISP_1, ISP_2, marketFixture, type MarketFixture, type Party } from '../../subgraphs/flexibility/test/flex-market.fixture';
import { eventually } from '../../tools/testing/eventually';
import { flexRequestInput } from '../../tools/testing/flex-request-input';
import { pointsSuppliedBy, pointsSuppliedNowBy, postGraphQL, startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
import { subscribeOverWs, type TestSubscriber } from '../../tools/testing/ws-subscriber';

/**
 * Insecure direct object references: one party naming another party's objects (metering points,
 * orders, consents, events) by id, through every door the hub has (arguments, aliases and
 * fragments, a former contract, the subgraphs' _entities, subscription replays, consents that
 * come and go). Every attempt must be refused exactly like a missing object, and no response
 * may carry another party's identifiers or values anywhere in its body.
 */

let t: TestHub;

// A fixed past day with readings for every point, so that every point has a curve to leak.
const DAY_START = Date.parse('2026-10-05T00:00:00.000Z');
const DAY_END = DAY_START + 86_400_000;
const QUARTER_MS = 900_000;
const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = { from: iso(DAY_START), to: iso(DAY_END) };
const MISSING_POINT = 'PT0002000000000000XX';
const MISSING_ORDER = 'cpo-00000000-0000-0000-0000-000000000000';

type Point = TestHub['parish']['meteringPoints'][number];
type ErrorEntry = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };
// Aliased documents have data of no fixed shape: each test reads the aliases it asked for.
type AnyData = Record<string, any>;
interface Answer {
  status: number;
  data: AnyData | null;
  errors: ErrorEntry[];
  /** The whole body as sent, to search for anything that must not be in it. */
  text: string;
}

/** A GraphQL request through the gateway; no response of this file may be an internal error. */
async function ask(key: string, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const { status, body } = await t.graphql<AnyData>(query, { key, variables });
  const text = JSON.stringify(body);
  expect(text).not.toContain('INTERNAL_SERVER_ERROR');
  return { status, data: body.data ?? null, errors: (body.errors ?? []) as ErrorEntry[], text };
}

/** The same, straight at one subgraph with the given headers (the gateway bypassed). */
async function askSubgraph(subgraph: SubgraphName, query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<Answer> {
  const { status, body } = await postGraphQL<AnyData>(t.hub.subgraphUrls[subgraph], query, headers, variables);
  const text = JSON.stringify(body);
  expect(text).not.toContain('INTERNAL_SERVER_ERROR');
  return { status, data: body.data ?? null, errors: (body.errors ?? []) as ErrorEntry[], text };
}

const codes = (answer: Answer) => answer.errors.map((error) => error.extensions?.code);

/** Which of `needles` occur in `text`: the assertion names exactly what leaked. */
const leaked = (text: string, needles: Iterable<string>) => [...needles].filter((needle) => text.includes(needle));

/** Numbers appearing in `text` as whole JSON numbers (not as digits inside an id). */
const numbersIn = (text: string, values: Iterable<number>) => [...values].filter((value) => new RegExp(`[:\\[,]${value}[,\\]}]`).test(text));

// ---------------------------------------------------------------------------------------------
// The cast, chosen from the deterministic parish, with the properties each case needs checked.

let dsoKey: string;
/** The retailer trying to reach others' data. */
let A: string;
let aKey: string;
let aKeyId: string;
const retailerKeys = new Map<string, string>();
/** A's former point: its contract went to `C` at `switchMs`. */
let S: Point;
let C: string;
let switchMs: number;
/** Points A never supplied (current points of other retailers): all foreign to A. */
let foreign: Point[];
/** A foreign point behind a HEMS. */
let foreignHems: Point;
/** A's current points, and one of them behind a HEMS. */
let own: Point[];
let ownHems: Point;
/** The customer of `P` holds a key for it (case 7); `Q`'s customer consents to the researcher (case 6). */
let P: Point;
let pKey: string;
let Q: Point;
let qKey: string;

const currentRetailer = new Map<string, string>();
const retailers = () => t.parish.organisations.filter((org) => org.kind === 'retailer').map((org) => org.id);
const pointsOnFeeders = (feederIds: Set<string>) => t.parish.connections.filter((c) => feederIds.has(c.feederId)).map((c) => c.meteringPointId);
const feedersOfSecondary = (secondaryId: string) => new Set(t.parish.feeders.filter((f) => f.secondarySubstationId === secondaryId).map((f) => f.id));
const hemsOf = (pointId: string) => t.parish.hemsSystems.find((system) => system.meteringPointId === pointId);
/** The HEMS ids behind the points, for leak checks (points without one add nothing). */
const hemsIdsOf = (...pointIds: string[]) => pointIds.flatMap((id) => hemsOf(id)?.id ?? []);

/** A point's schemes from the seed, oldest first, as MeteringPoint.tariffHistory shows them. */
const tariffHistoryOf = (pointId: string) =>
  t.parish.tariffAssignments
    .filter((assignment) => assignment.meteringPointId === pointId)
    .sort((x, y) => x.validFrom.getTime() - y.validFrom.getTime())
    .map((assignment) => ({ scheme: { id: assignment.schemeId }, validFrom: assignment.validFrom.toISOString(), validTo: assignment.validTo?.toISOString() ?? null }));

/**
 * The point's open pilot enrolment: the seed's, or a PENDING one its current retailer accepts now
 * (which changes no tariff), so that every point a case names has an enrolment to leak.
 */
async function openEnrolmentOf(point: Point): Promise<string> {
  const seeded = t.parish.pilotEnrolments.find((enrolment) => enrolment.meteringPointId === point.id && enrolment.endsAt === null && enrolment.withdrawnAt === null);
  if (seeded) return seeded.id;
  const startsOn = iso(Date.now() + 3 * 86_400_000).slice(0, 10);
  const answer = await ask(retailerKeys.get(point.retailerId!)!, `mutation($input: AcceptPilotEnrolmentInput!) { acceptPilotEnrolment(input: $input) { id } }`, {
    input: { meteringPointId: point.id, schemeId: 'TP-PILOTO-PC', startsOn },
  });
  expect(answer.errors).toEqual([]);
  return answer.data!.acceptPilotEnrolment.id;
}

// ---------------------------------------------------------------------------------------------
// Data: a day of readings for every point, readings around the switch for S, meter events.

/** An ordinary value: below 1,000 Wh a quarter-hour, so the marker values below stand out. */
const ordinaryWh = (point: Point, quarter: number) => 20 + ((point.key * 31 + quarter * 7) % 500);
/** Q's readings before its consented period starts (06:00): the researcher must never see them. */
const Q_OUTSIDE_MARKER = 3_300_000;
const CONSENT_FROM_MS = DAY_START + 6 * HOUR_MS;
/** S's readings around the switch: A's own period (before), C's period (after). */
const S_BEFORE_MARKER = 1_100_000;
const S_AFTER_MARKER = 2_200_000;
const SWITCH_QUARTERS = 8;

const INGEST = `mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { received inserted } }`;

async function ingestReadings(idempotencyKey: string, readings: { meteringPointId: string; intervalStart: string; importWh: number; exportWh: number }[]) {
  for (let i = 0; i < readings.length; i += 10_000) {
    const batch = readings.slice(i, i + 10_000);
    const answer = await ask(dsoKey, INGEST, { input: { idempotencyKey: `${idempotencyKey}-${i}`, readings: batch } });
    expect(answer.errors).toEqual([]);
    expect(answer.data?.ingestReadings.inserted).toBe(batch.length);
  }
}

// ---------------------------------------------------------------------------------------------
// Contracted-power orders, recorded with the points of their area so expectations come from the parish.

const ISSUE = `mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`;
interface OrderEventRecord {
  orderId: string;
  kind: 'ISSUED' | 'RESTORED' | 'CANCELLED';
  points: string[];
}
/** Every order event of this file, in the order the outbox got them. */
const orderEvents: OrderEventRecord[] = [];

async function issueOrder(area: { feederIds?: string[]; secondarySubstationIds?: string[]; primarySubstationId?: string }, window?: { startMs: number; endMs: number }) {
  const startMs = window?.startMs ?? Date.now() - HOUR_MS;
  const endMs = window?.endMs ?? Date.now() + HOUR_MS;
  const answer = await ask(dsoKey, ISSUE, { input: { area, reductionPercent: 40, start: iso(startMs), expectedEnd: iso(endMs), reason: 'IDOR test order' } });
  expect(answer.errors).toEqual([]);
  const feeders = area.feederIds
    ? new Set(area.feederIds)
    : area.secondarySubstationIds
      ? new Set(area.secondarySubstationIds.flatMap((s) => [...feedersOfSecondary(s)]))
      : new Set(t.parish.feeders.filter((f) => t.parish.secondarySubstations.find((s) => s.id === f.secondarySubstationId)!.primarySubstationId === area.primarySubstationId).map((f) => f.id));
  const record: OrderEventRecord = { orderId: answer.data!.issueContractedPowerOrder.id, kind: 'ISSUED', points: pointsOnFeeders(feeders).sort() };
  orderEvents.push(record);
  return record;
}

async function endOrder(order: OrderEventRecord, kind: 'RESTORED' | 'CANCELLED') {
  const mutation = kind === 'RESTORED' ? 'restoreContractedPowerOrder' : 'cancelContractedPowerOrder';
  const answer = await ask(dsoKey, `mutation($id: ID!) { ${mutation}(id: $id) { status } }`, { id: order.orderId });
  expect(answer.data).toEqual({ [mutation]: { status: kind } });
  orderEvents.push({ ...order, kind });
}

/** What a retailer must receive of the order events: those touching its current points, with those points only. */
const expectedOrderEventsFor = (retailer: string) =>
  orderEvents
    .map((event) => ({ orderId: event.orderId, kind: event.kind, affected: event.points.filter((id) => currentRetailer.get(id) === retailer) }))
    .filter((event) => event.affected.length > 0);

/** Not addressed to A (a feeder without any of its customers), addressed to A (a secondary where it has some). */
let orderNotForA: OrderEventRecord;
let orderForA: OrderEventRecord;
let orderForAOnPrimary: OrderEventRecord;

beforeAll(async () => {
  t = await startTestHub();
  const { parish } = t;
  for (const point of parish.meteringPoints) currentRetailer.set(point.id, point.retailerId);
  dsoKey = await t.createKey('dso', 'dso');
  for (const retailer of retailers()) retailerKeys.set(retailer, await t.createKey('retailer', retailer));

  // A: a retailer with a former point (one behind a HEMS if possible), a HEMS of its own and a
  // feeder where it has no customer, so that every case has something real to refuse.
  const switches = parish.supplyContracts
    .filter((contract) => contract.validTo !== null)
    .sort((x, y) => Number(Boolean(hemsOf(y.meteringPointId))) - Number(Boolean(hemsOf(x.meteringPointId))));
  const fits = (retailer: string) =>
    pointsSuppliedNowBy(parish, retailer).some((point) => hemsOf(point.id)) &&
    parish.feeders.some((feeder) => {
      const points = pointsOnFeeders(new Set([feeder.id]));
      return points.length > 0 && points.every((id) => currentRetailer.get(id) !== retailer);
    });
  const contract = switches.find((candidate) => fits(candidate.retailerId));
  if (!contract) throw new Error('the parish has no retailer with a former point, a HEMS and a feeder without its customers');
  A = contract.retailerId;
  S = parish.meteringPoints.find((point) => point.id === contract.meteringPointId)!;
  C = S.retailerId;
  switchMs = contract.validTo!.getTime();
  aKey = retailerKeys.get(A)!;
  aKeyId = (await ask(aKey, '{ me { keyId } }')).data!.me.keyId;

  const suppliedByA = new Set(pointsSuppliedBy(parish, A).map((point) => point.id));
  foreign = parish.meteringPoints.filter((point) => !suppliedByA.has(point.id));
  foreignHems = foreign.find((point) => hemsOf(point.id))!;
  own = pointsSuppliedNowBy(parish, A);
  ownHems = own.find((point) => hemsOf(point.id))!;
  const taken = new Set([S.id, foreignHems.id]);
  P = foreign.find((point) => hemsOf(point.id) && !taken.has(point.id))!;
  Q = foreign.find((point) => !hemsOf(point.id) && !taken.has(point.id) && point.id !== P.id && point.retailerId !== C)!;
  expect([S, C, foreignHems, ownHems, P, Q].every(Boolean)).toBe(true);
  pKey = await t.createKey('customer', P.id);
  qKey = await t.createKey('customer', Q.id);

  // A day for every point (96 × 300 = 28,800 readings, three batches); Q's first six hours carry markers.
  const day = parish.meteringPoints.flatMap((point) =>
    Array.from({ length: 96 }, (_, quarter) => ({
      meteringPointId: point.id,
      intervalStart: iso(DAY_START + quarter * QUARTER_MS),
      importWh: point.id === Q.id && DAY_START + quarter * QUARTER_MS < CONSENT_FROM_MS ? Q_OUTSIDE_MARKER + quarter : ordinaryWh(point, quarter),
      exportWh: 0,
    })),
  );
  await ingestReadings('idor-day', day);
  // Two hours either side of S's switch: A's values before, C's after.
  await ingestReadings(
    'idor-switch',
    Array.from({ length: 2 * SWITCH_QUARTERS }, (_, i) => ({
      meteringPointId: S.id,
      intervalStart: iso(switchMs + (i - SWITCH_QUARTERS) * QUARTER_MS),
      importWh: i < SWITCH_QUARTERS ? S_BEFORE_MARKER + i : S_AFTER_MARKER + i,
      exportWh: 0,
    })),
  );
  const events = await ask(dsoKey, `mutation($events: [MeterEventInput!]!) { ingestMeterEvents(events: $events) { written } }`, {
    events: [
      { meteringPointId: S.id, occurredAt: iso(switchMs - 30 * 60_000), kind: 'POWER_OUTAGE', severity: 'CRITICAL' },
      { meteringPointId: S.id, occurredAt: iso(switchMs + 30 * 60_000), kind: 'VOLTAGE_SWELL', severity: 'WARNING' },
      { meteringPointId: Q.id, occurredAt: iso(DAY_START + 3 * HOUR_MS), kind: 'VOLTAGE_SAG', severity: 'WARNING' },
      { meteringPointId: Q.id, occurredAt: iso(DAY_START + 12 * HOUR_MS), kind: 'POWER_RESTORED', severity: 'INFO' },
      { meteringPointId: foreign.find((point) => point.id !== Q.id)!.id, occurredAt: iso(DAY_START + 10 * HOUR_MS), kind: 'TAMPER', severity: 'CRITICAL' },
      { meteringPointId: own[0]!.id, occurredAt: iso(DAY_START + 10 * HOUR_MS), kind: 'CONTRACTED_POWER_EXCEEDED', severity: 'WARNING' },
    ],
  });
  expect(events.data).toEqual({ ingestMeterEvents: { written: 6 } });

  // Orders: one on a feeder without A's customers, one on a secondary with some (in the past, with
  // readings above every cap, for compliance), one on a primary substation where A has customers.
  const lonelyFeeder = parish.feeders.find((feeder) => {
    const points = pointsOnFeeders(new Set([feeder.id]));
    return points.length > 0 && points.every((id) => currentRetailer.get(id) !== A);
  })!;
  orderNotForA = await issueOrder({ feederIds: [lonelyFeeder.id] });
  const secondary = parish.secondarySubstations.find((s) => {
    const points = pointsOnFeeders(feedersOfSecondary(s.id));
    return points.some((id) => currentRetailer.get(id) === A) && points.some((id) => currentRetailer.get(id) !== A);
  })!;
  const pastStart = Math.floor((Date.now() - 3 * HOUR_MS) / QUARTER_MS) * QUARTER_MS;
  orderForA = await issueOrder({ secondarySubstationIds: [secondary.id] }, { startMs: pastStart, endMs: pastStart + HOUR_MS });
  const byId = new Map(parish.meteringPoints.map((point) => [point.id, point]));
  await ingestReadings(
    'idor-compliance',
    orderForA.points.flatMap((id) =>
      [0, 1, 2, 3].map((quarter) => ({ meteringPointId: id, intervalStart: iso(pastStart + quarter * QUARTER_MS), importWh: Math.round(byId.get(id)!.contractedPowerKva * 250), exportWh: 0 })),
    ),
  );
  const primary = parish.secondarySubstations.find((s) => s.id === secondary.id)!.primarySubstationId;
  orderForAOnPrimary = await issueOrder({ primarySubstationId: primary });
  // Their endings are events too, pushed to the same retailers only.
  await endOrder(orderNotForA, 'CANCELLED');
  await endOrder(orderForAOnPrimary, 'RESTORED');
}, 60_000);

afterAll(() => t.stop());

const foreignIds = () => foreign.map((point) => point.id);

// ---------------------------------------------------------------------------------------------

describe('a retailer naming other parties’ objects in arguments', () => {
  const POINT = `query($id: ID!) { meteringPoint(id: $id) { id retailerId contractedPowerKva } }`;

  it("answers NOT_FOUND for another retailer's current point with the message of a missing id, for each foreign point", async () => {
    const missing = await ask(aKey, POINT, { id: MISSING_POINT });
    expect(missing.data).toEqual({ meteringPoint: null });
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    for (const point of foreign.slice(0, 20)) {
      const theirs = await ask(aKey, POINT, { id: point.id });
      expect(theirs.data).toEqual({ meteringPoint: null });
      expect(theirs.errors).toEqual(missing.errors);
      expect(leaked(theirs.text, [point.id, point.retailerId])).toEqual([]);
    }
  });

  it('does not find a foreign point under another spelling of its id', async () => {
    const point = foreign[1]!;
    for (const id of [point.id.toLowerCase(), ` ${point.id}`, `${point.id} `, `${point.id}%`, point.id.slice(0, -1)]) {
      const answer = await ask(aKey, POINT, { id });
      expect(answer.data).toEqual({ meteringPoint: null });
      expect(codes(answer)).toEqual(['NOT_FOUND']);
    }
  });

  it('never lists a foreign point in meteringPoints', async () => {
    const answer = await ask(aKey, '{ meteringPoints(first: 1000) { totalCount edges { node { id } } } }');
    const listed = answer.data!.meteringPoints.edges.map((edge: { node: { id: string } }) => edge.node.id).sort();
    expect(listed).toEqual(pointsSuppliedBy(t.parish, A).map((point) => point.id).sort());
    expect(answer.data!.meteringPoints.totalCount).toBe(listed.length);
    expect(leaked(answer.text, foreignIds())).toEqual([]);
  });

  it('refuses demand over a set of points with one foreign id among its own, exactly as with a missing id', async () => {
    const DEMAND = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {
      demand(scope: { meteringPointIds: $ids }, from: $from, to: $to, resolution: PT1H) { meteringPointCount points { importWh readingCount } }
    }`;
    const mine = own.slice(0, 5).map((point) => point.id);
    const allowed = await ask(aKey, DEMAND, { ids: mine, ...DAY });
    expect(allowed.errors).toEqual([]);
    expect(allowed.data!.demand.points).toHaveLength(24);

    const withForeign = await ask(aKey, DEMAND, { ids: [...mine.slice(0, 2), foreign[2]!.id, ...mine.slice(2)], ...DAY });
    const withMissing = await ask(aKey, DEMAND, { ids: [...mine.slice(0, 2), MISSING_POINT, ...mine.slice(2)], ...DAY });
    for (const answer of [withForeign, withMissing]) {
      expect(answer.data).toBeNull();
      expect(codes(answer)).toEqual(['FORBIDDEN']);
    }
    expect(withForeign.errors[0]!.message).toBe(withMissing.errors[0]!.message);
    expect(leaked(withForeign.text, [foreign[2]!.id])).toEqual([]);
  });

  it("refuses demand over another retailer's portfolio", async () => {
    const other = retailers().find((retailer) => retailer !== A)!;
    const answer = await ask(aKey, `query($r: ID!, $from: DateTime!, $to: DateTime!) { demand(scope: { retailerId: $r }, from: $from, to: $to) { meteringPointCount } }`, { r: other, ...DAY });
    expect(answer.data).toBeNull();
    expect(codes(answer)).toEqual(['FORBIDDEN']);
  });

  it('answers NOT_FOUND for an order not addressed to it, as for a missing order, and never lists it', async () => {
    const ORDER = `query($id: ID!) { contractedPowerOrder(id: $id) { id affected { meteringPoint { id } } } }`;
    const theirs = await ask(aKey, ORDER, { id: orderNotForA.orderId });
    const missing = await ask(aKey, ORDER, { id: MISSING_ORDER });
    for (const answer of [theirs, missing]) {
      expect(answer.data).toEqual({ contractedPowerOrder: null });
      expect(codes(answer)).toEqual(['NOT_FOUND']);
    }
    expect(theirs.errors[0]!.message).toBe(missing.errors[0]!.message);
    expect(leaked(theirs.text, orderNotForA.points)).toEqual([]);

    const list = await ask(aKey, '{ contractedPowerOrders(first: 100) { totalCount edges { node { id affected { meteringPoint { id } } } } } }');
    const ids = list.data!.contractedPowerOrders.edges.map((edge: { node: { id: string } }) => edge.node.id);
    expect(ids.sort()).toEqual([orderForA.orderId, orderForAOnPrimary.orderId].sort());
    expect(leaked(list.text, [orderNotForA.orderId, ...foreignIds()])).toEqual([]);
  });

  it("shows of an order addressed to it only its own points, compliance and acknowledgement", async () => {
    const others = retailers().filter((r) => r !== A && orderForA.points.some((id) => currentRetailer.get(id) === r));
    expect(others.length).toBeGreaterThan(0);
    // Another addressee acknowledges first: A must not learn who.
    for (const other of others) {
      const ack = await ask(retailerKeys.get(other)!, `mutation($id: ID!) { acknowledgeContractedPowerOrder(id: $id) { id } }`, { id: orderForA.orderId });
      expect(ack.errors).toEqual([]);
    }
    const answer = await ask(aKey, `query($id: ID!) { contractedPowerOrder(id: $id) {
      affected { meteringPoint { id retailerId } } compliance { meteringPoint { id } intervalsAbove } acknowledgements { organisationId }
    } }`, { id: orderForA.orderId });
    expect(answer.errors).toEqual([]);
    const mine = orderForA.points.filter((id) => currentRetailer.get(id) === A);
    const order = answer.data!.contractedPowerOrder;
    expect(order.affected.map((a: { meteringPoint: { id: string } }) => a.meteringPoint.id).sort()).toEqual(mine);
    // Every point of the area drew its full contracted power during the order: A's are all in breach, nobody else's is shown.
    expect(order.compliance.map((c: { meteringPoint: { id: string } }) => c.meteringPoint.id).sort()).toEqual(mine);
    expect(order.acknowledgements).toEqual([]);
    expect(leaked(answer.text, [...foreignIds(), ...others])).toEqual([]);

    // The DSO's view of the same order, for contrast: every point, every acknowledgement.
    const dso = await ask(dsoKey, `query($id: ID!) { contractedPowerOrder(id: $id) { compliance { meteringPoint { id } } acknowledgements { organisationId } } }`, { id: orderForA.orderId });
    expect(dso.data!.contractedPowerOrder.compliance).toHaveLength(orderForA.points.length);
    expect(dso.data!.contractedPowerOrder.acknowledgements.map((a: { organisationId: string }) => a.organisationId).sort()).toEqual(others.sort());
  });

  it('answers NOT_FOUND for an event not addressed to it, through hubEvent and contractedPowerOrderEvent', async () => {
    const { rows } = await t.database.handle.pool.query<{ id: string }>(
      `SELECT id::text FROM hub.outbox WHERE type = 'CONTRACTED_POWER_ORDER' AND cardinality(audience) > 0 AND NOT ($1 = ANY(audience)) ORDER BY id`,
      [A],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const { id } of rows) {
      for (const field of ['hubEvent', 'contractedPowerOrderEvent']) {
        const selection = field === 'hubEvent' ? '{ eventId contractedPowerOrder { order { id } affected { meteringPoint { id } } } }' : '{ eventId order { id } affected { meteringPoint { id } } }';
        const answer = await ask(aKey, `query($id: ID!) { ${field}(eventId: $id) ${selection} }`, { id });
        expect(answer.data).toEqual({ [field]: null });
        expect(codes(answer)).toEqual(['NOT_FOUND']);
        expect(leaked(answer.text, [orderNotForA.orderId, ...foreignIds()])).toEqual([]);
      }
    }
  });

  it("shows a retailer no consent of a point that is not its customer's, and no access log at all", async () => {
    const consents = await ask(aKey, `query($id: ID) { consents(meteringPointId: $id) { totalCount edges { node { id meteringPointId } } } }`, { id: foreign[3]!.id });
    expect(consents.errors).toEqual([]);
    expect(consents.data).toEqual({ consents: { totalCount: 0, edges: [] } });
    const log = await ask(aKey, `query($id: ID!) { dataAccessLog(meteringPointId: $id) { totalCount } }`, { id: foreign[3]!.id });
    expect(log.data).toBeNull();
    expect(codes(log)).toEqual(['FORBIDDEN']);
  });

  it("answers NOT_FOUND to a customer asking for another point's access log, as for a missing point", async () => {
    const LOG = `query($id: ID!) { dataAccessLog(meteringPointId: $id) { totalCount edges { node { organisationId field } } } }`;
    const theirs = await ask(pKey, LOG, { id: own[0]!.id });
    const missing = await ask(pKey, LOG, { id: MISSING_POINT });
    for (const answer of [theirs, missing]) {
      expect(answer.data).toBeNull();
      expect(codes(answer)).toEqual(['NOT_FOUND']);
    }
    expect(theirs.errors[0]!.message).toBe(missing.errors[0]!.message);
    // Someone did read that point (A, above): nothing of it shows.
    expect(leaked(theirs.text, [A, own[0]!.id])).toEqual([]);
  });
});

describe('the same foreign ids under aliases and fragments', () => {
  const FIELDS = `fragment PointFields on MeteringPoint {
    id retailerId contractedPowerKva customerClass usage pvCapacityKwp
    secondarySubstation { id } gridConnection { feederId phase } tariff { id } tariffHistory { scheme { id } } pilotEnrolment { id } hems { id devices { kind } }
    loadCurve(from: $from, to: $to, resolution: PT1H) { intervalStart importWh }
    events(from: $from, to: $to) { totalCount edges { node { kind } } }
  }`;

  it('refuses every foreign alias and serves the own ones of the same document', async () => {
    const ownIds = [...own.slice(0, 4).map((point) => point.id), ownHems.id];
    const targets = [...foreign.slice(0, 40).map((point) => point.id), foreignHems.id, P.id, Q.id, MISSING_POINT];
    const lines: string[] = [];
    const refused: string[] = [];
    ownIds.forEach((id, i) => lines.push(`own${i}: meteringPoint(id: "${id}") { ...PointFields }`));
    targets.forEach((id, i) => {
      // Spread over every way of writing a selection: direct, inline fragment, named fragment, literal and variable ids.
      switch (i % 4) {
        case 0:
          lines.push(`f${i}: meteringPoint(id: "${id}") { ...PointFields }`);
          break;
        case 1:
          lines.push(`... on Query { f${i}: meteringPoint(id: "${id}") { id ... on MeteringPoint { retailerId contractedPowerKva tariff { id } } } }`);
          break;
        case 2:
          lines.push(`...Named${i}`);
          break;
        case 3:
          lines.push(`f${i}: meteringPoint(id: $v${i}) { ...PointFields }`);
          break;
      }
      refused.push(`f${i}`);
    });
    // The same foreign id again and again: a cache or a batch must not let one through.
    for (let i = 0; i < 10; i++) {
      lines.push(`again${i}: meteringPoint(id: $repeated) { ...PointFields }`);
      refused.push(`again${i}`);
    }
    const named = targets.map((id, i) => (i % 4 === 2 ? `fragment Named${i} on Query { f${i}: meteringPoint(id: "${id}") { ...PointFields } }` : '')).join('\n');
    const variableDefinitions = targets.map((_, i) => (i % 4 === 3 ? `, $v${i}: ID!` : '')).join('');
    const variables: Record<string, unknown> = { ...DAY, repeated: foreignHems.id };
    targets.forEach((id, i) => {
      if (i % 4 === 3) variables[`v${i}`] = id;
    });
    const document = `query Probe($from: DateTime!, $to: DateTime!, $repeated: ID!${variableDefinitions}) {\n${lines.join('\n')}\n}\n${FIELDS}\n${named}`;

    const answer = await ask(aKey, document, variables);
    expect(answer.status).toBe(200);
    for (const [i, id] of ownIds.entries()) {
      const node = answer.data![`own${i}`];
      expect(node).toMatchObject({ id, retailerId: A, secondarySubstation: { id: expect.any(String) }, tariff: { id: expect.any(String) } });
      expect(node.loadCurve).toHaveLength(24);
    }
    expect(answer.data![`own${ownIds.length - 1}`].hems.id).toBe(hemsOf(ownHems.id)!.id);
    for (const alias of refused) expect(answer.data![alias]).toBeNull();
    // One NOT_FOUND per refused alias, at that alias, and nothing else.
    expect(answer.errors.map((error) => [error.path?.join('.'), error.extensions?.code]).sort()).toEqual(refused.map((alias) => [alias, 'NOT_FOUND']).sort());
    expect(new Set(answer.errors.map((error) => error.message)).size).toBe(1);
    expect(leaked(answer.text, [...foreignIds(), ...hemsIdsOf(...foreignIds()), 'TAMPER'])).toEqual([]);
  });
});

describe('a former supplier', () => {
  const AROUND = () => ({ from: iso(switchMs - SWITCH_QUARTERS * QUARTER_MS), to: iso(switchMs + SWITCH_QUARTERS * QUARTER_MS) });
  const POINT = `query($id: ID!, $from: DateTime!, $to: DateTime!, $dayFrom: DateTime!, $dayTo: DateTime!) { meteringPoint(id: $id) {
    id retailerId contractedPowerKva customerClass usage pvCapacityKwp
    tariff { id } hems { id } secondarySubstation { id } gridConnection { feederId }
    loadCurve(from: $from, to: $to) { intervalStart importWh }
    day: loadCurve(from: $dayFrom, to: $dayTo) { intervalStart }
    events(from: $from, to: $to) { totalCount edges { node { kind occurredAt } } }
  } }`;
  const variables = () => ({ id: S.id, ...AROUND(), dayFrom: DAY.from, dayTo: DAY.to });
  const beforeMarkers = () => Array.from({ length: SWITCH_QUARTERS }, (_, i) => S_BEFORE_MARKER + i);
  const afterMarkers = () => Array.from({ length: SWITCH_QUARTERS }, (_, i) => S_AFTER_MARKER + SWITCH_QUARTERS + i);

  it('sees its former point listed, with none of its present state', async () => {
    const answer = await ask(aKey, `{ meteringPoints(first: 1000) { edges { node {
      id retailerId contractedPowerKva customerClass usage pvCapacityKwp tariff { id } hems { id } secondarySubstation { id } gridConnection { feederId }
    } } } }`);
    expect(answer.errors).toEqual([]);
    const node = answer.data!.meteringPoints.edges.map((edge: { node: { id: string } }) => edge.node).find((n: { id: string }) => n.id === S.id);
    expect(node).toEqual({ id: S.id, retailerId: null, contractedPowerKva: null, customerClass: null, usage: null, pvCapacityKwp: null, tariff: null, hems: null, secondarySubstation: null, gridConnection: null });
    expect(leaked(answer.text, [C, ...hemsIdsOf(S.id)])).toEqual([]);
  });

  it("sees none of its former point's tariffs: no scheme, no history, not the current retailer's pilot enrolment", async () => {
    const enrolment = await openEnrolmentOf(S);
    const one = await ask(aKey, `query($id: ID!) { meteringPoint(id: $id) { id tariff { id } tariffHistory { scheme { id } validFrom } pilotEnrolment { id } } }`, { id: S.id });
    const list = await ask(aKey, `{ meteringPoints(first: 1000) { edges { node { id tariff { id } tariffHistory { scheme { id } validFrom } pilotEnrolment { id } } } } }`);
    for (const answer of [one, list]) {
      // The point is still listed (metering's), and nothing of its tariffs answers (neither as an error nor as a null that takes the point with it).
      expect(answer.errors).toEqual([]);
      const point = answer === one ? answer.data!.meteringPoint : answer.data!.meteringPoints.edges.map((edge: { node: AnyData }) => edge.node).find((node: AnyData) => node.id === S.id);
      expect(point).toMatchObject({ id: S.id, tariff: null, pilotEnrolment: null });
      expect([null, []]).toContainEqual(point.tariffHistory);
      expect(leaked(answer.text, [enrolment, C])).toEqual([]);
    }
  });

  it('reads its load curve and events only inside its own contract period', async () => {
    const answer = await ask(aKey, POINT, variables());
    expect(answer.errors).toEqual([]);
    const point = answer.data!.meteringPoint;
    expect(point).toMatchObject({ id: S.id, retailerId: null, contractedPowerKva: null, tariff: null, hems: null, secondarySubstation: null, gridConnection: null });
    expect(point.loadCurve.map((p: { intervalStart: string }) => Date.parse(p.intervalStart))).toEqual(Array.from({ length: SWITCH_QUARTERS }, (_, i) => switchMs + (i - SWITCH_QUARTERS) * QUARTER_MS));
    expect(point.loadCurve.map((p: { importWh: number }) => p.importWh)).toEqual(beforeMarkers());
    // The day in 2026 is all the current retailer's.
    expect(point.day).toEqual([]);
    expect(point.events.edges.map((edge: { node: { kind: string } }) => edge.node.kind)).toEqual(['POWER_OUTAGE']);
    expect(point.events.totalCount).toBe(1);
    expect(numbersIn(answer.text, afterMarkers())).toEqual([]);
    expect(leaked(answer.text, [C, 'VOLTAGE_SWELL'])).toEqual([]);
  });

  it('gets only its own period through demand over the point, too', async () => {
    const DEMAND = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { demand(scope: { meteringPointIds: $ids }, from: $from, to: $to) { points { intervalStart importWh readingCount } } }`;
    const around = await ask(aKey, DEMAND, { ids: [S.id], ...AROUND() });
    expect(around.errors).toEqual([]);
    expect(around.data!.demand.points.map((p: { importWh: number }) => p.importWh)).toEqual(beforeMarkers());
    expect(numbersIn(around.text, afterMarkers())).toEqual([]);
    const day = await ask(aKey, DEMAND, { ids: [S.id], ...DAY });
    expect(day.errors).toEqual([]);
    expect(day.data!.demand.points.filter((p: { importWh: number | null }) => p.importWh)).toEqual([]);
  });

  it('leaves the rest to the current retailer: present state and the curve from the switch on', async () => {
    const answer = await ask(retailerKeys.get(C)!, POINT, variables());
    expect(answer.errors).toEqual([]);
    const point = answer.data!.meteringPoint;
    expect(point).toMatchObject({ id: S.id, retailerId: C, contractedPowerKva: S.contractedPowerKva, tariff: { id: expect.any(String) }, secondarySubstation: { id: expect.any(String) } });
    if (hemsOf(S.id)) expect(point.hems).toEqual({ id: hemsOf(S.id)!.id });
    expect(point.loadCurve.map((p: { importWh: number }) => p.importWh)).toEqual(afterMarkers());
    expect(point.day).toHaveLength(96);
    expect(point.events.edges.map((edge: { node: { kind: string } }) => edge.node.kind)).toEqual(['VOLTAGE_SWELL']);
    expect(numbersIn(answer.text, beforeMarkers())).toEqual([]);
    expect(leaked(answer.text, [A, 'POWER_OUTAGE'])).toEqual([]);
  });
});

describe('_entities straight at each subgraph', () => {
  const SUBGRAPHS: SubgraphName[] = ['metering', 'grid', 'tariffs', 'flexibility', 'hems'];
  const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }`;
  const retailerIdentity = (): Identity => ({ keyId: aKeyId, organisationId: A, role: 'retailer', scopes: [...ROLE_SCOPES.retailer] });
  const header = (subgraph: SubgraphName) => ({ [IDENTITY_HEADER]: signIdentity(t.identitySecret, { identity: retailerIdentity(), requestId: `idor-${subgraph}` }, subgraph, 30_000) });
  const points = (...ids: string[]) => ids.map((id) => ({ __typename: 'MeteringPoint', id }));

  it('refuses a request without an identity header with 401, at every subgraph', async () => {
    for (const subgraph of SUBGRAPHS) {
      const answer = await askSubgraph(subgraph, ENTITIES, {}, { representations: points(foreign[0]!.id) });
      expect(answer.status).toBe(401);
      expect(answer.data).toBeNull();
      expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('refuses a header captured on its way to grid when it is replayed at another subgraph', async () => {
    const stolen = header('grid');
    const atGrid = await askSubgraph('grid', ENTITIES, stolen, { representations: points(own[0]!.id) });
    expect(atGrid.status).toBe(200);
    for (const subgraph of SUBGRAPHS.filter((name) => name !== 'grid')) {
      const answer = await askSubgraph(subgraph, ENTITIES, stolen, { representations: points(foreign[0]!.id) });
      expect(answer.status).toBe(401);
      expect(answer.data).toBeNull();
      expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    }
  });

  /** For tariffs: an open pilot enrolment of A's own point, and one of a foreign point (its own retailer's). */
  let ownEnrolment: string;
  let enrolledForeign: Point;
  let foreignEnrolment: string;
  beforeAll(async () => {
    ownEnrolment = await openEnrolmentOf(own[0]!);
    enrolledForeign = foreign.find((point) => point.retailerId !== null && point.id !== P.id && point.id !== Q.id)!;
    foreignEnrolment = await openEnrolmentOf(enrolledForeign);
  });

  // [own current point, foreign point, A's former point, missing id]: each subgraph checks the point itself.
  const entityCases: {
    subgraph: SubgraphName;
    selection: string;
    ownOf: () => Point;
    foreignOf: () => Point;
    expectOwn: (node: AnyData, point: Point) => void;
    /** What else of the foreign point must not be in the answer. */
    foreignSecrets?: () => string[];
  }[] = [
    {
      subgraph: 'metering',
      selection: '... on MeteringPoint { id retailerId contractedPowerKva loadCurve(from: $from, to: $to, resolution: PT1H) { importWh } events(from: $from, to: $to) { totalCount } }',
      ownOf: () => own[0]!,
      foreignOf: () => foreign[0]!,
      expectOwn: (node, point) => {
        expect(node).toMatchObject({ id: point.id, retailerId: A, contractedPowerKva: point.contractedPowerKva, events: { totalCount: 1 } });
        expect(node.loadCurve).toHaveLength(24);
      },
    },
    {
      subgraph: 'grid',
      selection: '... on MeteringPoint { secondarySubstation { id } gridConnection { feederId } }',
      ownOf: () => own[0]!,
      foreignOf: () => foreign[0]!,
      expectOwn: (node, point) => expect(node.gridConnection.feederId).toBe(t.parish.connections.find((c) => c.meteringPointId === point.id)!.feederId),
    },
    {
      subgraph: 'tariffs',
      selection: '... on MeteringPoint { tariff { id } tariffHistory { scheme { id } validFrom validTo } pilotEnrolment { id } }',
      ownOf: () => own[0]!,
      foreignOf: () => enrolledForeign,
      expectOwn: (node, point) => {
        expect(node.tariff.id).toBe(t.parish.tariffAssignments.find((a) => a.meteringPointId === point.id && a.validTo === null)!.schemeId);
        expect(node.tariffHistory).toEqual(tariffHistoryOf(point.id));
        expect(node.pilotEnrolment).toEqual({ id: ownEnrolment });
      },
      foreignSecrets: () => [foreignEnrolment],
    },
    {
      subgraph: 'hems',
      selection: '... on MeteringPoint { hems { id devices { kind } } }',
      ownOf: () => ownHems,
      foreignOf: () => foreignHems,
      expectOwn: (node, point) => expect(node.hems.id).toBe(hemsOf(point.id)!.id),
    },
  ];

  it.each(entityCases.map((c) => [c.subgraph, c] as const))("resolves at %s only the retailer's own current point, whoever handed out the others", async (subgraph, c) => {
    const ownPoint = c.ownOf();
    const foreignPoint = c.foreignOf();
    const query = `query($representations: [_Any!]!, $from: DateTime!, $to: DateTime!) { _entities(representations: $representations) { ${c.selection} } }`;
    const usesWindow = c.selection.includes('$from');
    const document = usesWindow ? query : query.replace(', $from: DateTime!, $to: DateTime!', '');
    const answer = await askSubgraph(subgraph, document, header(subgraph), {
      representations: points(ownPoint.id, foreignPoint.id, S.id, MISSING_POINT),
      ...(usesWindow ? DAY : {}),
    });
    expect(answer.status).toBe(200);
    const [mine, theirs, former, missing] = answer.data!._entities as (AnyData | null)[];
    c.expectOwn(mine!, ownPoint);
    expect(theirs).toBeNull();
    expect(missing).toBeNull();
    if (subgraph === 'metering') {
      // Metering lists a former point, with none of its present state and none of the 2026 day.
      expect(former).toMatchObject({ id: S.id, retailerId: null, contractedPowerKva: null, loadCurve: [], events: { totalCount: 0 } });
    } else {
      expect(former).toBeNull();
    }
    expect(codes(answer).filter((code) => code !== 'NOT_FOUND')).toEqual([]);
    expect(leaked(answer.text, [foreignPoint.id, ...hemsIdsOf(foreignPoint.id, S.id), C, ...(c.foreignSecrets?.() ?? [])])).toEqual([]);
  });

  it('resolves at flexibility only orders addressed to the retailer, with its own points', async () => {
    const answer = await askSubgraph(
      'flexibility',
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ContractedPowerOrder { id affected { meteringPoint { id } } } } }`,
      header('flexibility'),
      { representations: [orderNotForA.orderId, orderForA.orderId, MISSING_ORDER].map((id) => ({ __typename: 'ContractedPowerOrder', id })) },
    );
    expect(answer.status).toBe(200);
    const [theirs, mine, missing] = answer.data!._entities as (AnyData | null)[];
    expect(theirs).toBeNull();
    expect(missing).toBeNull();
    expect(mine!.affected.map((a: { meteringPoint: { id: string } }) => a.meteringPoint.id).sort()).toEqual(orderForA.points.filter((id) => currentRetailer.get(id) === A));
    expect(leaked(answer.text, [orderNotForA.orderId, ...foreignIds()])).toEqual([]);
  });
});

describe("subscriptions' after replay", () => {
  const ORDERS = `subscription($after: ID) { contractedPowerOrders(after: $after) {
    eventId kind order { id } affected { temporaryMaxPowerKw meteringPoint { id retailerId } }
  } }`;
  const HUB = `subscription($after: ID) { hubEvents(after: $after) {
    eventId type flexRequest { id }
    contractedPowerOrder { kind order { id } affected { meteringPoint { id retailerId } } }
  } }`;
  interface Received {
    orderId: string;
    kind: string;
    affected: string[];
  }
  type OrderFrame = { data: { contractedPowerOrders: { kind: string; order: { id: string }; affected: { meteringPoint: { id: string; retailerId: string } }[] } } };
  type HubFrame = { data: { hubEvents: { type: string; flexRequest: unknown; contractedPowerOrder: OrderFrame['data']['contractedPowerOrders'] | null } } };
  const subscribers: TestSubscriber<unknown>[] = [];
  afterAll(async () => {
    await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
  });

  /** Frames until the sentinel order's ISSUED event, within a deadline; the frames' text is kept for the leak check. */
  async function until<T>(subscriber: TestSubscriber<T>, read: (frame: T) => Received | null, sentinel: string, texts: string[]): Promise<Received[]> {
    const received: Received[] = [];
    // Frames are taken from the queue one by one: any after the sentinel stay there.
    const take = () => {
      while (subscriber.queued.length > 0) {
        const frame = subscriber.queued.shift()!;
        texts.push(JSON.stringify(frame));
        const event = read(frame);
        if (!event) continue;
        received.push(event);
        if (event.orderId === sentinel && event.kind === 'ISSUED') return received;
      }
      return null;
    };
    try {
      return await eventually(take, `the sentinel order ${sentinel}`, { timeoutMs: 15_000 });
    } catch (error) {
      throw new Error(`${(error as Error).message}; received so far: ${JSON.stringify(received)}`);
    }
  }

  const fromOrderEvent = (event: OrderFrame['data']['contractedPowerOrders']): Received => ({
    orderId: event.order.id,
    kind: event.kind,
    affected: event.affected.map((a) => a.meteringPoint.id).sort(),
  });

  it('replays to a retailer only the orders addressed to it, each with only its own points', async () => {
    const other = retailers().find((retailer) => retailer !== A && orderNotForA.points.some((id) => currentRetailer.get(id) === retailer))!;
    const onOrders = subscribeOverWs<OrderFrame>(t.hub.url, aKey, ORDERS, { after: '0' });
    const onHub = subscribeOverWs<HubFrame>(t.hub.url, aKey, HUB, { after: '0' });
    // A retailer the first order was addressed to, as the control: the events exist, A just does not get them.
    const control = subscribeOverWs<OrderFrame>(t.hub.url, retailerKeys.get(other)!, ORDERS, { after: '0' });
    subscribers.push(onOrders, onHub, control);
    await Promise.all([onOrders.connected, onHub.connected, control.connected]);
    // A market event of another type among the orders, published to A (it has customers at that substation): hubEvents carries it with no order in it.
    const substationOf = new Map(t.parish.feeders.map((feeder) => [feeder.id, feeder.secondarySubstationId]));
    const aSubstation = substationOf.get(t.parish.connections.find((connection) => currentRetailer.get(connection.meteringPointId) === A)!.feederId)!;
    const flex = await ask(dsoKey, `mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, { input: flexRequestInput(aSubstation, 25) });
    expect(flex.errors).toEqual([]);
    const flexRequestId: string = flex.data!.createFlexRequest.id;
    // Everything before it is replayed or delivered first: an order on every secondary substation addresses every retailer.
    const sentinel = await issueOrder({ secondarySubstationIds: t.parish.secondarySubstations.map((s) => s.id) });

    const texts: string[] = [];
    const viaOrders = await until(onOrders, (frame) => fromOrderEvent(frame.data.contractedPowerOrders), sentinel.orderId, texts);
    const otherEvents: HubFrame['data']['hubEvents'][] = [];
    const viaHub = await until(
      onHub,
      (frame) => {
        const event = frame.data.hubEvents;
        if (event.type !== 'CONTRACTED_POWER_ORDER') {
          otherEvents.push(event);
          return null;
        }
        return fromOrderEvent(event.contractedPowerOrder!);
      },
      sentinel.orderId,
      texts,
    );
    // The flexibility request, and no order inside it.
    expect(otherEvents).toEqual([{ eventId: expect.any(String), type: 'FLEX_REQUEST', flexRequest: { id: flexRequestId }, contractedPowerOrder: null }]);
    const viaControl = await until(control, (frame) => fromOrderEvent(frame.data.contractedPowerOrders), sentinel.orderId, []);

    const expected = expectedOrderEventsFor(A);
    expect(expected.map((event) => event.orderId)).not.toContain(orderNotForA.orderId);
    expect(viaOrders).toEqual(expected);
    expect(viaHub).toEqual(expected);
    expect(viaControl).toEqual(expectedOrderEventsFor(other));
    expect(viaControl.map((event) => event.orderId)).toContain(orderNotForA.orderId);
    const ownNow = new Set(own.map((point) => point.id));
    for (const event of [...viaOrders, ...viaHub]) expect(event.affected.filter((id) => !ownNow.has(id))).toEqual([]);
    const all = texts.join('\n');
    expect(leaked(all, [orderNotForA.orderId, ...foreignIds(), ...retailers().filter((r) => r !== A)])).toEqual([]);
  });
});

describe('a researcher or an aggregator without consent, then with it', () => {
  const ONE = `query($id: ID!) { meteringPoint(id: $id) { id } }`;
  let researcherKey: string;
  let aggregatorKey: string;

  beforeAll(async () => {
    researcherKey = await t.createKey('researcher', 'ist');
    aggregatorKey = await t.createKey('aggregator', 'agg-flexpt');
  });

  /** Every point of the parish asked for by id, 100 aliases a document: every one must be NOT_FOUND. */
  async function expectNoPointVisible(key: string, except: string | null = null) {
    const ids = t.parish.meteringPoints.map((point) => point.id).filter((id) => id !== except);
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const answer = await ask(key, `{ ${chunk.map((id, j) => `p${j}: meteringPoint(id: "${id}") { id contractedPowerKva }`).join(' ')} }`);
      expect(Object.values(answer.data ?? {}).filter((value) => value !== null)).toEqual([]);
      expect(codes(answer)).toEqual(chunk.map(() => 'NOT_FOUND'));
      expect(leaked(answer.text, chunk)).toEqual([]);
    }
    const list = await ask(key, '{ meteringPoints(first: 1000) { totalCount edges { node { id } } } }');
    const listed = list.data!.meteringPoints.edges.map((edge: { node: { id: string } }) => edge.node.id);
    expect(listed).toEqual(except ? [except] : []);
  }

  it('answers NOT_FOUND for every individual point, and refuses sets of points', async () => {
    for (const key of [researcherKey, aggregatorKey]) {
      await expectNoPointVisible(key);
      const demand = await ask(key, `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { demand(scope: { meteringPointIds: $ids }, from: $from, to: $to) { meteringPointCount } }`, { ids: [Q.id], ...DAY });
      expect(demand.data).toBeNull();
      expect(codes(demand)).toEqual(['FORBIDDEN']);
    }
  });

  it("reads a consented point's curve inside the consented period only, and nothing from the next request after revocation", async () => {
    const consentTo = Date.now() + 86_400_000;
    const granted = await ask(qKey, `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id state } }`, {
      input: { meteringPointId: Q.id, organisationId: 'ist', scopes: ['metering:read'], from: iso(CONSENT_FROM_MS), to: iso(consentTo) },
    });
    expect(granted.errors).toEqual([]);
    const consentId: string = granted.data!.grantConsent.id;

    const CURVE = `query($id: ID!, $from: DateTime!, $to: DateTime!) { meteringPoint(id: $id) {
      id retailerId contractedPowerKva tariff { id } hems { id }
      loadCurve(from: $from, to: $to) { intervalStart importWh }
      events(from: $from, to: $to) { edges { node { kind } } }
    } }`;
    const outsideMarkers = Array.from({ length: 24 }, (_, quarter) => Q_OUTSIDE_MARKER + quarter);
    const read = await ask(researcherKey, CURVE, { id: Q.id, ...DAY });
    expect(read.errors).toEqual([]);
    const point = read.data!.meteringPoint;
    // Who supplies the point, and its tariff (not consented to), are not the researcher's.
    expect(point).toMatchObject({ id: Q.id, retailerId: null, tariff: null, hems: null });
    expect(point.loadCurve).toHaveLength(72);
    expect(point.loadCurve.every((p: { intervalStart: string }) => Date.parse(p.intervalStart) >= CONSENT_FROM_MS)).toBe(true);
    expect(point.loadCurve.map((p: { importWh: number }) => p.importWh)).toEqual(Array.from({ length: 72 }, (_, i) => ordinaryWh(Q, i + 24)));
    expect(point.events.edges.map((edge: { node: { kind: string } }) => edge.node.kind)).toEqual(['POWER_RESTORED']);
    expect(numbersIn(read.text, outsideMarkers)).toEqual([]);
    expect(leaked(read.text, [Q.retailerId, 'VOLTAGE_SAG'])).toEqual([]);

    const before = await ask(researcherKey, CURVE, { id: Q.id, from: DAY.from, to: iso(CONSENT_FROM_MS) });
    expect(before.data!.meteringPoint.loadCurve).toEqual([]);
    const demand = await ask(researcherKey, `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { demand(scope: { meteringPointIds: $ids }, from: $from, to: $to, resolution: P1D) { points { importWh readingCount } } }`, { ids: [Q.id], ...DAY });
    expect(demand.errors).toEqual([]);
    expect(demand.data!.demand.points.reduce((sum: number, p: { readingCount: number }) => sum + p.readingCount, 0)).toBe(72);
    expect(numbersIn(demand.text, outsideMarkers)).toEqual([]);

    // The consent opens Q to the researcher only: every other point is still NOT_FOUND, and Q to the aggregator.
    await expectNoPointVisible(researcherKey, Q.id);
    await expectNoPointVisible(aggregatorKey);

    // Nobody but the customer, the researcher and the DSO sees the consent.
    const CONSENTS = `query($id: ID) { consents(meteringPointId: $id) { totalCount edges { node { id } } } }`;
    for (const key of [aKey, retailerKeys.get(Q.retailerId)!, aggregatorKey, pKey]) {
      const answer = await ask(key, CONSENTS, { id: Q.id });
      expect(answer.data).toEqual({ consents: { totalCount: 0, edges: [] } });
      expect(leaked(answer.text, [consentId])).toEqual([]);
    }
    expect((await ask(researcherKey, CONSENTS, { id: Q.id })).data!.consents.edges).toEqual([{ node: { id: consentId } }]);
    // Another customer cannot withdraw it, and learns nothing from trying.
    const foreignRevoke = await ask(pKey, `mutation($id: ID!) { revokeConsent(id: $id) { id } }`, { id: consentId });
    expect(foreignRevoke.data).toBeNull();
    expect(codes(foreignRevoke)).toEqual(['NOT_FOUND']);
    expect((await ask(researcherKey, ONE, { id: Q.id })).data).toEqual({ meteringPoint: { id: Q.id } });

    const revoked = await ask(qKey, `mutation($id: ID!) { revokeConsent(id: $id) { state } }`, { id: consentId });
    expect(revoked.data).toEqual({ revokeConsent: { state: 'REVOKED' } });
    const after = await ask(researcherKey, CURVE, { id: Q.id, ...DAY });
    expect(after.data).toEqual({ meteringPoint: null });
    expect(codes(after)).toEqual(['NOT_FOUND']);
    expect(leaked(after.text, [Q.id])).toEqual([]);
    const demandAfter = await ask(researcherKey, `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { demand(scope: { meteringPointIds: $ids }, from: $from, to: $to) { meteringPointCount } }`, { ids: [Q.id], ...DAY });
    expect(codes(demandAfter)).toEqual(['FORBIDDEN']);
    await expectNoPointVisible(researcherKey);
  });
});

describe("a customer's key", () => {
  it('sees exactly its own point, all of it', async () => {
    const answer = await ask(pKey, `query($from: DateTime!, $to: DateTime!) { meteringPoints(first: 1000) { totalCount edges { node {
      id retailerId contractedPowerKva tariff { id } hems { id } secondarySubstation { id } loadCurve(from: $from, to: $to) { importWh }
    } } } }`, DAY);
    expect(answer.errors).toEqual([]);
    expect(answer.data!.meteringPoints.totalCount).toBe(1);
    const [node] = answer.data!.meteringPoints.edges.map((edge: { node: AnyData }) => edge.node);
    expect(node).toMatchObject({ id: P.id, retailerId: P.retailerId, contractedPowerKva: P.contractedPowerKva, hems: { id: hemsOf(P.id)!.id }, tariff: { id: expect.any(String) }, secondarySubstation: { id: expect.any(String) } });
    expect(node.loadCurve).toHaveLength(96);
    expect(leaked(answer.text, t.parish.meteringPoints.filter((point) => point.id !== P.id).map((point) => point.id))).toEqual([]);
    // Its tariff history asked of the point alone: a list of a thousand would cost more than the operation budget.
    const history = await ask(pKey, `query($id: ID!) { meteringPoint(id: $id) { tariffHistory { scheme { id } validFrom validTo } } }`, { id: P.id });
    expect(history.errors).toEqual([]);
    expect(history.data!.meteringPoint.tariffHistory).toEqual(tariffHistoryOf(P.id));
  });

  it("answers NOT_FOUND for any other point, as for a missing one, even a neighbour's on the same feeder", async () => {
    const feeder = t.parish.connections.find((c) => c.meteringPointId === P.id)!.feederId;
    const neighbour = t.parish.connections.find((c) => c.feederId === feeder && c.meteringPointId !== P.id)!.meteringPointId;
    const POINT = `query($id: ID!) { meteringPoint(id: $id) { id hems { id } } }`;
    const missing = await ask(pKey, POINT, { id: MISSING_POINT });
    for (const id of [neighbour, Q.id, own[0]!.id, S.id]) {
      const answer = await ask(pKey, POINT, { id });
      expect(answer.data).toEqual({ meteringPoint: null });
      expect(answer.errors).toEqual(missing.errors);
      expect(leaked(answer.text, [id])).toEqual([]);
    }
    const grant = await ask(pKey, `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, {
      input: { meteringPointId: neighbour, organisationId: 'ist', scopes: ['metering:read'], from: DAY.from, to: iso(Date.now() + 86_400_000) },
    });
    expect(grant.data).toBeNull();
    expect(codes(grant)).toEqual(['NOT_FOUND']);
  });

  it('is refused demand, even over its own point: it has no metering:aggregate', async () => {
    for (const scope of [{ meteringPointIds: [P.id] }, { meteringPointIds: [P.id, Q.id] }, { network: true }]) {
      const answer = await ask(pKey, `query($scope: DemandScopeInput!, $from: DateTime!, $to: DateTime!) { demand(scope: $scope, from: $from, to: $to) { meteringPointCount points { importWh } } }`, { scope, ...DAY });
      expect(answer.data).toBeNull();
      expect(codes(answer)).toEqual(['FORBIDDEN']);
      expect(answer.errors[0]!.message).toMatch(/metering:aggregate/);
    }
  });
});

// Last in the file: it moves a point to another retailer in the database (the hub has no API for a
// switch), which no other test may see.
describe('a switch while a contracted-power order is in force', () => {
  it("keeps the current retailer's readings out of the former retailer's compliance report", async () => {
    // X switches to B during the order; Y, on the same feeder, stays A's and goes above its cap in
    // A's own period: the report must show Y (it reads A's readings) and not X.
    const used = new Set([...[...own.slice(0, 5), ownHems].map((point) => point.id), ...orderForA.points]);
    const feederOf = (id: string) => t.parish.connections.find((c) => c.meteringPointId === id)!.feederId;
    const candidates = own.filter((point) => !used.has(point.id));
    const X = candidates.find((point) => candidates.some((other) => other.id !== point.id && feederOf(other.id) === feederOf(point.id)))!;
    const Y = candidates.find((other) => other.id !== X.id && feederOf(other.id) === feederOf(X.id))!;
    expect([X, Y].every(Boolean)).toBe(true);
    const B = retailers().find((retailer) => retailer !== A)!;
    const feeder = feederOf(X.id);
    const startMs = Math.floor((Date.now() - 4 * HOUR_MS) / QUARTER_MS) * QUARTER_MS;
    const switchAtMs = startMs + HOUR_MS;
    const order = await issueOrder({ feederIds: [feeder] }, { startMs, endMs: startMs + 2 * HOUR_MS });
    const pool = t.database.handle.pool;
    await pool.query('UPDATE metering.supply_contracts SET valid_to = $1 WHERE metering_point_id = $2 AND valid_to IS NULL', [new Date(switchAtMs), X.id]);
    await pool.query('INSERT INTO metering.supply_contracts (metering_point_id, retailer_id, valid_from, valid_to) VALUES ($1, $2, $3, NULL)', [X.id, B, new Date(switchAtMs)]);
    await pool.query('UPDATE metering.metering_points SET retailer_id = $1 WHERE id = $2', [B, X.id]);
    // X: under the cap while A supplied the point, far above it once B did. Y: above it all along, in A's period.
    const afterSwitch = Array.from({ length: 4 }, (_, q) => Math.round(X.contractedPowerKva * 250) + 4_321 + q);
    const yWh = Array.from({ length: 8 }, (_, q) => Math.round(Y.contractedPowerKva * 250) + 1_234 + q);
    await ingestReadings('idor-switch-during-order', [
      ...Array.from({ length: 8 }, (_, q) => ({ meteringPointId: X.id, intervalStart: iso(startMs + q * QUARTER_MS), importWh: q < 4 ? 1 : afterSwitch[q - 4]!, exportWh: 0 })),
      ...yWh.map((importWh, q) => ({ meteringPointId: Y.id, intervalStart: iso(startMs + q * QUARTER_MS), importWh, exportWh: 0 })),
    ]);

    const answer = await ask(aKey, `query($id: ID!, $from: DateTime!, $to: DateTime!) { contractedPowerOrder(id: $id) {
      compliance { meteringPoint { id loadCurve(from: $from, to: $to) { importWh } } maxObservedKw intervalsAbove }
    } }`, { id: order.orderId, from: iso(startMs), to: iso(startMs + 2 * HOUR_MS) });
    expect(answer.errors).toEqual([]);
    type Breach = { meteringPoint: { id: string; loadCurve: { importWh: number }[] }; maxObservedKw: number; intervalsAbove: number };
    const breaches: Breach[] = answer.data!.contractedPowerOrder.compliance;
    // A's own readings of X (1 Wh a quarter-hour) never went above the cap: X is not A's breach.
    expect(breaches.filter((breach) => breach.meteringPoint.id === X.id)).toEqual([]);
    // Y is: every quarter-hour of the order, at the largest of its readings (Wh a quarter-hour × 4 = kW).
    const y = breaches.find((breach) => breach.meteringPoint.id === Y.id);
    expect(y).toMatchObject({ intervalsAbove: 8, meteringPoint: { id: Y.id, loadCurve: yWh.map((importWh) => ({ importWh })) } });
    expect(y!.maxObservedKw).toBeCloseTo((Math.max(...yWh) * 4) / 1_000, 3);
    expect(numbersIn(answer.text, afterSwitch)).toEqual([]);
    const b = await ask(dsoKey, `query($id: ID!) { contractedPowerOrder(id: $id) { compliance { meteringPoint { id } maxObservedKw } } }`, { id: order.orderId });
    expect(b.data!.contractedPowerOrder.compliance.map((breach: { meteringPoint: { id: string } }) => breach.meteringPoint.id)).toEqual(expect.arrayContaining([X.id, Y.id]));
  });
});

// ---------------------------------------------------------------------------------------------
// The flexibility market: a request reaches the parties behind its congestion point, an offer and
// an order their offerer (and the DSO), what sums competitors' offers and reports the DSO alone.

describe("the flexibility market's requests, offers and orders", () => {
  // Last: the market fixture takes the seed's HEMS offline, so that only its own households offer.
  let m: MarketFixture;
  /** A stakeholder that reads the market (flex:read) and trades on it not. */
  let regulatorKey: string;
  let requestId: string;
  /** The retailer's offer, ordered, and the rival's, open. */
  let offerId: string;
  let rivalOfferId: string;
  let orderId: string;
  let offerEventId: string;
  let orderEventId: string;
  /** The retailer's HEMS behind the feeder, each commanded for the order, and their points: what the order's activations and settlement name. */
  let retailerHems: string[];
  let retailerHemsPoints: string[];

  const ORDER = `mutation($input: OrderFlexInput!) { orderFlex(input: $input) { id } }`;
  const ispsOf = (kw: number) => [ISP_1(), ISP_2()].map((startMs) => ({ start: iso(startMs), kw }));
  const offer = async (party: Party, flexRequestId: string, kw: number, idempotencyKey: string): Promise<string> => {
    const answer = await ask(party.key, `mutation($input: SubmitFlexOfferInput!) { submitFlexOffer(input: $input) { id } }`, {
      input: { flexRequestId, isps: ispsOf(kw), priceEurPerKwh: 0.2, expiresAt: iso(Date.now() + HOUR_MS / 2), idempotencyKey },
    });
    expect(answer.errors).toEqual([]);
    return answer.data!.submitFlexOffer.id;
  };
  const newestEvent = async (type: 'FLEX_OFFER' | 'FLEX_ORDER', field: 'flexOfferId' | 'flexOrderId', id: string) =>
    String((await m.sql(`SELECT max(id)::text AS id FROM hub.outbox WHERE type = $1 AND payload->>$2 = $3`, [type, field, id])).rows[0]!.id);
  /** What nobody but the retailer (and the DSO) may read: its offer, its order, itself, its households. */
  const retailerSecrets = () => [offerId, orderId, m.retailer.id, ...retailerHems, ...retailerHemsPoints];

  beforeAll(async () => {
    m = await marketFixture(t);
    regulatorKey = await t.createKey('regulator', 'erse');
    requestId = await m.createRequest([
      { startMs: ISP_1(), minKw: 5, maxKw: 20 },
      { startMs: ISP_2(), minKw: 5, maxKw: 20 },
    ]);
    offerId = await offer(m.retailer, requestId, 4, 'idor-retailer');
    offerEventId = await newestEvent('FLEX_OFFER', 'flexOfferId', offerId);
    rivalOfferId = await offer(m.rival, requestId, 2, 'idor-rival');
    const ordered = await ask(m.dsoKey, ORDER, { input: { offerId } });
    expect(ordered.errors).toEqual([]);
    orderId = ordered.data!.orderFlex.id;
    orderEventId = await newestEvent('FLEX_ORDER', 'flexOrderId', orderId);
    const { rows } = await m.sql(
      `SELECT h.id, h.metering_point_id FROM hems.systems h JOIN hub.consents c ON c.metering_point_id = h.metering_point_id
       WHERE h.id LIKE 'FM-%' AND c.id LIKE 'test-market-%' AND c.organisation_id = $1 ORDER BY 1`,
      [m.retailer.id],
    );
    retailerHems = rows.map((row) => String(row.id));
    retailerHemsPoints = rows.map((row) => String(row.metering_point_id));
    expect(retailerHems).toHaveLength(2);
    for (const hemsId of retailerHems) {
      const command = await ask(m.retailer.key, `mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { id } }`, {
        input: { hemsId, deviceId: `${hemsId}-D1`, kind: 'SHIFT', start: iso(ISP_1()), end: iso(ISP_2() + QUARTER_MS), reason: 'FLEX_ORDER', orderId },
      });
      expect(command.errors).toEqual([]);
    }
    // Reported and settled as reportActivation and settleFlexOrders leave it once its period (tomorrow) is over:
    // 1.5 kW shifted by the first HEMS in the first ISP, and a settlement naming the HEMS' points.
    await m.sql(`INSERT INTO flexibility.flex_activations (order_id, hems_id, start, kw) VALUES ($1, $2, $3, 1.5)`, [orderId, retailerHems[0], new Date(ISP_1())]);
    await m.sql(`UPDATE flexibility.flex_orders SET status = 'SETTLED', activated_at = now(), settled_at = now() WHERE id = $1`, [orderId]);
    await m.sql(`INSERT INTO flexibility.flex_settlements (order_id, baseline_days, metering_point_ids, amount_micro_eur) VALUES ($1, ARRAY['2026-11-20']::date[], $2, 600000)`, [orderId, retailerHemsPoints]);
  }, 60_000);

  const flexibilityHeader = (role: 'retailer' | 'regulator', organisationId: string) => ({
    [IDENTITY_HEADER]: signIdentity(t.identitySecret, { identity: { keyId: `idor-flex-${organisationId}`, organisationId, role, scopes: [...ROLE_SCOPES[role]] }, requestId: `idor-flex-${organisationId}` }, 'flexibility', 30_000),
  });
  const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on FlexRequest { id congestionPointId offers { id organisationId } }
    ... on FlexOrder { id organisationId activations { hemsId kw } settlement { meteringPointIds } }
  } }`;

  it('resolves at flexibility a request only for the parties it was published to, with their own offers, and an order only for its offerer', async () => {
    const representations = [
      { __typename: 'FlexRequest', id: requestId },
      { __typename: 'FlexOrder', id: orderId },
    ];
    const at = (role: 'retailer' | 'regulator', organisationId: string) => askSubgraph('flexibility', ENTITIES, flexibilityHeader(role, organisationId), { representations });
    // The control: the offerer resolves both, with its HEMS and their points.
    const mine = await at('retailer', m.retailer.id);
    expect(mine.data!._entities).toEqual([
      { id: requestId, congestionPointId: m.feederId, offers: [{ id: offerId, organisationId: m.retailer.id }] },
      { id: orderId, organisationId: m.retailer.id, activations: [{ hemsId: retailerHems[0], kw: 1.5 }], settlement: { meteringPointIds: retailerHemsPoints } },
    ]);
    // The rival, to which the request was published too: the request with its own offer alone, not the order.
    const rival = await at('retailer', m.rival.id);
    expect(rival.data!._entities).toEqual([{ id: requestId, congestionPointId: m.feederId, offers: [{ id: rivalOfferId, organisationId: m.rival.id }] }, null]);
    expect(leaked(rival.text, retailerSecrets())).toEqual([]);
    // A retailer with no customer behind the feeder, and a stakeholder: neither.
    for (const [role, organisationId] of [
      ['retailer', m.outsider.id],
      ['regulator', 'erse'],
    ] as const) {
      const answer = await at(role, organisationId);
      expect(answer.status).toBe(200);
      expect(answer.data!._entities).toEqual([null, null]);
      expect(codes(answer).filter((code) => code !== 'NOT_FOUND')).toEqual([]);
      expect(leaked(answer.text, [requestId, m.feederId, rivalOfferId, m.rival.id, ...retailerSecrets()])).toEqual([]);
    }
  });

  it("never shows a competitor's offer or order on a request, nor the order's activations, settlement points or HEMS commands", async () => {
    const REQUEST = `query($id: ID!) { flexRequest(id: $id) { id offers { id organisationId } orders { id activations { hemsId } settlement { meteringPointIds } hemsCommands { id } } } }`;
    const own = await ask(m.retailer.key, REQUEST, { id: requestId });
    expect(own.data!.flexRequest.offers).toEqual([{ id: offerId, organisationId: m.retailer.id }]);
    expect(own.data!.flexRequest.orders).toEqual([{ id: orderId, activations: [{ hemsId: retailerHems[0] }], settlement: { meteringPointIds: retailerHemsPoints }, hemsCommands: [expect.anything(), expect.anything()] }]);
    const rival = await ask(m.rival.key, REQUEST, { id: requestId });
    expect(rival.errors).toEqual([]);
    expect(rival.data!.flexRequest).toEqual({ id: requestId, offers: [{ id: rivalOfferId, organisationId: m.rival.id }], orders: [] });
    expect(leaked(rival.text, retailerSecrets())).toEqual([]);

    const ORDER_READ = `query($id: ID!) { flexOrder(id: $id) { id activations { hemsId kw } settlement { meteringPointIds baselineDays } hemsCommands { id } } flexOrders { totalCount edges { node { id } } } }`;
    expect((await ask(m.retailer.key, ORDER_READ, { id: orderId })).data!.flexOrder).toMatchObject({ id: orderId, settlement: { meteringPointIds: retailerHemsPoints } });
    for (const [who, key] of [
      ['rival', m.rival.key],
      ['outsider', m.outsider.key],
      ['regulator', regulatorKey],
    ] as const) {
      const answer = await ask(key, ORDER_READ, { id: orderId });
      expect({ who, codes: codes(answer), order: answer.data?.flexOrder, orders: answer.data?.flexOrders }).toEqual({ who, codes: ['NOT_FOUND'], order: null, orders: { totalCount: 0, edges: [] } });
      expect({ who, leaked: leaked(answer.text, retailerSecrets()) }).toEqual({ who, leaked: [] });
    }
  });

  it("gives the request's sufficiency and activation feedback to the DSO alone, FORBIDDEN to the offerers it was published to", async () => {
    const FEEDBACK = `query($id: ID!) { flexRequest(id: $id) { id sufficiency { offeredKw shortfallKw } activation { reportedKw hemsCount } } }`;
    const dso = await ask(m.dsoKey, FEEDBACK, { id: requestId });
    // 4 kW ordered and 2 kW open of the retailer's and the rival's, against 5 kW; 1.5 kW reported on one HEMS at the first ISP.
    expect(dso.data!.flexRequest).toEqual({
      id: requestId,
      sufficiency: [
        { offeredKw: 6, shortfallKw: 0 },
        { offeredKw: 6, shortfallKw: 0 },
      ],
      activation: [
        { reportedKw: 1.5, hemsCount: 1 },
        { reportedKw: 0, hemsCount: 0 },
      ],
    });
    for (const party of [m.retailer, m.rival]) {
      for (const field of ['sufficiency { offeredKw shortfallKw }', 'activation { reportedKw hemsCount }']) {
        const answer = await ask(party.key, `query($id: ID!) { flexRequest(id: $id) { id ${field} } }`, { id: requestId });
        const name = field.split(' ')[0]!;
        expect({ party: party.id, name, errors: answer.errors.map((error) => [error.extensions?.code, error.path]) }).toEqual({ party: party.id, name, errors: [['FORBIDDEN', ['flexRequest', name]]] });
        expect(numbersIn(answer.text, [6, 1.5])).toEqual([]);
      }
    }
  });

  it("answers NOT_FOUND for another retailer's FLEX_OFFER and FLEX_ORDER events, as for a missing event", async () => {
    const HUB_EVENT = `query($id: ID!) { hubEvent(eventId: $id) { eventId type flexOffer { id } flexOrder { id settlement { meteringPointIds } } } }`;
    const ORDER_EVENT = `query($id: ID!) { flexOrderEvent(eventId: $id) { eventId kind flexOrder { id } } }`;
    // The control: the offerer receives both.
    expect((await ask(m.retailer.key, HUB_EVENT, { id: offerEventId })).data!.hubEvent).toMatchObject({ type: 'FLEX_OFFER', flexOffer: { id: offerId } });
    expect((await ask(m.retailer.key, ORDER_EVENT, { id: orderEventId })).data!.flexOrderEvent).toMatchObject({ kind: 'ORDERED', flexOrder: { id: orderId } });
    const missing = await ask(m.rival.key, HUB_EVENT, { id: '999999999' });
    for (const key of [m.rival.key, m.outsider.key]) {
      for (const [query, id] of [
        [HUB_EVENT, offerEventId],
        [HUB_EVENT, orderEventId],
        [ORDER_EVENT, orderEventId],
      ] as const) {
        const answer = await ask(key, query, { id });
        expect(answer.errors.map((error) => [error.extensions?.code, error.message])).toEqual(missing.errors.map((error) => [error.extensions?.code, error.message]));
        expect(leaked(answer.text, retailerSecrets())).toEqual([]);
      }
    }
  });

  it('replays to a retailer with no offer on the request none of its orders, up to an order of its own', async () => {
    // The outsider's own household, on a feeder of its own, so that an order of its own ends what it receives.
    const point = pointsSuppliedNowBy(t.parish, m.outsider.id).find((candidate) => candidate.usage === 'RESIDENTIAL' && !hemsOf(candidate.id))!;
    const feederId = t.parish.connections.find((connection) => connection.meteringPointId === point.id)!.feederId;
    await m.sql(`INSERT INTO hems.systems (id, metering_point_id, vendor, installed_at, online, last_seen_at) VALUES ('IDOR-OUT', $1, 'Test', now() - interval '1 year', true, now())`, [point.id]);
    await m.sql(`INSERT INTO hems.devices (id, hems_id, kind, rated_power_kw, controllable, state, power_kw, state_at) VALUES ('IDOR-OUT-D1', 'IDOR-OUT', 'EV_CHARGER', 7.4, true, 'ON', 0, now())`);
    await m.sql(
      `INSERT INTO hems.flexible_loads (id, hems_id, device_id, earliest_start_minute, latest_end_minute, max_shift_minutes, min_run_minutes, priority, opted_out)
       VALUES ('FL-IDOR-OUT', 'IDOR-OUT', 'IDOR-OUT-D1', 1080, 420, 240, 60, 1, false)`,
    );
    await m.sql(
      `INSERT INTO hub.consents (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
       VALUES ('idor-out', $1, $2, ARRAY['hems:read']::hub.consent_scope[], now() - interval '1 day', now() + interval '30 days', 'test')`,
      [point.id, m.outsider.id],
    );
    const request = await ask(m.dsoKey, `mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      input: { congestionPointId: feederId, isps: [ISP_1(), ISP_2()].map((startMs) => ({ start: iso(startMs), minKw: 1, maxKw: 5 })), expiresAt: iso(Date.now() + HOUR_MS) },
    });
    expect(request.errors).toEqual([]);
    const sentinelOffer = await offer(m.outsider, request.data!.createFlexRequest.id, 1, 'idor-outsider');
    const sentinel = await ask(m.dsoKey, ORDER, { input: { offerId: sentinelOffer } });
    expect(sentinel.errors).toEqual([]);
    const sentinelId: string = sentinel.data!.orderFlex.id;

    type Frame = { data: { flexOrders: { kind: string; flexOrder: { id: string; organisationId: string } | null } } };
    const ORDERS = `subscription($after: ID) { flexOrders(after: $after) { eventId kind flexOrder { id organisationId } } }`;
    const outsider = subscribeOverWs<Frame>(t.hub.url, m.outsider.key, ORDERS, { after: '0' });
    const control = subscribeOverWs<Frame>(t.hub.url, m.retailer.key, ORDERS, { after: '0' });
    try {
      const texts: string[] = [];
      const until = (subscriber: TestSubscriber<Frame>, last: (event: Frame['data']['flexOrders']) => boolean) => {
        const received: Frame['data']['flexOrders'][] = [];
        return eventually(
          () => {
            while (subscriber.queued.length > 0) {
              const frame = subscriber.queued.shift()!;
              texts.push(JSON.stringify(frame));
              received.push(frame.data.flexOrders);
              if (last(frame.data.flexOrders)) return received;
            }
            return null;
          },
          'the last order event',
          { timeoutMs: 15_000 },
        );
      };
      // The control: the retailer receives its order placed, so the event is there to leak.
      const retailerEvents = await until(control, (event) => event.flexOrder?.id === orderId);
      expect(retailerEvents.at(-1)).toEqual({ eventId: orderEventId, kind: 'ORDERED', flexOrder: { id: orderId, organisationId: m.retailer.id } });
      texts.length = 0;
      // Everything before its own order is replayed first: of the retailer's, nothing.
      const received = await until(outsider, (event) => event.flexOrder?.id === sentinelId);
      expect(received.map((event) => [event.kind, event.flexOrder])).toEqual([['ORDERED', { id: sentinelId, organisationId: m.outsider.id }]]);
      expect(leaked(texts.join('\n'), retailerSecrets())).toEqual([]);
    } finally {
      await Promise.all([outsider.dispose(), control.dispose()]);
    }
  });
});

import { flexRequestInput } from '../../../tools/testing/flex-request-input';
import { pointsSuppliedNowBy, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs, type TestSubscriber } from '../../../tools/testing/ws-subscriber';
import { lisbonLocalDay } from '../../kit/calendar';
import { latestOutboxId } from '../../kit/outbox-tail';
import { localDayText } from '../../kit/local-day';

/**
 * announceCriticalPeakEvent through the gateway: who may announce, what is refused (and leaves
 * nothing behind), and the CRITICAL_PEAK_EVENT hub event, pushed over graphql-ws to the DSO and
 * the retailers with points on the scheme, and to no other party. The notice hour is midnight
 * here, so that tomorrow is always too late and the day after always in time, whatever the hour
 * the test runs at.
 */

let t: TestHub;
let dsoKey: string;
const retailerKeys = new Map<string, string>();

/** The schemes of the test: two critical-peak schemes with points on them, one without, a draft. */
const CPP = 'T-CPP';
const CPP_OTHER = 'T-CPP-OTHER';
const CPP_EMPTY = 'T-CPP-EMPTY';
const CPP_DRAFT = 'T-CPP-DRAFT';
const [RETAILER_A, RETAILER_B, RETAILER_C] = ['ret-edpc', 'ret-endesa', 'ret-luzboa'];

/** On CPP: a point of A and one of B; of A's second point, from the day after the event only. On CPP_OTHER: a point of C. */
let points: { a: string; b: string; aLater: string; c: string };

const ANNOUNCE = `mutation($input: AnnounceCriticalPeakEventInput!) { announceCriticalPeakEvent(input: $input) { id schemeId day start end announcedAt scheme { id kind } } }`;

interface Announced {
  announceCriticalPeakEvent: { id: string; schemeId: string; day: string; start: string; end: string; announcedAt: string; scheme: { id: string; kind: string } };
}

const EVENTS = `subscription($after: ID) {
  hubEvents(types: [CRITICAL_PEAK_EVENT], after: $after) {
    eventId type
    criticalPeakEvent { eventId kind start end criticalPeakEvent { id schemeId day start end scheme { id kind } } }
  }
}`;

interface Frame {
  data: {
    hubEvents: {
      eventId: string;
      type: string;
      criticalPeakEvent: { eventId: string; kind: string; start: string; end: string; criticalPeakEvent: { id: string; schemeId: string; day: string; start: string; end: string; scheme: { id: string; kind: string } } | null };
    };
  };
}

/** Every type the key may receive (no types argument). */
const ALL_EVENTS = `subscription($after: ID) { hubEvents(after: $after) { eventId type criticalPeakEvent { criticalPeakEvent { id } } } }`;

interface AnyFrame {
  data: { hubEvents: { eventId: string; type: string; criticalPeakEvent: { criticalPeakEvent: { id: string } | null } | null } };
}

const today = () => lisbonLocalDay(Date.now());
/** The local day `n` days from today, YYYY-MM-DD. */
const dayIn = (n: number) => localDayText(today() + n);
/** Local wall-clock time of `day` as the database reads it, ISO: an independent Lisbon conversion. */
async function lisbon(day: string, time: string): Promise<string> {
  const { rows } = await t.database.handle.pool.query<{ at: Date }>(`SELECT ($1::date + $2::time) AT TIME ZONE 'Europe/Lisbon' AS at`, [day, time]);
  return rows[0]!.at.toISOString();
}

async function insertScheme(id: string, status: 'PUBLISHED' | 'DRAFT', kind = 'CRITICAL_PEAK'): Promise<void> {
  await t.database.handle.pool.query(
    `INSERT INTO tariffs.schemes (id, family, version, name, kind, cycle, status, power_price_nano_eur_per_kva_day, valid_from, published_at)
     VALUES ($1, $1, 1, $1, $2::tariffs.tariff_kind, 'DAILY', $3::tariffs.scheme_status, 50000000, '2020-01-01', CASE WHEN $3::tariffs.scheme_status = 'PUBLISHED' THEN now() END)`,
    [id, kind, status],
  );
  await t.database.handle.pool.query(
    `INSERT INTO tariffs.scheme_prices (scheme_id, period, energy_price_nano_eur_per_kwh) VALUES ($1, 'ponta', 250000000), ($1, 'cheias', 160000000), ($1, 'vazio', 100000000), ($1, 'critical_peak', 900000000)`,
    [id],
  );
}

/** Puts the point on the scheme from `fromIso` on, closing its assignment then. */
async function assign(pointId: string, schemeId: string, fromIso: string): Promise<void> {
  const db = t.database.handle.pool;
  await db.query(`UPDATE tariffs.assignments SET valid_to = $2 WHERE metering_point_id = $1 AND valid_to IS NULL`, [pointId, fromIso]);
  await db.query(`INSERT INTO tariffs.assignments (metering_point_id, scheme_id, valid_from) VALUES ($1, $2, $3)`, [pointId, schemeId, fromIso]);
}

beforeAll(async () => {
  t = await startTestHub({ customers: 100, settings: { criticalPeakNoticeHour: 0 } });
  dsoKey = await t.createKey('dso', 'dso');
  for (const retailer of [RETAILER_A, RETAILER_B, RETAILER_C]) retailerKeys.set(retailer, await t.createKey('retailer', retailer));
  const [a, aLater] = pointsSuppliedNowBy(t.parish, RETAILER_A);
  points = { a: a!.id, aLater: aLater!.id, b: pointsSuppliedNowBy(t.parish, RETAILER_B)[0]!.id, c: pointsSuppliedNowBy(t.parish, RETAILER_C)[0]!.id };
  for (const id of [CPP, CPP_OTHER, CPP_EMPTY]) await insertScheme(id, 'PUBLISHED');
  await insertScheme(CPP_DRAFT, 'DRAFT');
  const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
  await assign(points.a, CPP, anHourAgo);
  await assign(points.b, CPP, anHourAgo);
  await assign(points.c, CPP_OTHER, anHourAgo);
  await assign(points.aLater, CPP, await lisbon(dayIn(3), '00:00'));
});
afterAll(() => t.stop());

const subscribers: Pick<TestSubscriber<unknown>, 'dispose'>[] = [];
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
});
const subscribe = (key: string, after: string) => {
  const subscriber = subscribeOverWs<Frame>(t.hub.url, key, EVENTS, { after });
  subscribers.push(subscriber);
  return subscriber;
};

const announce = (input: Record<string, unknown>, key = dsoKey) => t.graphql<Announced>(ANNOUNCE, { key, variables: { input } });

async function announced(input: Record<string, unknown>): Promise<Announced['announceCriticalPeakEvent']> {
  const { body } = await announce(input);
  expect(body.errors).toBeUndefined();
  return body.data!.announceCriticalPeakEvent;
}

/** What an announcement may leave behind: events, hub events, audit lines. */
async function footprint() {
  const { rows } = await t.database.handle.pool.query(
    `SELECT (SELECT count(*)::int FROM tariffs.critical_peak_events) AS events, (SELECT count(*)::int FROM hub.outbox) AS outbox,
            (SELECT count(*)::int FROM hub.audit_log WHERE operation = 'announceCriticalPeakEvent') AS audit`,
  );
  return rows[0] as { events: number; outbox: number; audit: number };
}

describe('announcing a critical-peak event', () => {
  it('stores it as asked, in Lisbon time, and pushes it live to the DSO and to the retailers with points on the scheme that day, to no other retailer', async () => {
    const since = String(await latestOutboxId(t.database.handle.pool));
    const [a, b, c, dso] = [subscribe(retailerKeys.get(RETAILER_A)!, since), subscribe(retailerKeys.get(RETAILER_B)!, since), subscribe(retailerKeys.get(RETAILER_C)!, since), subscribe(dsoKey, since)];
    await Promise.all([a, b, c, dso].map((subscriber) => subscriber.connected));

    const day = dayIn(2);
    const event = await announced({ schemeId: CPP, day, start: '18:00', end: '21:00' });
    expect(event).toEqual({ id: expect.stringMatching(/^cpe-/), schemeId: CPP, day, start: await lisbon(day, '18:00'), end: await lisbon(day, '21:00'), announcedAt: expect.any(String), scheme: { id: CPP, kind: 'CRITICAL_PEAK' } });
    // Then one on a scheme nobody is on (the DSO's alone), and last one where only C has a point: the first event C receives must be that one.
    const empty = await announced({ schemeId: CPP_EMPTY, day, start: '18:00', end: '21:00' });
    const forC = await announced({ schemeId: CPP_OTHER, day, start: '19:00', end: '20:00' });

    const expected = { kind: 'ANNOUNCED', start: event.start, end: event.end, criticalPeakEvent: { id: event.id, schemeId: CPP, day, start: event.start, end: event.end, scheme: { id: CPP, kind: 'CRITICAL_PEAK' } } };
    const [atA, atB] = [(await a.next()).data.hubEvents, (await b.next()).data.hubEvents];
    expect(atA).toMatchObject({ type: 'CRITICAL_PEAK_EVENT', criticalPeakEvent: expected });
    expect(atA.criticalPeakEvent.eventId).toBe(atA.eventId);
    expect(atB).toEqual(atA);
    const atDso = [(await dso.next()).data.hubEvents, (await dso.next()).data.hubEvents, (await dso.next()).data.hubEvents];
    expect(atDso.map((frame) => frame.criticalPeakEvent.criticalPeakEvent!.id)).toEqual([event.id, empty.id, forC.id]);
    expect((await c.next()).data.hubEvents.criticalPeakEvent.criticalPeakEvent!.id).toBe(forC.id);
    expect([a, b, c, dso].flatMap((subscriber) => subscriber.errors)).toEqual([]);

    // Resuming after the event before them replays the same, in order.
    const replay = subscribe(retailerKeys.get(RETAILER_A)!, since);
    expect((await replay.next()).data.hubEvents.eventId).toBe(atA.eventId);
  });

  it("addresses the retailers and the customers of the points on the scheme during the event, not a point that joins it later, and nobody for a scheme without points", async () => {
    const day = dayIn(2);
    const event = await announced({ schemeId: CPP, day, start: '08:00', end: '09:00' });
    const empty = await announced({ schemeId: CPP_EMPTY, day, start: '08:00', end: '09:00' });
    const audience = async (id: string) =>
      (await t.database.handle.pool.query<{ audience: string[] }>(`SELECT audience FROM hub.outbox WHERE type = 'CRITICAL_PEAK_EVENT' AND payload->>'criticalPeakEventId' = $1`, [id])).rows.map((row) => row.audience);
    // A customer's organisation is its metering point (its key's --org).
    expect(await audience(event.id)).toEqual([[...[RETAILER_A, RETAILER_B].sort(), ...[points.a, points.b].sort()]]);
    expect(await audience(empty.id)).toEqual([[]]);
  });

  it("pushes it live to the customers of the points on the scheme during the event and to no other customer, and never a broadcast event to a customer", async () => {
    const since = String(await latestOutboxId(t.database.handle.pool));
    const [onKey, otherKey, laterKey] = [await t.createKey('customer', points.a), await t.createKey('customer', points.c), await t.createKey('customer', points.aLater)];
    const [on, other, later] = [subscribe(onKey, since), subscribe(otherKey, since), subscribe(laterKey, since)];
    // Without types: every event the key may receive. The DSO's shows the broadcasts were pushed in between.
    const subscribeAll = (key: string) => {
      const subscriber = subscribeOverWs<AnyFrame>(t.hub.url, key, ALL_EVENTS, { after: since });
      subscribers.push(subscriber);
      return subscriber;
    };
    const [onAll, dsoAll] = [subscribeAll(onKey), subscribeAll(dsoKey)];
    await Promise.all([on, other, later, onAll, dsoAll].map((subscriber) => subscriber.connected));

    // Market events in point a's own area: a FLEX_REQUEST and a GRID_CONSTRAINT (to the retailers there, never to a customer).
    const feederId = t.parish.connections.find((connection) => connection.meteringPointId === points.a)!.feederId;
    const secondarySubstationId = t.parish.feeders.find((feeder) => feeder.id === feederId)!.secondarySubstationId;
    const windowStart = Math.ceil((Date.now() + 3_600_000) / 900_000) * 900_000;
    const flex = await t.graphql(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      key: dsoKey,
      variables: { input: flexRequestInput(secondarySubstationId, 10) },
    });
    expect(flex.body.errors).toBeUndefined();
    const constraint = await t.graphql(`mutation($input: DeclareGridConstraintInput!) { declareGridConstraint(input: $input) { id } }`, {
      key: dsoKey,
      variables: { input: { kind: 'PLANNED_MAINTENANCE', secondarySubstationId, start: new Date(windowStart + 86_400_000).toISOString(), end: new Date(windowStart + 90_000_000).toISOString(), description: 'customer push' } },
    });
    expect(constraint.body.errors).toBeUndefined();
    // Then: a's and b's event (not aLater's: it joins CPP the day after), c's alone, and one for a, b and aLater.
    const event = await announced({ schemeId: CPP, day: dayIn(2), start: '12:00', end: '13:00' });
    const forC = await announced({ schemeId: CPP_OTHER, day: dayIn(2), start: '12:00', end: '13:00' });
    const forLater = await announced({ schemeId: CPP, day: dayIn(3), start: '12:00', end: '13:00' });

    const idOf = (frame: Frame) => frame.data.hubEvents.criticalPeakEvent.criticalPeakEvent!.id;
    expect([idOf(await on.next()), idOf(await on.next())]).toEqual([event.id, forLater.id]);
    expect(idOf(await other.next())).toBe(forC.id);
    expect(idOf(await later.next())).toBe(forLater.id);
    const atDso = [];
    for (let i = 0; i < 5; i++) atDso.push((await dsoAll.next()).data.hubEvents);
    expect(atDso.map((frame) => frame.type)).toEqual(['FLEX_REQUEST', 'GRID_CONSTRAINT', 'CRITICAL_PEAK_EVENT', 'CRITICAL_PEAK_EVENT', 'CRITICAL_PEAK_EVENT']);
    // The customer's untyped subscription starts at its own event: neither broadcast before it reached it.
    const atCustomer = [(await onAll.next()).data.hubEvents, (await onAll.next()).data.hubEvents];
    expect(atCustomer.map((frame) => [frame.type, frame.criticalPeakEvent?.criticalPeakEvent?.id])).toEqual([
      ['CRITICAL_PEAK_EVENT', event.id],
      ['CRITICAL_PEAK_EVENT', forLater.id],
    ]);
    expect(atCustomer.map((frame) => frame.eventId)).toEqual([atDso[2]!.eventId, atDso[4]!.eventId]);
    expect([on, other, later, onAll, dsoAll].flatMap((subscriber) => subscriber.errors)).toEqual([]);

    // By id too: its own event, nobody else's, no broadcast.
    const read = (key: string, eventId: string) => t.graphql<{ hubEvent: { type: string } }>(`query($id: ID!) { hubEvent(eventId: $id) { type } }`, { key, variables: { id: eventId } });
    expect((await read(onKey, atDso[2]!.eventId)).body).toEqual({ data: { hubEvent: { type: 'CRITICAL_PEAK_EVENT' } } });
    for (const [key, eventId] of [[otherKey, atDso[2]!.eventId], [onKey, atDso[0]!.eventId], [onKey, atDso[1]!.eventId], [onKey, atDso[3]!.eventId]] as const) {
      expect((await read(key, eventId)).body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    }
  });

  it('lets a retailer on the scheme read the hub event, and answers NOT_FOUND to one that is not', async () => {
    const since = await latestOutboxId(t.database.handle.pool);
    await announced({ schemeId: CPP, day: dayIn(3), start: '18:00', end: '19:00' });
    const eventId = String(await latestOutboxId(t.database.handle.pool));
    expect(Number(eventId)).toBeGreaterThan(since);
    const read = (retailer: string) => t.graphql<{ hubEvent: { criticalPeakEvent: { kind: string } } }>(`query($id: ID!) { hubEvent(eventId: $id) { criticalPeakEvent { kind } } }`, { key: retailerKeys.get(retailer)!, variables: { id: eventId } });
    expect((await read(RETAILER_B)).body).toEqual({ data: { hubEvent: { criticalPeakEvent: { kind: 'ANNOUNCED' } } } });
    expect((await read(RETAILER_C)).body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it.each([
    ['too short notice: tomorrow, after the cut-off at midnight today', () => ({ schemeId: CPP, day: dayIn(1), start: '18:00', end: '21:00' }), 'day', /too short notice: an event on .* must be announced by/],
    ['a day in the past', () => ({ schemeId: CPP, day: dayIn(-1), start: '18:00', end: '21:00' }), 'day', /is in the past/],
    ['times off the quarter-hour', () => ({ schemeId: CPP, day: dayIn(5), start: '18:05', end: '21:00' }), 'start', /not on the quarter-hour/],
    ['a reversed window', () => ({ schemeId: CPP, day: dayIn(5), start: '21:00', end: '18:00' }), 'end', /must be after start/],
    ['more than 12 hours', () => ({ schemeId: CPP, day: dayIn(5), start: '06:00', end: '19:00' }), 'end', /at most 12 h/],
    ['a scheme that is not critical-peak', () => ({ schemeId: 'TP-BI-DIARIO', day: dayIn(5), start: '18:00', end: '21:00' }), 'schemeId', /is TIME_OF_USE/],
    ['a draft scheme', () => ({ schemeId: CPP_DRAFT, day: dayIn(5), start: '18:00', end: '21:00' }), 'schemeId', /is a draft/],
    ['a malformed day', () => ({ schemeId: CPP, day: '2026-13-01', start: '18:00', end: '21:00' }), 'day', /not a calendar date/],
  ])('refuses %s with BAD_USER_INPUT saying so, and writes and pushes nothing', async (_name, input, field, message) => {
    const before = await footprint();
    const { body } = await announce(input());
    expect(body.data?.announceCriticalPeakEvent ?? null).toBeNull();
    expect(body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) })]);
    expect(await footprint()).toEqual(before);
  });

  it('refuses an event overlapping another of the scheme, and takes one touching it or on another scheme', async () => {
    const day = dayIn(6);
    const first = await announced({ schemeId: CPP, day, start: '18:00', end: '21:00' });
    const before = await footprint();
    const { body } = await announce({ schemeId: CPP, day, start: '20:45', end: '22:00' });
    expect(body.errors).toEqual([
      expect.objectContaining({ message: `the scheme already has a critical-peak event from ${first.start} to ${first.end} overlapping this one`, extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'start' }) }),
    ]);
    expect(await footprint()).toEqual(before);
    await announced({ schemeId: CPP, day, start: '21:00', end: '22:00' });
    await announced({ schemeId: CPP_OTHER, day, start: '20:45', end: '22:00' });
  });

  it('answers NOT_FOUND for an unknown scheme, and lets only the DSO announce', async () => {
    const before = await footprint();
    const unknown = await announce({ schemeId: 'T-NO-SUCH', day: dayIn(5), start: '18:00', end: '21:00' });
    expect(unknown.body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    const byRetailer = await announce({ schemeId: CPP, day: dayIn(5), start: '18:00', end: '21:00' }, retailerKeys.get(RETAILER_A)!);
    expect(byRetailer.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('needs the tariffs:write scope'), extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    expect(await footprint()).toEqual(before);
  });
});

describe('reading critical-peak events', () => {
  const LIST = `query($schemeId: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
    criticalPeakEvents(schemeId: $schemeId, from: $from, to: $to, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id schemeId day start end } } }
  }`;
  type Listed = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; schemeId: string; day: string; start: string; end: string } }[] };
  const page = (key: string, variables: Record<string, unknown>) => t.graphql<{ criticalPeakEvents: Listed }>(LIST, { key, variables });
  const list = async (key: string, variables: Record<string, unknown>) => {
    const answer = await page(key, variables);
    return { body: { errors: answer.body.errors, data: answer.body.data && { criticalPeakEvents: answer.body.data.criticalPeakEvents.edges.map((edge) => edge.node) } } };
  };

  it("gives any tariffs:read key the events of published schemes overlapping the window, by start: a customer's and a retailer's not on the scheme too", async () => {
    const day = dayIn(4);
    const evening = await announced({ schemeId: CPP, day, start: '19:00', end: '20:00' });
    const morning = await announced({ schemeId: CPP, day, start: '07:00', end: '08:00' });
    const window = { schemeId: CPP, from: await lisbon(day, '00:00'), to: await lisbon(dayIn(5), '00:00') };
    const customerKey = await t.createKey('customer', points.a);
    for (const key of [dsoKey, retailerKeys.get(RETAILER_C)!, customerKey]) {
      const { body } = await list(key, window);
      expect(body.errors).toBeUndefined();
      expect(body.data!.criticalPeakEvents.map((event) => event.id)).toEqual([morning.id, evening.id]);
    }
    // Overlapping, not contained: a window ending inside the morning event holds it.
    const { body } = await list(dsoKey, { schemeId: CPP, from: await lisbon(day, '06:00'), to: await lisbon(day, '07:15') });
    expect(body.data!.criticalPeakEvents).toEqual([{ id: morning.id, schemeId: CPP, day, start: morning.start, end: morning.end }]);
  });

  it('pages through the window by start with first and after, counting every event in it, and refuses a forged cursor', async () => {
    const day = dayIn(12);
    const announcedEvents: Announced['announceCriticalPeakEvent'][] = [];
    for (const [start, end] of [['08:00', '09:00'], ['12:00', '13:00'], ['18:00', '19:00']]) announcedEvents.push(await announced({ schemeId: CPP, day, start, end }));
    announcedEvents.push(await announced({ schemeId: CPP_OTHER, day, start: '12:00', end: '13:00' }));
    const window = { from: await lisbon(day, '00:00'), to: await lisbon(dayIn(13), '00:00') };
    // By start, then by scheme: CPP's noon event before CPP_OTHER's (T-CPP < T-CPP-OTHER).
    const expected = [announcedEvents[0]!, announcedEvents[1]!, announcedEvents[3]!, announcedEvents[2]!].map((event) => event.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { body } = await page(dsoKey, { ...window, first: 3, after });
      expect(body.errors).toBeUndefined();
      const listed = body.data!.criticalPeakEvents;
      expect(listed.totalCount).toBe(4);
      seen.push(...listed.edges.map((edge) => edge.node.id));
      if (!listed.pageInfo.hasNextPage) break;
      after = listed.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    const forged = await page(dsoKey, { ...window, after: Buffer.from('not a cursor').toString('base64url') });
    expect(forged.body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['BAD_USER_INPUT', 'after is not a cursor of this list']]);
    const tooMany = await page(dsoKey, { ...window, first: 1001 });
    expect(tooMany.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a window longer than 366 days or reversed', async () => {
    const from = new Date();
    const tooLong = await list(dsoKey, { from: from.toISOString(), to: new Date(from.getTime() + 367 * 86_400_000).toISOString() });
    expect(tooLong.body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['BAD_USER_INPUT', 'the window is at most 366 days']]);
    const reversed = await list(dsoKey, { from: from.toISOString(), to: new Date(from.getTime() - 1).toISOString() });
    expect(reversed.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('a household joining a critical-peak scheme through the pilot', () => {
  const ACCEPT = `mutation($input: AcceptPilotEnrolmentInput!) { acceptPilotEnrolment(input: $input) { id status } }`;
  /** Points of B on no critical-peak scheme and in no pilot, one per use. */
  const free = () => {
    const used = new Set([...Object.values(points), ...t.parish.pilotEnrolments.map((enrolment) => enrolment.meteringPointId)]);
    return pointsSuppliedNowBy(t.parish, RETAILER_B).filter((point) => !used.has(point.id)).map((point) => point.id);
  };
  let handedOut = 0;
  const joiner = () => free()[handedOut++]!;
  const accept = async (key: string, meteringPointId: string, startsOn: string) => {
    const { body } = await t.graphql<{ acceptPilotEnrolment: { id: string; status: string } }>(ACCEPT, { key, variables: { input: { meteringPointId, schemeId: CPP, startsOn } } });
    expect(body.errors).toBeUndefined();
    return body.data!.acceptPilotEnrolment.status;
  };
  /** The customer's acceptance: PENDING, nothing pushed. */
  const customerAccepts = async (pointId: string, startsOn: string) => expect(await accept(await t.createKey('customer', pointId), pointId, startsOn)).toBe('PENDING');
  /** The retailer's: ACTIVE, the point on CPP from startsOn. */
  const retailerAccepts = async (pointId: string, startsOn: string) => expect(await accept(retailerKeys.get(RETAILER_B)!, pointId, startsOn)).toBe('ACTIVE');
  /** The CRITICAL_PEAK_EVENT hub events of an event, oldest first. */
  const pushed = async (eventId: string) =>
    (
      await t.database.handle.pool.query<{ id: string; audience: string[]; payload: unknown }>(
        `SELECT id, audience, payload FROM hub.outbox WHERE type = 'CRITICAL_PEAK_EVENT' AND payload->>'criticalPeakEventId' = $1 ORDER BY id`,
        [eventId],
      )
    ).rows;

  it("is told, when its enrolment becomes ACTIVE, of the scheme's events already announced from its first day on, once each, it and its retailer alone", async () => {
    const pointId = joiner();
    const startsOn = dayIn(3);
    const dayBefore = await announced({ schemeId: CPP, day: dayIn(2), start: '22:00', end: '23:00' });
    const firstDay = await announced({ schemeId: CPP, day: startsOn, start: '20:00', end: '21:00' });
    const later = await announced({ schemeId: CPP, day: dayIn(9), start: '07:00', end: '08:00' });
    const otherScheme = await announced({ schemeId: CPP_OTHER, day: dayIn(9), start: '07:00', end: '08:00' });
    await customerAccepts(pointId, startsOn);
    for (const event of [dayBefore, firstDay, later, otherScheme]) expect(await pushed(event.id)).toHaveLength(1);

    await retailerAccepts(pointId, startsOn);
    for (const event of [dayBefore, otherScheme]) expect(await pushed(event.id)).toHaveLength(1);
    for (const event of [firstDay, later]) {
      const [announcement, told] = await pushed(event.id);
      expect(announcement!.audience).not.toContain(pointId);
      // The same payload as the announcement's, so a receiver knows the event by its id.
      expect(told).toEqual({ id: expect.any(String), audience: [RETAILER_B, pointId], payload: announcement!.payload });
      const read = await t.graphql<{ hubEvent: { criticalPeakEvent: { kind: string; criticalPeakEvent: { id: string } } } }>(
        `query($id: ID!) { hubEvent(eventId: $id) { criticalPeakEvent { kind criticalPeakEvent { id } } } }`,
        { key: await t.createKey('customer', pointId), variables: { id: told!.id } },
      );
      expect(read.body).toEqual({ data: { hubEvent: { criticalPeakEvent: { kind: 'ANNOUNCED', criticalPeakEvent: { id: event.id } } } } });
    }
  });

  it('is in the audience of an event announced after its enrolment became ACTIVE, and told of it no other time', async () => {
    const pointId = joiner();
    await customerAccepts(pointId, dayIn(2));
    await retailerAccepts(pointId, dayIn(2));
    const event = await announced({ schemeId: CPP, day: dayIn(10), start: '18:00', end: '19:00' });
    const rows = await pushed(event.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.audience).toEqual(expect.arrayContaining([RETAILER_B, pointId]));
  });

  it('hears of every event exactly once when enrolments become ACTIVE while the events are being announced', async () => {
    const joining = Array.from({ length: 5 }, joiner);
    for (const pointId of joining) await customerAccepts(pointId, dayIn(2));
    const results = await Promise.all(
      joining.flatMap((pointId, i) => [
        announced({ schemeId: CPP, day: dayIn(11), start: `${String(8 + 2 * i).padStart(2, '0')}:00`, end: `${String(9 + 2 * i).padStart(2, '0')}:00` }),
        retailerAccepts(pointId, dayIn(2)),
      ]),
    );
    const events = results.filter((result): result is Announced['announceCriticalPeakEvent'] => result !== undefined);
    expect(events).toHaveLength(joining.length);
    const [timesTold, once]: Record<string, number>[] = [{}, {}];
    for (const event of events) {
      const rows = await pushed(event.id);
      for (const pointId of joining) {
        timesTold[`${event.id} to ${pointId}`] = rows.filter((row) => row.audience.includes(pointId)).length;
        once[`${event.id} to ${pointId}`] = 1;
      }
    }
    expect(timesTold).toEqual(once);
  });
});

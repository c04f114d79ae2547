import { pointsSuppliedNowBy, startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { lisbonLocalDay } from '../../kit/calendar';
import { localDayText } from '../../kit/local-day';

/**
 * The dynamic-tariff pilot through the gateway: a point joins only with both its customer's and
 * its retailer's acceptance, either may withdraw, and only they may act (the DSO reads). Times are
 * checked against PostgreSQL's own Lisbon conversion, assignments against the rows themselves.
 */

let t: TestHub;
let dsoKey: string;
const RETAILER = 'ret-edpc';
const OTHER_RETAILER = 'ret-endesa';
const PILOT = 'TP-TRI-SEMANAL';
let retailerKey: string;
let otherRetailerKey: string;

/** Points of RETAILER on the flat scheme, one per test that needs one, with their customer's key. */
const flatPoints: string[] = [];
const taken = new Set<string>();
async function household(): Promise<{ pointId: string; customerKey: string }> {
  const pointId = flatPoints.find((id) => !taken.has(id))!;
  taken.add(pointId);
  return { pointId, customerKey: await t.createKey('customer', pointId) };
}

const FIELDS = 'id meteringPointId schemeId scheme { id kind } status startsAt endsAt customerAcceptedAt retailerAcceptedAt withdrawnBy withdrawnAt';
const ACCEPT = `mutation($input: AcceptPilotEnrolmentInput!) { acceptPilotEnrolment(input: $input) { ${FIELDS} } }`;
const WITHDRAW = `mutation($id: ID!) { withdrawPilotEnrolment(meteringPointId: $id) { ${FIELDS} } }`;

interface Enrolment {
  id: string;
  meteringPointId: string;
  schemeId: string;
  scheme: { id: string; kind: string };
  status: string;
  startsAt: string;
  endsAt: string | null;
  customerAcceptedAt: string | null;
  retailerAcceptedAt: string | null;
  withdrawnBy: string | null;
  withdrawnAt: string | null;
}

type Answer<K extends string> = { body: { data?: Record<K, Enrolment> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } };

const accept = (key: string, input: Record<string, unknown>) => t.graphql<{ acceptPilotEnrolment: Enrolment }>(ACCEPT, { key, variables: { input } }) as Promise<Answer<'acceptPilotEnrolment'>>;
const withdraw = (key: string, pointId: string) => t.graphql<{ withdrawPilotEnrolment: Enrolment }>(WITHDRAW, { key, variables: { id: pointId } }) as Promise<Answer<'withdrawPilotEnrolment'>>;

async function accepted(key: string, input: Record<string, unknown>): Promise<Enrolment> {
  const { body } = await accept(key, input);
  expect(body.errors).toBeUndefined();
  return body.data!.acceptPilotEnrolment;
}

const dayIn = (n: number) => localDayText(lisbonLocalDay(Date.now()) + n);

/** The database's own reading of a local midnight in Lisbon, ISO. */
async function lisbonMidnight(day: string): Promise<string> {
  const { rows } = await t.database.handle.pool.query<{ at: Date }>(`SELECT ($1::date)::timestamp AT TIME ZONE 'Europe/Lisbon' AS at`, [day]);
  return rows[0]!.at.toISOString();
}

/** The next local midnight in Lisbon, as the database reads it. */
async function nextLisbonMidnight(): Promise<string> {
  const { rows } = await t.database.handle.pool.query<{ at: Date }>(`SELECT (date_trunc('day', now() AT TIME ZONE 'Europe/Lisbon') + interval '1 day') AT TIME ZONE 'Europe/Lisbon' AS at`);
  return rows[0]!.at.toISOString();
}

async function assignments(pointId: string): Promise<{ scheme: string; from: string; to: string | null }[]> {
  const { rows } = await t.database.handle.pool.query<{ scheme_id: string; valid_from: Date; valid_to: Date | null }>(
    'SELECT scheme_id, valid_from, valid_to FROM tariffs.assignments WHERE metering_point_id = $1 ORDER BY valid_from',
    [pointId],
  );
  return rows.map((row) => ({ scheme: row.scheme_id, from: row.valid_from.toISOString(), to: row.valid_to?.toISOString() ?? null }));
}

/** Everything a refused call must leave as it was. */
async function footprint() {
  const { rows } = await t.database.handle.pool.query(
    `SELECT (SELECT count(*)::int FROM tariffs.pilot_enrolments) AS enrolments,
            (SELECT md5(string_agg(e::text, ',' ORDER BY e.id)) FROM tariffs.pilot_enrolments e) AS enrolment_rows,
            (SELECT md5(string_agg(a::text, ',' ORDER BY a.metering_point_id, a.valid_from)) FROM tariffs.assignments a) AS assignment_rows,
            (SELECT count(*)::int FROM hub.audit_log) AS audit`,
  );
  return rows[0];
}

beforeAll(async () => {
  t = await startTestHub({ customers: 100 });
  dsoKey = await t.createKey('dso', 'dso');
  retailerKey = await t.createKey('retailer', RETAILER);
  otherRetailerKey = await t.createKey('retailer', OTHER_RETAILER);
  const onFlat = new Set(t.parish.tariffAssignments.filter((row) => row.schemeId === 'TP-SIMPLES' && row.validTo === null).map((row) => row.meteringPointId));
  flatPoints.push(...pointsSuppliedNowBy(t.parish, RETAILER).filter((point) => onFlat.has(point.id)).map((point) => point.id));
  expect(flatPoints.length).toBeGreaterThanOrEqual(8);
});
afterAll(() => t.stop());

describe('joining the pilot', () => {
  it("is PENDING with the customer's acceptance alone and changes no tariff; the retailer's makes it ACTIVE and moves the point to the pilot scheme from startsOn", async () => {
    const { pointId, customerKey } = await household();
    const before = await assignments(pointId);
    const startsOn = dayIn(3);
    const startsAt = await lisbonMidnight(startsOn);

    const pending = await accepted(customerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn });
    expect(pending).toMatchObject({ meteringPointId: pointId, schemeId: PILOT, scheme: { id: PILOT, kind: 'TIME_OF_USE' }, status: 'PENDING', startsAt, endsAt: null, retailerAcceptedAt: null, withdrawnBy: null });
    expect(pending.customerAcceptedAt).not.toBeNull();
    expect(await assignments(pointId)).toEqual(before);
    const read = await t.graphql<{ meteringPoint: { pilotEnrolment: { id: string; status: string } | null; tariff: { id: string } } }>(
      `query($id: ID!) { meteringPoint(id: $id) { id pilotEnrolment { id status } tariff { id } } }`,
      { key: customerKey, variables: { id: pointId } },
    );
    expect(read.body.data!.meteringPoint).toMatchObject({ pilotEnrolment: { id: pending.id, status: 'PENDING' }, tariff: { id: 'TP-SIMPLES' } });

    const active = await accepted(retailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn });
    expect(active).toMatchObject({ id: pending.id, status: 'ACTIVE', startsAt, customerAcceptedAt: pending.customerAcceptedAt, endsAt: null });
    expect(active.retailerAcceptedAt).not.toBeNull();
    expect(await assignments(pointId)).toEqual([...before.slice(0, -1), { ...before.at(-1)!, to: startsAt }, { scheme: PILOT, from: startsAt, to: null }]);
    // Until its first day, the point's tariff is still the flat one.
    const now = await t.graphql<{ meteringPoint: { tariff: { id: string } } }>(`query($id: ID!) { meteringPoint(id: $id) { tariff { id } } }`, { key: dsoKey, variables: { id: pointId } });
    expect(now.body.data!.meteringPoint.tariff.id).toBe('TP-SIMPLES');
    const { rows } = await t.database.handle.pool.query(`SELECT operation, organisation_id FROM hub.audit_log WHERE target = $1 ORDER BY id`, [pending.id]);
    expect(rows).toEqual([
      { operation: 'acceptPilotEnrolment', organisation_id: pointId },
      { operation: 'acceptPilotEnrolment', organisation_id: RETAILER },
    ]);
  });

  it("works retailer first too, and refuses a party accepting twice, another scheme or day while one is pending, and any acceptance once it is active (CONFLICT), writing nothing", async () => {
    const { pointId, customerKey } = await household();
    const startsOn = dayIn(2);
    await accepted(retailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn });
    for (const [key, input] of [
      [retailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn }],
      [customerKey, { meteringPointId: pointId, schemeId: 'TP-BI-DIARIO', startsOn }],
      [customerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: dayIn(4) }],
    ] as const) {
      const before = await footprint();
      const { body } = await accept(key, input);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['CONFLICT']);
      expect(await footprint()).toEqual(before);
    }
    expect((await accepted(customerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn })).status).toBe('ACTIVE');
    const before = await footprint();
    const again = await accept(retailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn });
    expect(again.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('already enrolled in the pilot'), extensions: expect.objectContaining({ code: 'CONFLICT' }) })]);
    expect(await footprint()).toEqual(before);
  });

  it.each([
    ['a start today', () => ({ schemeId: PILOT, startsOn: dayIn(0) }), 'startsOn', /must be a future local day/],
    ['a malformed start', () => ({ schemeId: PILOT, startsOn: 'tomorrow' }), 'startsOn', /must be a local date/],
    ['the flat scheme', () => ({ schemeId: 'TP-SIMPLES', startsOn: dayIn(2) }), 'schemeId', /is FLAT: the pilot tests TIME_OF_USE or CRITICAL_PEAK schemes/],
  ])('refuses %s with BAD_USER_INPUT, writing nothing', async (_name, input, field, message) => {
    const { pointId, customerKey } = await household();
    const before = await footprint();
    const { body } = await accept(customerKey, { meteringPointId: pointId, ...input() });
    expect(body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) })]);
    expect(await footprint()).toEqual(before);
  });

  it('refuses the scheme the point is on already (BAD_USER_INPUT), and answers NOT_FOUND for an unknown or draft scheme', async () => {
    const onTou = t.parish.tariffAssignments.find((row) => row.schemeId === 'TP-BI-DIARIO' && row.validTo === null && t.parish.meteringPoints.some((point) => point.id === row.meteringPointId && point.retailerId === RETAILER))!;
    await t.database.handle.pool.query(
      `INSERT INTO tariffs.schemes (id, family, version, name, kind, cycle, status, power_price_nano_eur_per_kva_day, valid_from) VALUES ('T-DRAFT', 'T-DRAFT', 1, 'draft', 'TIME_OF_USE', 'DAILY', 'DRAFT', 1, '2020-01-01')`,
    );
    const before = await footprint();
    const same = await accept(retailerKey, { meteringPointId: onTou.meteringPointId, schemeId: 'TP-BI-DIARIO', startsOn: dayIn(2) });
    expect(same.body.errors).toEqual([expect.objectContaining({ message: 'this metering point is on scheme TP-BI-DIARIO already', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    for (const schemeId of ['T-NO-SUCH', 'T-DRAFT']) {
      const { body } = await accept(retailerKey, { meteringPointId: onTou.meteringPointId, schemeId, startsOn: dayIn(2) });
      expect(body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['NOT_FOUND', 'Tariff scheme not found']]);
    }
    expect(await footprint()).toEqual(before);
  });
});

describe('a pending enrolment whose first day has begun', () => {
  /** A pending enrolment with the customer's acceptance alone, whose first day began yesterday, as time would have left it. */
  async function lapsed(pointId: string): Promise<{ id: string; startsOn: string }> {
    const startsOn = dayIn(-1);
    await t.database.handle.pool.query(
      `INSERT INTO tariffs.pilot_enrolments (id, metering_point_id, scheme_id, retailer_id, starts_at, customer_accepted_at, created_at)
       VALUES ($1, $2, $3, $4, $5, now() - interval '3 days', now() - interval '3 days')`,
      [`pe-lapsed-${pointId}`, pointId, PILOT, RETAILER, await lisbonMidnight(startsOn)],
    );
    return { id: `pe-lapsed-${pointId}`, startsOn };
  }

  it('has lapsed (EXPIRED): it is no longer the point\'s open enrolment, and blocks no new one, of another scheme or day', async () => {
    const { pointId, customerKey } = await household();
    const old = await lapsed(pointId);
    const { body } = await t.graphql<{ pilotEnrolments: { edges: { node: { id: string; status: string } }[] }; meteringPoint: { pilotEnrolment: { id: string } | null } }>(
      `query($id: ID!) { pilotEnrolments(meteringPointId: $id) { edges { node { id status } } } meteringPoint(id: $id) { pilotEnrolment { id } } }`,
      { key: customerKey, variables: { id: pointId } },
    );
    expect(body.data).toEqual({ pilotEnrolments: { edges: [{ node: { id: old.id, status: 'EXPIRED' } }] }, meteringPoint: { pilotEnrolment: null } });
    const expired = await t.graphql<{ pilotEnrolments: { edges: { node: { id: string } }[] } }>(`query($id: ID) { pilotEnrolments(meteringPointId: $id, status: EXPIRED) { edges { node { id } } } }`, { key: dsoKey, variables: { id: pointId } });
    expect(expired.body.data!.pilotEnrolments.edges.map((edge) => edge.node.id)).toEqual([old.id]);

    const fresh = await accepted(retailerKey, { meteringPointId: pointId, schemeId: 'TP-BI-SEMANAL', startsOn: dayIn(2) });
    expect(fresh).toMatchObject({ status: 'PENDING', schemeId: 'TP-BI-SEMANAL' });
    expect((await accepted(customerKey, { meteringPointId: pointId, schemeId: 'TP-BI-SEMANAL', startsOn: dayIn(2) })).status).toBe('ACTIVE');
  });

  it("refuses the other party's acceptance of it with BAD_USER_INPUT saying it lapsed, writing nothing, and a stranger's as before", async () => {
    const { pointId } = await household();
    const old = await lapsed(pointId);
    const before = await footprint();
    const { body } = await accept(retailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: old.startsOn });
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: `the pending enrolment (scheme ${PILOT} from ${old.startsOn}) lapsed: its first day began before both the customer and the retailer had accepted it; accept again from a future day, ${dayIn(1)} or later`,
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'startsOn' }),
      }),
    ]);
    // Another retailer learns nothing of the point's enrolments: the past day is refused as any past day.
    const stranger = await accept(otherRetailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: old.startsOn });
    expect(stranger.body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['BAD_USER_INPUT', `startsOn ${old.startsOn} must be a future local day: ${dayIn(1)} or later`]]);
    expect(await footprint()).toEqual(before);
  });
});

describe('who may act', () => {
  it("answers a retailer accepting for a point it does not supply, and a customer acting on another's point, as if the point did not exist", async () => {
    const { pointId, customerKey } = await household();
    const neighbour = await household();
    const startsOn = dayIn(2);
    await accepted(customerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn });
    const before = await footprint();
    const attempts = [
      await accept(otherRetailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn }),
      await accept(neighbour.customerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn }),
      await accept(otherRetailerKey, { meteringPointId: 'PT0000NOSUCHPOINT00X', schemeId: PILOT, startsOn }),
    ];
    const withdrawals = [await withdraw(neighbour.customerKey, pointId), await withdraw(otherRetailerKey, pointId)];
    for (const { body } of [...attempts, ...withdrawals]) expect(body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['NOT_FOUND', 'Metering point not found']]);
    expect(await footprint()).toEqual(before);
  });

  it('lets the DSO read every enrolment but accept or withdraw none (FORBIDDEN): it is neutral', async () => {
    const { pointId, customerKey } = await household();
    await accepted(customerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: dayIn(2) });
    const before = await footprint();
    const accepting = await accept(dsoKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: dayIn(2) });
    const withdrawing = await withdraw(dsoKey, pointId);
    for (const { body } of [accepting, withdrawing]) expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await footprint()).toEqual(before);
    const { body } = await t.graphql<{ pilotEnrolments: { edges: { node: { meteringPointId: string; status: string } }[] } }>(
      `query($id: ID) { pilotEnrolments(meteringPointId: $id) { edges { node { meteringPointId status } } } }`,
      { key: dsoKey, variables: { id: pointId } },
    );
    expect(body.data!.pilotEnrolments.edges.map((edge) => edge.node)).toEqual([{ meteringPointId: pointId, status: 'PENDING' }]);
  });
});

describe('withdrawing', () => {
  it('cancels an accepted enrolment before it starts (WITHDRAWN), giving the point its scheme back as it was', async () => {
    const { pointId, customerKey } = await household();
    const before = await assignments(pointId);
    await accepted(customerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: dayIn(2) });
    await accepted(retailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: dayIn(2) });
    expect(await assignments(pointId)).not.toEqual(before);
    const { body } = await withdraw(customerKey, pointId);
    expect(body.errors).toBeUndefined();
    expect(body.data!.withdrawPilotEnrolment).toMatchObject({ status: 'WITHDRAWN', endsAt: null, withdrawnBy: 'CUSTOMER' });
    expect(await assignments(pointId)).toEqual(before);
    // Nothing is open any more: another withdrawal finds none, and a new acceptance starts afresh.
    expect((await withdraw(retailerKey, pointId)).body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['NOT_FOUND', 'Pilot enrolment not found']]);
    expect((await accepted(retailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: dayIn(3) })).status).toBe('PENDING');
  });

  it('cancels a pending enrolment, whose tariff never changed', async () => {
    const { pointId } = await household();
    const before = await assignments(pointId);
    await accepted(retailerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: dayIn(2) });
    const { body } = await withdraw(retailerKey, pointId);
    expect(body.data!.withdrawPilotEnrolment).toMatchObject({ status: 'WITHDRAWN', withdrawnBy: 'RETAILER', endsAt: null });
    expect(await assignments(pointId)).toEqual(before);
  });

  it('ends a started enrolment at the next local midnight, when the point goes back to its former scheme; withdrawing again is a CONFLICT', async () => {
    const { pointId } = await household();
    // An enrolment that started three days ago, as both acceptances would have left it.
    const startedAt = await lisbonMidnight(dayIn(-3));
    const db = t.database.handle.pool;
    await db.query(`UPDATE tariffs.assignments SET valid_to = $2 WHERE metering_point_id = $1 AND valid_to IS NULL`, [pointId, startedAt]);
    await db.query(`INSERT INTO tariffs.assignments (metering_point_id, scheme_id, valid_from) VALUES ($1, $2, $3)`, [pointId, PILOT, startedAt]);
    await db.query(
      `INSERT INTO tariffs.pilot_enrolments (id, metering_point_id, scheme_id, retailer_id, starts_at, customer_accepted_at, retailer_accepted_at, created_at)
       VALUES ('pe-started', $1, $2, $3, $4, now() - interval '5 days', now() - interval '4 days', now() - interval '5 days')`,
      [pointId, PILOT, RETAILER, startedAt],
    );
    const before = await assignments(pointId);
    const { body } = await withdraw(retailerKey, pointId);
    expect(body.errors).toBeUndefined();
    const endsAt = await nextLisbonMidnight();
    expect(body.data!.withdrawPilotEnrolment).toMatchObject({ id: 'pe-started', status: 'ACTIVE', startsAt: startedAt, endsAt, withdrawnBy: 'RETAILER' });
    expect(await assignments(pointId)).toEqual([...before.slice(0, -1), { scheme: PILOT, from: startedAt, to: endsAt }, { scheme: 'TP-SIMPLES', from: endsAt, to: null }]);
    const beforeAgain = await footprint();
    const again = await withdraw(retailerKey, pointId);
    expect(again.body.errors).toEqual([expect.objectContaining({ message: `the enrolment was already withdrawn; it ends at ${endsAt}`, extensions: expect.objectContaining({ code: 'CONFLICT' }) })]);
    expect(await footprint()).toEqual(beforeAgain);
  });
});

describe('reading enrolments', () => {
  const LIST = `query($id: ID, $status: PilotEnrolmentStatus, $first: Int, $after: String) {
    pilotEnrolments(meteringPointId: $id, status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id meteringPointId status } } }
  }`;
  type Listed = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; meteringPointId: string; status: string } }[] };
  const page = async (key: string, variables: Record<string, unknown>) => {
    const { body } = await t.graphql<{ pilotEnrolments: Listed }>(LIST, { key, variables });
    expect(body.errors).toBeUndefined();
    return body.data!.pilotEnrolments;
  };
  const list = async (key: string, variables: Record<string, unknown> = {}) => (await page(key, { first: 1000, ...variables })).edges.map((edge) => edge.node);

  it("gives a customer its own point's, a retailer those of the points it supplies, and the DSO all, filtered by status; every read is logged", async () => {
    const { pointId, customerKey } = await household();
    const enrolment = await accepted(customerKey, { meteringPointId: pointId, schemeId: PILOT, startsOn: dayIn(2) });
    expect((await list(customerKey)).map((row) => row.meteringPointId)).toEqual([pointId]);
    expect(await list(customerKey, { id: flatPoints[0] })).toEqual([]);
    expect((await list(retailerKey)).map((row) => row.id)).toContain(enrolment.id);
    expect(await list(otherRetailerKey, { id: pointId })).toEqual([]);
    const all = await list(dsoKey);
    const { rows } = await t.database.handle.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tariffs.pilot_enrolments');
    expect(all).toHaveLength(rows[0]!.n);
    const { rows: statuses } = await t.database.handle.pool.query<{ id: string }>(
      `SELECT id FROM tariffs.pilot_enrolments WHERE withdrawn_at IS NULL AND (customer_accepted_at IS NULL OR retailer_accepted_at IS NULL) AND starts_at > now()`,
    );
    expect((await list(dsoKey, { status: 'PENDING' })).map((row) => row.id).sort()).toEqual(statuses.map((row) => row.id).sort());
    expect((await list(dsoKey, { status: 'WITHDRAWN' })).every((row) => row.status === 'WITHDRAWN')).toBe(true);
    const logged = await t.database.handle.pool.query(`SELECT count(*)::int AS n FROM hub.access_log WHERE metering_point_id = $1 AND resource = 'pilotEnrolment' AND organisation_id = $1`, [pointId]);
    expect(logged.rows[0].n).toBeGreaterThan(0);
  });

  it('shows a former retailer nothing of the point it no longer supplies', async () => {
    const switched = t.parish.supplyContracts.find((contract) => contract.validTo !== null)!;
    const current = t.parish.meteringPoints.find((point) => point.id === switched.meteringPointId)!;
    const formerKey = await t.createKey('retailer', switched.retailerId);
    const currentKey = await t.createKey('retailer', current.retailerId);
    const { rows } = await t.database.handle.pool.query<{ scheme_id: string }>(`SELECT scheme_id FROM tariffs.assignments WHERE metering_point_id = $1 AND valid_to IS NULL`, [current.id]);
    const scheme = rows[0]!.scheme_id === PILOT ? 'TP-BI-DIARIO' : PILOT;
    const enrolment = await accepted(currentKey, { meteringPointId: current.id, schemeId: scheme, startsOn: dayIn(2) });
    expect((await list(currentKey, { id: current.id })).map((row) => row.id)).toEqual([enrolment.id]);
    expect(await list(formerKey, { id: current.id })).toEqual([]);
    const { body } = await t.graphql(`query($id: ID!) { meteringPoint(id: $id) { pilotEnrolment { id } } }`, { key: formerKey, variables: { id: current.id } });
    expect(JSON.stringify(body)).not.toContain(enrolment.id);
  });

  it("shows the current retailer the point's tariff history within its own supply periods only: not the pilot it had under its former retailer", async () => {
    // A switched point other than the one above, with a pilot under its former retailer before the switch.
    const switched = t.parish.supplyContracts.filter((contract) => contract.validTo !== null)[1]!;
    const pointId = switched.meteringPointId;
    const ownStart = t.parish.supplyContracts.find((contract) => contract.meteringPointId === pointId && contract.validTo === null)!.validFrom.toISOString();
    const db = t.database.handle.pool;
    const { rows: first } = await db.query<{ valid_from: Date }>('SELECT min(valid_from) AS valid_from FROM tariffs.assignments WHERE metering_point_id = $1', [pointId]);
    expect(first[0]!.valid_from.toISOString() >= ownStart).toBe(true);
    const pilotFrom = switched.validFrom.toISOString();
    await db.query('INSERT INTO tariffs.assignments (metering_point_id, scheme_id, valid_from, valid_to) VALUES ($1, $2, $3, $4)', [pointId, PILOT, pilotFrom, first[0]!.valid_from]);
    const current = t.parish.meteringPoints.find((point) => point.id === pointId)!;
    const HISTORY = `query($id: ID!) { meteringPoint(id: $id) { tariffHistory { scheme { id } validFrom validTo } } }`;
    const history = async (key: string) => {
      const { body } = await t.graphql<{ meteringPoint: { tariffHistory: { scheme: { id: string }; validFrom: string; validTo: string | null }[] } }>(HISTORY, { key, variables: { id: pointId } });
      expect(body.errors).toBeUndefined();
      return body.data!.meteringPoint.tariffHistory.map((row) => ({ scheme: row.scheme.id, from: row.validFrom, to: row.validTo }));
    };
    const whole = await assignments(pointId);
    expect(whole[0]).toEqual({ scheme: PILOT, from: pilotFrom, to: first[0]!.valid_from.toISOString() });
    expect(await history(dsoKey)).toEqual(whole);
    expect(await history(await t.createKey('customer', pointId))).toEqual(whole);
    // The retailer's own period: the rows from its contract on, cut to it; the former retailer's pilot is not among them.
    expect(await history(await t.createKey('retailer', current.retailerId))).toEqual(whole.filter((row) => row.to === null || row.to > ownStart).map((row) => ({ ...row, from: row.from < ownStart ? ownStart : row.from })));
  });

  it('pages through every enrolment newest first with first and after, each once, counting them all', async () => {
    const { rows } = await t.database.handle.pool.query<{ id: string }>('SELECT id FROM tariffs.pilot_enrolments ORDER BY created_at DESC, id DESC');
    expect(rows.length).toBeGreaterThan(3);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const listed: Listed = await page(dsoKey, { first: 2, after });
      expect(listed.totalCount).toBe(rows.length);
      expect(listed.edges.length).toBeLessThanOrEqual(2);
      seen.push(...listed.edges.map((edge) => edge.node.id));
      if (!listed.pageInfo.hasNextPage) break;
      after = listed.pageInfo.endCursor;
    }
    expect(seen).toEqual(rows.map((row) => row.id));
  });

  it('refuses a page size out of 1..1000 and a forged cursor', async () => {
    const tooMany = await t.graphql(`{ pilotEnrolments(first: 1001) { totalCount } }`, { key: dsoKey });
    expect(tooMany.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const forged = await t.graphql(`query($after: String) { pilotEnrolments(after: $after) { totalCount } }`, { key: dsoKey, variables: { after: Buffer.from('2026-01-01').toString('base64url') } });
    expect(forged.body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['BAD_USER_INPUT', 'after is not a cursor of this list']]);
  });
});

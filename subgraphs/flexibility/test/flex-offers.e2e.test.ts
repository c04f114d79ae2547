import { latestOutboxId } from '../../kit/outbox-tail';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs } from '../../../tools/testing/ws-subscriber';
import { ISP_1, ISP_2, RETAILER_AVAILABLE_KW, RIVAL_AVAILABLE_KW, iso, marketFixture, type MarketFixture, type Party } from './flex-market.fixture';

/**
 * Offers through the gateway, on a feeder with HEMS of our own (flex-market.fixture.ts): what the
 * available flexibility allows, idempotency, whose requests and offers are whose, revoking, the
 * DSO's sufficiency as offers arrive, and who is pushed what.
 */

let t: TestHub;
let f: MarketFixture;

beforeAll(async () => {
  t = await startTestHub();
  f = await marketFixture(t);
}, 60_000);

afterAll(() => t.stop());

// Each test offers from the retailers' whole availability: earlier tests' requests must not hold it.
beforeEach(() => f.closeOpenRequests());

const SUBMIT = `mutation($input: SubmitFlexOfferInput!) {
  submitFlexOffer(input: $input) { id organisationId status priceEurPerKwh expiresAt flexRequestId requestRevision isps { start kw } }
}`;

interface Offer {
  id: string;
  organisationId: string;
  status: string;
  priceEurPerKwh: number;
  expiresAt: string;
  flexRequestId: string;
  requestRevision: number;
  isps: { start: string; kw: number }[];
}

/** A request of two ISPs (tomorrow 19:00 and 19:15), minKw 10 and maxKw 12 in each unless told. */
const request = (minKw = 10, maxKw = 12) =>
  f.createRequest([
    { startMs: ISP_1(), minKw, maxKw },
    { startMs: ISP_2(), minKw, maxKw },
  ]);

let keyCount = 0;
const nextKey = () => `offer-test-${++keyCount}`;

function input(flexRequestId: string, kw: [number, number] | number, overrides: Record<string, unknown> = {}) {
  const [kw1, kw2] = typeof kw === 'number' ? [kw, kw] : kw;
  return {
    flexRequestId,
    isps: [
      { start: iso(ISP_1()), kw: kw1 },
      { start: iso(ISP_2()), kw: kw2 },
    ],
    priceEurPerKwh: 0.25,
    expiresAt: iso(Date.now() + 1_800_000),
    idempotencyKey: nextKey(),
    ...overrides,
  };
}

const submit = (party: Party, offer: Record<string, unknown>) => t.graphql<{ submitFlexOffer: Offer }>(SUBMIT, { key: party.key, variables: { input: offer } });

async function submitted(party: Party, offer: Record<string, unknown>): Promise<Offer> {
  const { body } = await submit(party, offer);
  expect(body.errors).toBeUndefined();
  return body.data!.submitFlexOffer;
}

const codes = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.map((error) => error.extensions?.code);

async function offersInDb(requestId: string): Promise<number> {
  const { rows } = await f.sql(`SELECT count(*)::int AS n FROM flexibility.flex_offers WHERE request_id = $1`, [requestId]);
  return rows[0]!.n as number;
}

const latestEvent = () => latestOutboxId(t.database.handle.pool);

describe('submitFlexOffer within the available flexibility', () => {
  it("takes an offer up to the retailer's HEMS behind the feeder, OPEN for the request's revision", async () => {
    const requestId = await request();
    const offer = await submitted(f.retailer, input(requestId, RETAILER_AVAILABLE_KW, { priceEurPerKwh: 0.3 }));
    expect(offer).toMatchObject({ organisationId: f.retailer.id, status: 'OPEN', priceEurPerKwh: 0.3, flexRequestId: requestId, requestRevision: 1 });
    expect(offer.isps).toEqual([
      { start: iso(ISP_1()), kw: RETAILER_AVAILABLE_KW },
      { start: iso(ISP_2()), kw: RETAILER_AVAILABLE_KW },
    ]);
  });

  it('refuses one above it, naming the ISP, the availability and what is already offered, and writes nothing', async () => {
    const requestId = await request();
    await submitted(f.retailer, input(requestId, 5));
    const before = await latestEvent();
    const { body } = await submit(f.retailer, input(requestId, [4.4, 4.5]));
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors![0]!.message).toBe(
      `offer of 4.5 kW at ${iso(ISP_2())} exceeds your available flexibility behind feeder ${f.feederId} (${RETAILER_AVAILABLE_KW} kW, 5 kW already offered)`,
    );
    expect(await offersInDb(requestId)).toBe(1);
    expect(await latestEvent()).toBe(before);
  });

  it("counts another retailer's offers against its own flexibility only", async () => {
    const requestId = await request();
    await submitted(f.retailer, input(requestId, RETAILER_AVAILABLE_KW));
    await submitted(f.rival, input(requestId, RIVAL_AVAILABLE_KW));
    const { body } = await submit(f.rival, input(requestId, 0.001));
    expect(body.errors?.[0]?.message).toContain(`(${RIVAL_AVAILABLE_KW} kW, ${RIVAL_AVAILABLE_KW} kW already offered)`);
  });

  it("checks concurrent offers of one offerer against its availability one at a time", async () => {
    const requestId = await request();
    const answers = await Promise.all([0, 1, 2].map(() => submit(f.retailer, input(requestId, 4))));
    // 9.4 kW takes two offers of 4 kW, never three.
    expect(answers.map((answer) => codes(answer.body)?.[0] ?? 'OK').sort()).toEqual(['BAD_USER_INPUT', 'OK', 'OK']);
    expect(await offersInDb(requestId)).toBe(2);
  });

  it('refuses ISPs off the 15-minute grid or outside the request, above its maxKw or twice, a price out of range and an expiry after the first ISP', async () => {
    const requestId = await request(1, 2);
    const cases: [Record<string, unknown>, string][] = [
      [{ isps: [{ start: iso(ISP_1() - 900_000), kw: 1 }] }, `ISP ${iso(ISP_1() - 900_000)} is outside the request`],
      [{ isps: [{ start: iso(ISP_1() + 60_000), kw: 1 }] }, `ISP ${iso(ISP_1() + 60_000)} is not on the 15-minute grid`],
      [{ isps: [{ start: iso(ISP_1()), kw: 2.5 }] }, `kw of ISP ${iso(ISP_1())} exceeds the request's maxKw there (2 kW)`],
      [{ isps: [{ start: iso(ISP_1()), kw: 1 }, { start: iso(ISP_1()), kw: 1 }] }, `ISP ${iso(ISP_1())} is offered twice`],
      [{ isps: [{ start: iso(ISP_1()), kw: 0 }] }, `kw of ISP ${iso(ISP_1())} must be at least 0.001 (one watt)`],
      [{ isps: [] }, 'an offer needs at least one ISP'],
      [{ priceEurPerKwh: 10.5 }, 'priceEurPerKwh must be from 0 to 10'],
      [{ expiresAt: iso(ISP_1() + 1) }, `expiresAt must be no later than the request's first ISP (${iso(ISP_1())})`],
      [{ expiresAt: iso(Date.now() - 1000) }, 'expiresAt must be in the future'],
      [{ idempotencyKey: '' }, 'idempotencyKey must be 1 to 200 characters'],
    ];
    for (const [overrides, message] of cases) {
      const { body } = await submit(f.retailer, input(requestId, 1, overrides));
      expect([codes(body), body.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], message]);
    }
    expect(await offersInDb(requestId)).toBe(0);
  });
});

describe('submitFlexOffer across requests sharing points', () => {
  it("counts the offerer's live offers on every open request of the feeder or its substation, and not on a closed one", async () => {
    const first = await request();
    await submitted(f.retailer, input(first, RETAILER_AVAILABLE_KW));
    const second = await request();
    const onFeeder = await submit(f.retailer, input(second, 0.001));
    expect(codes(onFeeder.body)).toEqual(['BAD_USER_INPUT']);
    expect(onFeeder.body.errors![0]!.message).toContain(`(${RETAILER_AVAILABLE_KW} kW, ${RETAILER_AVAILABLE_KW} kW already offered)`);

    // The whole substation behind which the feeder lies holds the same loads.
    const { rows } = await f.sql(`SELECT secondary_substation_id FROM flexibility.flex_requests WHERE id = $1`, [first]);
    const substationId = String(rows[0]!.secondary_substation_id);
    const created = await t.graphql<{ createFlexRequest: { id: string } }>(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      key: f.dsoKey,
      variables: {
        input: {
          congestionPointId: substationId,
          isps: [ISP_1(), ISP_2()].map((startMs) => ({ start: iso(startMs), minKw: 10, maxKw: 12 })),
          expiresAt: iso(Date.now() + 3_600_000),
        },
      },
    });
    const onSubstation = await submit(f.retailer, input(created.body.data!.createFlexRequest.id, 0.001));
    expect(onSubstation.body.errors?.[0]?.message).toBe(
      `offer of 0.001 kW at ${iso(ISP_1())} exceeds your available flexibility behind secondary substation ${substationId} (${RETAILER_AVAILABLE_KW} kW, ${RETAILER_AVAILABLE_KW} kW already offered); ` +
        `offer of 0.001 kW at ${iso(ISP_2())} exceeds your available flexibility behind secondary substation ${substationId} (${RETAILER_AVAILABLE_KW} kW, ${RETAILER_AVAILABLE_KW} kW already offered)`,
    );
    expect(await offersInDb(second)).toBe(0);

    // Closed, the first request binds nothing more.
    expect((await t.graphql(`mutation($id: ID!) { closeFlexRequest(id: $id) { id } }`, { key: f.dsoKey, variables: { id: first } })).body.errors).toBeUndefined();
    expect((await submitted(f.retailer, input(second, RETAILER_AVAILABLE_KW))).status).toBe('OPEN');
  });
});

describe('submitFlexOffer over a run of consecutive ISPs', () => {
  // Tomorrow 19:00 to 21:30 local, ten ISPs: 150 minutes, longer than the water heater's 2-hour shift.
  const tenIsps = () => Array.from({ length: 10 }, (_, i) => ISP_1() + i * 900_000);

  it('counts only the loads that can be held for the whole run, and every load in a shorter run', async () => {
    const requestId = await f.createRequest(tenIsps().map((startMs) => ({ startMs, minKw: 1, maxKw: 12 })));
    const all = await submit(f.retailer, input(requestId, 0, { isps: tenIsps().map((startMs) => ({ start: iso(startMs), kw: RETAILER_AVAILABLE_KW })) }));
    // The EV charger (4-hour shift) alone: 7.4 kW in each of the ten ISPs.
    expect(all.body.errors?.[0]?.message.split('; ')).toEqual(
      tenIsps().map((startMs) => `offer of ${RETAILER_AVAILABLE_KW} kW at ${iso(startMs)} exceeds your available flexibility behind feeder ${f.feederId} (7.4 kW, 0 kW already offered)`),
    );
    expect(await offersInDb(requestId)).toBe(0);
    expect((await submitted(f.retailer, input(requestId, 0, { isps: tenIsps().map((startMs) => ({ start: iso(startMs), kw: 7.4 })) }))).status).toBe('OPEN');
  });

  it('takes the water heater too in a run of two ISPs of the same request', async () => {
    const requestId = await f.createRequest(tenIsps().map((startMs) => ({ startMs, minKw: 1, maxKw: 12 })));
    expect((await submitted(f.retailer, input(requestId, RETAILER_AVAILABLE_KW))).isps.map((isp) => isp.kw)).toEqual([RETAILER_AVAILABLE_KW, RETAILER_AVAILABLE_KW]);
  });
});

describe('offers of one organisation to one request', () => {
  it('are taken up to ten, revoked ones included, and refused beyond', async () => {
    const requestId = await request();
    const offers: Offer[] = [];
    for (let i = 0; i < 10; i++) offers.push(await submitted(f.retailer, input(requestId, 0.001)));
    expect((await t.graphql(REVOKE, { key: f.retailer.key, variables: { id: offers[0]!.id } })).body.errors).toBeUndefined();
    const before = await latestEvent();
    const { body } = await submit(f.retailer, input(requestId, 0.001));
    expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message])).toEqual([
      ['BAD_USER_INPUT', 'flexRequestId', 'at most 10 offers per organisation to one request, and yours has 10'],
    ]);
    expect(await offersInDb(requestId)).toBe(10);
    expect(await latestEvent()).toBe(before);
    // Another organisation's count is its own.
    expect((await submitted(f.rival, input(requestId, 0.001))).status).toBe('OPEN');
  });
});

describe('submitFlexOffer for a request that does not take it', () => {
  it('is NOT_FOUND for a request not published to the caller, as for none', async () => {
    const requestId = await request();
    for (const flexRequestId of [requestId, 'fr-none']) {
      const { body } = await submit(f.outsider, input(flexRequestId, 1));
      expect(codes(body)).toEqual(['NOT_FOUND']);
    }
    expect(await offersInDb(requestId)).toBe(0);
  });

  it('is refused once the request has expired, or is closed, saying which', async () => {
    const expired = await request();
    await f.sql(`UPDATE flexibility.flex_requests SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired]);
    const late = await submit(f.retailer, input(expired, 1));
    expect(codes(late.body)).toEqual(['BAD_USER_INPUT']);
    expect(late.body.errors![0]!.message).toMatch(/^the request expired at /);

    const closed = await request();
    const closing = await t.graphql(`mutation($id: ID!) { closeFlexRequest(id: $id) { status } }`, { key: f.dsoKey, variables: { id: closed } });
    expect(closing.body.errors).toBeUndefined();
    const after = await submit(f.retailer, input(closed, 1));
    expect([codes(after.body), after.body.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], 'the request is closed']);
    expect((await offersInDb(expired)) + (await offersInDb(closed))).toBe(0);
  });
});

describe('the idempotency key', () => {
  it('answers a repeat with the first offer and no new event, even once the request is closed', async () => {
    const requestId = await request();
    const offer = input(requestId, 2);
    const first = await submitted(f.retailer, offer);
    const before = await latestEvent();
    // The same content written otherwise: ISPs in another order, the expiry with an offset for Z.
    const expiresAt = offer.expiresAt.replace('Z', '+00:00');
    expect(await submitted(f.retailer, { ...offer, isps: [...offer.isps].reverse(), expiresAt })).toEqual(first);
    await t.graphql(`mutation($id: ID!) { closeFlexRequest(id: $id) { id } }`, { key: f.dsoKey, variables: { id: requestId } });
    expect(await submitted(f.retailer, offer)).toEqual(first);
    expect(await offersInDb(requestId)).toBe(1);
    const { rows } = await f.sql(`SELECT type FROM hub.outbox WHERE id > $1`, [before]);
    expect(rows).toEqual([{ type: 'FLEX_RESTORE' }]);
  });

  it('is a CONFLICT with other content, which is not written', async () => {
    const requestId = await request();
    const offer = input(requestId, 2);
    await submitted(f.retailer, offer);
    const { body } = await submit(f.retailer, { ...offer, priceEurPerKwh: 0.26 });
    expect(codes(body)).toEqual(['CONFLICT']);
    expect(await offersInDb(requestId)).toBe(1);
  });

  it("is the caller's own: another organisation's same key makes an offer of its own", async () => {
    const requestId = await request();
    const offer = input(requestId, 2);
    const mine = await submitted(f.retailer, offer);
    const theirs = await submitted(f.rival, offer);
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.organisationId).toBe(f.rival.id);
  });

  it('makes concurrent sends of one offer one offer', async () => {
    const requestId = await request();
    const offer = input(requestId, 1);
    const answers = await Promise.all([0, 1, 2, 3].map(() => submitted(f.retailer, offer)));
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
    expect(await offersInDb(requestId)).toBe(1);
  });
});

const REVOKE = `mutation($id: ID!) { revokeFlexOffer(id: $id) { id status revokedAt } }`;

describe('revokeFlexOffer', () => {
  it("withdraws the offerer's open offer, which then binds none of its flexibility", async () => {
    const requestId = await request();
    const offer = await submitted(f.retailer, input(requestId, RETAILER_AVAILABLE_KW));
    const { body } = await t.graphql<{ revokeFlexOffer: { id: string; status: string; revokedAt: string | null } }>(REVOKE, { key: f.retailer.key, variables: { id: offer.id } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.revokeFlexOffer).toMatchObject({ id: offer.id, status: 'REVOKED' });
    expect(body.data!.revokeFlexOffer.revokedAt).not.toBeNull();
    await submitted(f.retailer, input(requestId, RETAILER_AVAILABLE_KW));
  });

  it("is NOT_FOUND for another's offer, and a CONFLICT once revoked", async () => {
    const requestId = await request();
    const offer = await submitted(f.retailer, input(requestId, 1));
    expect(codes((await t.graphql(REVOKE, { key: f.rival.key, variables: { id: offer.id } })).body)).toEqual(['NOT_FOUND']);
    expect(codes((await t.graphql(REVOKE, { key: f.dsoKey, variables: { id: offer.id } })).body)).toEqual(['FORBIDDEN']);
    await t.graphql(REVOKE, { key: f.retailer.key, variables: { id: offer.id } });
    const again = await t.graphql(REVOKE, { key: f.retailer.key, variables: { id: offer.id } });
    expect([codes(again.body), again.body.errors?.[0]?.message]).toEqual([['CONFLICT'], 'the offer is revoked: only an open offer can be revoked']);
  });

  it('is a CONFLICT for an expired offer, which reads EXPIRED', async () => {
    const requestId = await request();
    const offer = await submitted(f.retailer, input(requestId, 1));
    await f.sql(`UPDATE flexibility.flex_offers SET expires_at = now() - interval '1 second' WHERE id = $1`, [offer.id]);
    const again = await t.graphql(REVOKE, { key: f.retailer.key, variables: { id: offer.id } });
    expect(again.body.errors?.[0]?.message).toBe('the offer is expired: only an open offer can be revoked');
    const read = await t.graphql<{ flexRequest: { offers: { id: string; status: string }[] } }>(`query($id: ID!) { flexRequest(id: $id) { offers { id status } } }`, {
      key: f.retailer.key,
      variables: { id: requestId },
    });
    expect(read.body.data!.flexRequest.offers).toEqual([{ id: offer.id, status: 'EXPIRED' }]);
  });
});

const SUFFICIENCY = `query($id: ID!) { flexRequest(id: $id) { sufficiency { start minKw offeredKw shortfallKw } } }`;

describe('FlexRequest.sufficiency and offers', () => {
  it('shows the DSO the shortfall closing as offers arrive, and counts no revoked or expired offer', async () => {
    const requestId = await request(10, 12);
    const read = async () => {
      const { body } = await t.graphql<{ flexRequest: { sufficiency: { start: string; minKw: number; offeredKw: number; shortfallKw: number }[] } }>(SUFFICIENCY, {
        key: f.dsoKey,
        variables: { id: requestId },
      });
      expect(body.errors).toBeUndefined();
      return body.data!.flexRequest.sufficiency.map((isp) => [isp.start, isp.offeredKw, isp.shortfallKw]);
    };
    expect(await read()).toEqual([
      [iso(ISP_1()), 0, 10],
      [iso(ISP_2()), 0, 10],
    ]);
    await submitted(f.retailer, input(requestId, [8, 6.5]));
    expect(await read()).toEqual([
      [iso(ISP_1()), 8, 2],
      [iso(ISP_2()), 6.5, 3.5],
    ]);
    const rivals = await submitted(f.rival, input(requestId, [RIVAL_AVAILABLE_KW, 1.2]));
    expect(await read()).toEqual([
      [iso(ISP_1()), 11.7, 0],
      [iso(ISP_2()), 7.7, 2.3],
    ]);
    await t.graphql(REVOKE, { key: f.rival.key, variables: { id: rivals.id } });
    const small = await submitted(f.retailer, input(requestId, [0.5, 0.5]));
    await f.sql(`UPDATE flexibility.flex_offers SET expires_at = now() - interval '1 second' WHERE id = $1`, [small.id]);
    expect(await read()).toEqual([
      [iso(ISP_1()), 8, 2],
      [iso(ISP_2()), 6.5, 3.5],
    ]);
  });

  it('is FORBIDDEN to a retailer: it sums its competitors’ offers', async () => {
    const requestId = await request();
    const { body } = await t.graphql(SUFFICIENCY, { key: f.retailer.key, variables: { id: requestId } });
    expect(codes(body)).toEqual(['FORBIDDEN']);
  });

  it("lists every offer to the DSO, and an offerer's own only to it", async () => {
    const requestId = await request();
    const mine = await submitted(f.retailer, input(requestId, 1));
    const theirs = await submitted(f.rival, input(requestId, 1));
    const offers = async (key: string) => {
      const { body } = await t.graphql<{ flexRequest: { offers: { id: string; flexRequest: { id: string }; order: { id: string } | null }[] } }>(
        `query($id: ID!) { flexRequest(id: $id) { offers { id flexRequest { id } order { id } } } }`,
        { key, variables: { id: requestId } },
      );
      expect(body.errors).toBeUndefined();
      const listed = body.data!.flexRequest.offers;
      expect(listed.map((offer) => [offer.flexRequest.id, offer.order])).toEqual(listed.map(() => [requestId, null]));
      return listed.map((offer) => offer.id);
    };
    expect((await offers(f.dsoKey)).sort()).toEqual([mine.id, theirs.id].sort());
    expect(await offers(f.retailer.key)).toEqual([mine.id]);
    expect(await offers(f.rival.key)).toEqual([theirs.id]);
  });
});

const HUB_EVENTS = `subscription($after: ID) { hubEvents(types: [FLEX_OFFER], after: $after) { eventId type flexOffer { id organisationId status } } }`;
type HubEventData = { data: { hubEvents: { eventId: string; type: string; flexOffer: { id: string; organisationId: string; status: string } | null } } };

describe('FLEX_OFFER events', () => {
  it('reach the DSO and the offerer only, submitted then revoked, in order; another retailer gets none of them', async () => {
    const requestId = await request();
    const after = String(await latestEvent());
    const [dso, offerer, rival] = [f.dsoKey, f.retailer.key, f.rival.key].map((key) => subscribeOverWs<HubEventData>(t.hub.url, key, HUB_EVENTS, { after }));
    try {
      const offer = await submitted(f.retailer, input(requestId, 1));
      await t.graphql(REVOKE, { key: f.retailer.key, variables: { id: offer.id } });
      // The rival's own offer, after the retailer's: had the retailer's events reached it, they would come first.
      const rivals = await submitted(f.rival, input(requestId, 1));
      // Each event carries the offer as it is when delivered: which offer is what is checked here.
      const take = async (subscriber: typeof dso, count: number) => {
        const events = [];
        for (let i = 0; i < count; i++) events.push((await subscriber.next()).data.hubEvents);
        return events.map((event) => [event.type, event.flexOffer?.id]);
      };
      expect(await take(dso, 3)).toEqual([
        ['FLEX_OFFER', offer.id],
        ['FLEX_OFFER', offer.id],
        ['FLEX_OFFER', rivals.id],
      ]);
      expect(await take(offerer, 2)).toEqual([
        ['FLEX_OFFER', offer.id],
        ['FLEX_OFFER', offer.id],
      ]);
      expect(await take(rival, 1)).toEqual([['FLEX_OFFER', rivals.id]]);
      const { rows } = await f.sql(`SELECT payload->>'kind' AS kind FROM hub.outbox WHERE type = 'FLEX_OFFER' AND id > $1 ORDER BY id`, [after]);
      expect(rows.map((row) => row.kind)).toEqual(['SUBMITTED', 'REVOKED', 'SUBMITTED']);
    } finally {
      await Promise.all([dso, offerer, rival].map((subscriber) => subscriber.dispose()));
    }
  });
});

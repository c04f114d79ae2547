import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { writeHistory } from '../../tools/seed/history';
import { eventually } from '../../tools/testing/eventually';
import { flexRequestInput } from '../../tools/testing/flex-request-input';
import { ensureTestRedis, DEFAULT_TEST_REDIS_URL, type TestRedisServer } from '../../tools/testing/redis-server';
import { pointsSuppliedBy, pointsSuppliedNowBy, postGraphQL, startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
import { subscribeOverWs } from '../../tools/testing/ws-subscriber';

/** Every request and every subscription has a bound, on both transports, and one key's bound is not another's. */

let t: TestHub;
let dsoKey: string;
let retailerKey: string;
const statements: string[] = [];

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
const midnight = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const RETAILER = 'ret-edpc';

beforeAll(async () => {
  // 2,250 customers: the largest retailer lists just over 1,000 points (current and former), a
  // whole page, so that its portfolio's day is the README's "day of 1,000 points".
  t = await startTestHub({ customers: 2_250, onQuery: (query) => statements.push(query) });
  dsoKey = await t.createKey('dso', 'dso');
  retailerKey = await t.createKey('retailer', RETAILER);
  // Yesterday's readings of every point, straight into the database: the day the portfolio pulls.
  await writeHistory(t.database.handle, t.parish, { dayStartsMs: [midnight - DAY_MS] });
}, 120_000);

afterAll(() => t.stop());

describe('the work one operation may ask for', () => {
  it('refuses a year of 15-minute curves for a thousand points before reading any, says how to narrow it, and keeps answering', async () => {
    statements.length = 0;
    const { body } = await t.graphql(
      `query($from: DateTime!, $to: DateTime!) { meteringPoints(first: 1000) { edges { node { id loadCurve(from: $from, to: $to) { intervalStart importWh } } } } }`,
      { key: dsoKey, variables: { from: new Date(midnight - YEAR_MS).toISOString(), to: new Date(midnight).toISOString() } },
    );
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/budget/);
    expect(body.errors?.[0]?.message).toMatch(/fewer metering points \(first\).*coarser resolution.*loadCurveSeries/);
    // Refused from the document alone: not a statement was sent for it.
    expect(statements.filter((query) => /readings|metering_points/.test(query))).toEqual([]);
    const after = await t.graphql('{ me { role } }', { key: dsoKey });
    expect(after.body.data).toEqual({ me: { role: 'DSO' } });
  });

  it("lets a retailer pull its whole portfolio's day in one request as objects, and its week as series", async () => {
    expect(pointsSuppliedBy(t.parish, RETAILER).length).toBeGreaterThanOrEqual(1_000);
    // Yesterday lies in the current contracts only (every switch of the parish is years old): 96 readings of each current point, none of a former one.
    const current = new Set(pointsSuppliedNowBy(t.parish, RETAILER).map((point) => point.id));
    const quartersOf = (id: string) => (current.has(id) ? 96 : 0);
    const window = (days: number) => ({ from: new Date(midnight - days * DAY_MS).toISOString(), to: new Date(midnight).toISOString() });
    type Page<Node> = { meteringPoints: { totalCount: number; edges: { node: Node & { id: string } }[] } };
    const page = async <Node>(selection: string, days: number) => {
      const { body } = await t.graphql<Page<Node>>(`query($from: DateTime!, $to: DateTime!) { meteringPoints(first: 1000) { totalCount edges { node { id ${selection} } } } }`, {
        key: retailerKey,
        variables: window(days),
      });
      expect(body.errors).toBeUndefined();
      expect(body.data!.meteringPoints.totalCount).toBeGreaterThanOrEqual(1_000);
      expect(body.data!.meteringPoints.edges).toHaveLength(1_000);
      return body.data!.meteringPoints.edges.map((edge) => edge.node);
    };

    // A day as objects: 96,000 buckets at 10 each, under the operation budget (a day as series costs a tenth).
    const day = await page<{ loadCurve: { intervalStart: string; importWh: number }[] }>('loadCurve(from: $from, to: $to) { intervalStart importWh }', 1);
    expect(day.map((node) => node.loadCurve.length)).toEqual(day.map((node) => quartersOf(node.id)));
    expect(day.filter((node) => current.has(node.id)).length).toBeGreaterThan(900);
    // A week as series: 672,000 buckets at 1 each (as objects it would be refused), yesterday's filled in.
    const week = await page<{ loadCurveSeries: { importWh: (number | null)[] } }>('loadCurveSeries(from: $from, to: $to) { start resolution importWh exportWh }', 7);
    for (const node of week) expect(node.loadCurveSeries.importWh).toHaveLength(7 * 96);
    expect(week.map((node) => node.loadCurveSeries.importWh.slice(6 * 96).filter((wh) => wh !== null).length)).toEqual(week.map((node) => quartersOf(node.id)));
    expect(week.map((node) => node.loadCurveSeries.importWh.slice(0, 6 * 96).filter((wh) => wh !== null).length)).toEqual(week.map(() => 0));
  }, 60_000);

  it('caps each window by its resolution and each events window, with the way out in the message', async () => {
    const point = t.parish.meteringPoints[0]!.id;
    const curve = await t.graphql(`query($id: ID!, $from: DateTime!, $to: DateTime!) { meteringPoint(id: $id) { loadCurve(from: $from, to: $to, resolution: PT15M) { importWh } } }`, {
      key: dsoKey,
      variables: { id: point, from: new Date(midnight - YEAR_MS).toISOString(), to: new Date(midnight).toISOString() },
    });
    expect(curve.body.errors?.[0]?.message).toMatch(/at most 92 days; use resolution PT1H or P1D/);
    const events = await t.graphql(`query($id: ID!, $from: DateTime!, $to: DateTime!) { meteringPoint(id: $id) { events(from: $from, to: $to) { totalCount } } }`, {
      key: dsoKey,
      variables: { id: point, from: new Date(midnight - 2 * YEAR_MS).toISOString(), to: new Date(midnight).toISOString() },
    });
    expect(events.body.errors?.[0]?.message).toMatch(/at most 366 days/);
  });

  it('refuses a 1.2 MB document of repeated fields while parsing it, and keeps answering', async () => {
    const query = `{ ${'me { role } '.repeat(100_000)}}`;
    expect(query.length).toBeGreaterThan(1_200_000);
    const { status, body } = await t.graphql(query, { key: dsoKey });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/tokens/);
    expect((await t.graphql('{ me { role } }', { key: dsoKey })).status).toBe(200);
  });

  it('refuses too deep, too many aliases, too many directives and too costly a selection, on HTTP and WebSocket alike', async () => {
    // The defaults are generous for the hub's own schema; small ones show each limit bites.
    const small = await startTestHub({ customers: 20, gateway: { limits: { maxDepth: 4, maxAliases: 10, maxDirectives: 5, maxCost: 2_000, maxTokens: 5_000 } } });
    const key = await small.createKey('dso', 'dso');
    const ws = createClient({ url: `${small.hub.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: key }, retryAttempts: 0 });
    const overWs = (query: string) => new Promise<unknown>((resolve) => ws.subscribe({ query }, { next: () => undefined, error: resolve, complete: () => resolve(null) }));
    try {
      for (const [query, pattern] of [
        ['{ meteringPoints { edges { node { secondarySubstation { feeders { id } } } } } }', /depth/i],
        [`{ ${Array.from({ length: 11 }, (_, i) => `a${i}: me { role }`).join(' ')} }`, /aliases/i],
        [`{ me { role ${'@include(if: true) '.repeat(6)} } }`, /directives/i],
        ['{ meteringPoints(first: 1000) { edges { node { id retailerId contractedPowerKva } } } }', /cost/i],
      ] as const) {
        const { body } = await small.graphql(query, { key });
        expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(body.errors?.[0]?.message).toMatch(pattern);
        expect(JSON.stringify(await overWs(query))).toMatch(pattern);
      }
    } finally {
      await ws.dispose();
      await small.stop();
    }
  });

  it('refuses text holding NUL and times outside 2000-2100 as the client\'s error, before any statement, on both transports', async () => {
    const ws = createClient({ url: `${t.hub.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: dsoKey }, retryAttempts: 0 });
    const overWs = (query: string, variables: Record<string, unknown>) =>
      new Promise<unknown>((resolve) => ws.subscribe({ query, variables }, { next: resolve, error: resolve, complete: () => resolve(null) }));
    const query = 'query($id: ID!, $from: DateTime!) { meteringPoint(id: $id) { events(from: $from, to: $from) { totalCount } } }';
    try {
      // NUL is refused by the gateway itself; a time, by the subgraph whose scalar it is.
      for (const [variables, pattern, expectedStatus] of [
        [{ id: 'PT\u0000', from: '2026-01-01T00:00:00Z' }, /NUL/, 400],
        [{ id: 'PT0002000000000001AA', from: '1970-01-01T00:00:00Z' }, /2000-01-01/, 200],
      ] as const) {
        statements.length = 0;
        const { status, body } = await t.graphql(query, { key: dsoKey, variables });
        expect(status).toBe(expectedStatus);
        expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(body.errors?.[0]?.message).toMatch(pattern);
        expect(JSON.stringify(await overWs(query, variables))).toMatch(pattern);
        expect(statements.filter((statement) => /metering\.(events|metering_points)/.test(statement))).toEqual([]);
      }
    } finally {
      await ws.dispose();
    }
  });

  it('hides field suggestions, so the schema is not guessed from errors', async () => {
    const { body } = await t.graphql('{ meteringPoints { totalCoun } }', { key: dsoKey });
    expect(body.errors?.[0]?.message).toMatch(/Cannot query field "totalCoun"/);
    expect(JSON.stringify(body)).not.toMatch(/Did you mean|totalCount/);
  });

  it('closes a socket that sends a message larger than the HTTP body limit', async () => {
    const socket = new WebSocket(`${t.hub.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: dsoKey, padding: 'x'.repeat(3 * 1024 * 1024) } }));
    expect(await closed).toBe(1009);
  });
});

describe('per-key rate limits and subscription caps', () => {
  const burst = (hub: { url: string }, key: string, n: number) => Promise.all(Array.from({ length: n }, () => postGraphQL(`${hub.url}/graphql`, '{ me { role } }', { authorization: `Bearer ${key}` })));

  it('answers a burst from one key with 429, RATE_LIMITED and Retry-After, while another key is served', async () => {
    const limited = await startTestHub({ customers: 20, gateway: { rateLimit: { requests: 5, windowS: 60 } } });
    try {
      const [noisy, quiet] = [await limited.createKey('retailer', 'ret-edpc'), await limited.createKey('retailer', 'ret-endesa')];
      const answers = await burst(limited.hub, noisy, 8);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
      const refused = answers.filter((a) => a.status === 429);
      expect(refused).toHaveLength(3);
      expect(refused[0]!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      const raw = await fetch(`${limited.hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${noisy}` }, body: '{"query":"{ me { role } }"}' });
      expect(raw.status).toBe(429);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await limited.graphql('{ me { role } }', { key: quiet })).status).toBe(200);
      // Operations over a socket draw on the same budget.
      const ws = createClient({ url: `${limited.hub.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: noisy }, retryAttempts: 0 });
      try {
        const errors = await new Promise<unknown>((resolve) => ws.subscribe({ query: '{ me { role } }' }, { next: () => undefined, error: resolve, complete: () => resolve(null) }));
        expect(JSON.stringify(errors)).toContain('RATE_LIMITED');
      } finally {
        await ws.dispose();
      }
    } finally {
      await limited.stop();
    }
  });

  it('caps the subscriptions one key holds at once, and frees a place when one ends', async () => {
    const capped = await startTestHub({ customers: 20, gateway: { maxSubscriptionsPerKey: 2 } });
    try {
      // A market event to replay, published to the retailer (at a feeder where it has a customer): a subscription that runs answers with it, one refused with an error.
      const dso = await capped.createKey('dso', 'dso');
      const feederId = capped.parish.connections.find((connection) => capped.parish.meteringPoints.some((point) => point.id === connection.meteringPointId && point.retailerId === 'ret-edpc'))!.feederId;
      const request = await capped.graphql(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
        key: dso,
        variables: { input: flexRequestInput(feederId, 10) },
      });
      expect(request.body.errors).toBeUndefined();
      const key = await capped.createKey('retailer', 'ret-edpc');
      const query = 'subscription { contractedPowerOrders { eventId } }';
      const [first, second] = [subscribeOverWs(capped.hub.url, key, query), subscribeOverWs(capped.hub.url, key, query)];
      await Promise.all([first.connected, second.connected]);
      /** A third subscription of the key, on a socket of its own closed once it has answered: its place is freed again. */
      const third = async () => {
        const client = createClient({ url: `${capped.hub.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: key }, retryAttempts: 0 });
        try {
          return await new Promise<string>((resolve) => {
            client.subscribe(
              { query: 'subscription { hubEvents(after: "0") { eventId } }' },
              {
                next: () => resolve('running'),
                error: (errors) => resolve(JSON.stringify(errors)),
                complete: () => resolve('completed'),
              },
            );
          });
        } finally {
          await client.dispose();
        }
      };
      // The first two may still be taking their places: the third is refused once they hold them.
      await eventually(async () => (await third()).includes('RATE_LIMITED'), 'a third subscription refused while two are held');
      await first.dispose();
      await eventually(async () => (await third()) === 'running', 'a third subscription running once the first ended');
      await second.dispose();
    } finally {
      await capped.stop();
    }
  });

  describe('shared by replicas through Redis', () => {
    let redis: TestRedisServer;
    beforeAll(async () => {
      redis = await ensureTestRedis(process.env.REDIS_URL ?? DEFAULT_TEST_REDIS_URL);
    });
    afterAll(() => redis.stop());

    it("counts one key's requests on every replica together", async () => {
      const shared = await startTestHub({ customers: 20, gateway: { rateLimit: { requests: 6, windowS: 60 }, redisUrl: redis.url } });
      try {
        const replica = await shared.startReplica();
        const key = await shared.createKey('retailer', 'ret-edpc');
        const answers = [...(await burst(shared.hub, key, 4)), ...(await burst(replica, key, 4))];
        expect(answers.filter((a) => a.status === 200)).toHaveLength(6);
        expect(answers.filter((a) => a.status === 429)).toHaveLength(2);
      } finally {
        await shared.stop();
      }
    });
  });
});

import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { ApiKeysRepo } from '../../gateway/api-keys.repo';
import type { Role } from '../../schema/identity';
import { SUBGRAPH_NAMES } from '../../schema/subgraphs';
import { MIGRATIONS_DIR } from '../../subgraphs/kit/migrate';
import { latestOutboxId } from '../../subgraphs/kit/outbox-tail';
import { generateParish, type Parish } from '../seed/parish';
import { writeParish } from '../seed/write';
import { testEventBus, type EventBusKind, type TestEventBus } from '../testing/event-bus';
import { freePort } from '../testing/free-port';
import { postGraphQL } from '../testing/hub-fixture';
import { createEmptyDatabase, killLeftoverParts, startNpmPart, waitUntilReady, type PartExit, type PartProcess } from '../testing/part-process';
import { runNpm } from '../testing/run-command';
import type { TestDatabase } from '../testing/test-database';
import { subscribeOverWs, type TestSubscriber } from '../testing/ws-subscriber';

// Seven `npm run` processes (npm, tsx and node each) start on two cores, per transport.
jest.setTimeout(240_000);

const URL_VARIABLES = SUBGRAPH_NAMES.map((name) => `SUBGRAPH_${name.toUpperCase()}_URL`);

/** The test runner's environment with what an operator exports (README, "Running the parts separately"), and none of the parts' settings it does not say. */
function operatorEnv(exported: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
  for (const name of ['PORT', 'HOST', 'SUBGRAPH_PORT', 'SUBGRAPH_HOST', 'EVENT_BUS', 'NATS_STREAM', 'HUB_IDENTITY_SECRET', ...URL_VARIABLES]) delete env[name];
  return { ...env, ...exported };
}

/** As `openssl rand -base64 48` makes it: 64 characters of base64, '+', '/' and all. */
const opensslSecret = () => randomBytes(48).toString('base64');

const RETAILER_QUERY = '{ meteringPoints(first: 5) { edges { node { id retailerId secondarySubstation { name } tariff { name } hems { vendor } } } } }';

interface PointNode {
  id: string;
  retailerId: string | null;
  secondarySubstation: { name: string } | null;
  tariff: { name: string } | null;
  hems: { vendor: string } | null;
}

const SUBSCRIPTION = `subscription($after: ID) {
  contractedPowerOrders(after: $after) {
    eventId kind
    order { id }
    affected { meteringPoint { id retailerId } }
  }
}`;

interface OrderEvent {
  data: { contractedPowerOrders: { eventId: string; kind: string; order: { id: string }; affected: { meteringPoint: { id: string; retailerId: string } }[] } };
}

const ISSUE = 'mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id status } }';
const RESTORE = 'mutation($id: ID!) { restoreContractedPowerOrder(id: $id) { status } }';

/**
 * What the federated query should say of a point to `retailer`: its secondary substation (grid),
 * tariff (tariffs) and HEMS (hems) if it supplies the point now, nothing of its present state if
 * it supplied it once.
 */
function expectedNode(parish: Parish, retailer: string, pointId: string): PointNode {
  const point = parish.meteringPoints.find((p) => p.id === pointId)!;
  if (point.retailerId !== retailer) return { id: pointId, retailerId: null, secondarySubstation: null, tariff: null, hems: null };
  const feeder = parish.feeders.find((f) => f.id === parish.connections.find((c) => c.meteringPointId === pointId)!.feederId)!;
  const secondary = parish.secondarySubstations.find((s) => s.id === feeder.secondarySubstationId)!;
  const scheme = parish.tariffSchemes.find((s) => s.id === parish.tariffAssignments.find((a) => a.meteringPointId === pointId && a.validTo === null)!.schemeId)!;
  const hems = parish.hemsSystems.find((h) => h.meteringPointId === pointId);
  return { id: pointId, retailerId: retailer, secondarySubstation: { name: secondary.name }, tariff: { name: scheme.name }, hems: hems ? { vendor: hems.vendor } : null };
}

/** The points on the feeders, by their retailer now: what each retailer's event should list. */
function pointsByRetailer(parish: Parish, feeders: Set<string>): Map<string, string[]> {
  const points = new Set(parish.connections.filter((c) => feeders.has(c.feederId)).map((c) => c.meteringPointId));
  const byRetailer = new Map<string, string[]>();
  for (const point of parish.meteringPoints.filter((p) => points.has(p.id))) byRetailer.set(point.retailerId, [...(byRetailer.get(point.retailerId) ?? []), point.id].sort());
  return byRetailer;
}

/** The points under a primary substation, by their retailer now. */
function affectedByRetailer(parish: Parish, primaryId: string): Map<string, string[]> {
  const secondaries = new Set(parish.secondarySubstations.filter((s) => s.primarySubstationId === primaryId).map((s) => s.id));
  return pointsByRetailer(parish, new Set(parish.feeders.filter((f) => secondaries.has(f.secondarySubstationId)).map((f) => f.id)));
}

/** A part's end after SIGTERM, reduced to what is asserted, so that a failure names the part and shows its output. */
const shutdownOf = (label: string, exit: PartExit) => ({
  label,
  // 143 with tsx in between: tsx gave up waiting for the part and SIGKILLed it (see the report).
  code: exit.code,
  signal: exit.signal,
  killedAfterGrace: exit.killed,
  leftRunning: exit.groupAlive,
  saidShuttingDown: exit.output.includes('"msg":"shutting down"'),
  unclean: /unclean/i.test(exit.output) ? exit.output : null,
});

describe.each<EventBusKind>(['postgres', 'nats'])('the parts run separately with EVENT_BUS=%s', (transport) => {
  let database: TestDatabase;
  let bus: TestEventBus;
  let parish: Parish;
  let subgraphs: PartProcess[];
  let gatewayA: PartProcess;
  let gatewayB: PartProcess;
  let urlA: string;
  let urlB: string;
  let startedInMs: number;
  const subscribers: TestSubscriber<unknown>[] = [];

  /** Keys made straight in the database, as `npm run keys` does: the parts share nothing but it. */
  const createKey = async (role: Role, organisationId: string) => (await new ApiKeysRepo(database.handle.db).create({ name: `parts-apart ${role}`, organisationId, role })).key;

  beforeAll(async () => {
    const began = Date.now();
    // Empty, not even migrated: every part applies the migrations at start, all seven at once.
    database = await createEmptyDatabase();
    bus = testEventBus(transport);
    const busEnv: Record<string, string> = bus.config.kind === 'nats' ? { EVENT_BUS: 'nats', NATS_URL: bus.config.natsUrl, NATS_STREAM: bus.config.stream } : { EVENT_BUS: 'postgres' };
    const shared = { DATABASE_URL: database.url, HUB_IDENTITY_SECRET: opensslSecret(), ...busEnv };
    const subgraphPorts = await Promise.all(SUBGRAPH_NAMES.map(() => freePort()));
    const [portA, portB] = [await freePort(), await freePort()];
    const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((_, i) => [URL_VARIABLES[i]!, `http://127.0.0.1:${subgraphPorts[i]}/graphql`]));
    // All seven in parallel: a gateway starts without its subgraphs and is ready once they answer.
    subgraphs = SUBGRAPH_NAMES.map((name, i) =>
      startNpmPart(`subgraph ${name}`, ['run', 'start:subgraph', '--', name], operatorEnv({ ...shared, SUBGRAPH_HOST: '127.0.0.1', SUBGRAPH_PORT: String(subgraphPorts[i]) })),
    );
    gatewayA = startNpmPart('gateway A', ['run', 'start:gateway'], operatorEnv({ ...shared, ...subgraphUrls, HOST: '127.0.0.1', PORT: String(portA) }));
    gatewayB = startNpmPart('gateway B', ['run', 'start:gateway'], operatorEnv({ ...shared, ...subgraphUrls, HOST: '127.0.0.1', PORT: String(portB) }));
    [urlA, urlB] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    const all = [...subgraphs, gatewayA, gatewayB];
    await Promise.all([waitUntilReady(urlA, all, 180_000), waitUntilReady(urlB, all, 180_000)]);
    startedInMs = Date.now() - began;
    // The parish goes in once the parts have made the schema; they read it per request, so it may come after them.
    parish = generateParish({ customers: 200 });
    await writeParish(database.handle, parish);
  });

  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
  });

  afterAll(async () => {
    // Whatever the tests did: no process outlives the file, and the database and stream go.
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
    await killLeftoverParts();
    await bus?.cleanup();
    await database?.drop();
  });

  it('migrates an empty database from parts started together, each migration once', async () => {
    // In the test output: the start-up time of seven processes on this machine.
    console.info(`[${transport}] 5 subgraphs + 2 gateways migrated an empty database and were ready in ${startedInMs} ms`);
    const { rows } = await database.handle.pool.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
    expect(Number(rows[0]!.n)).toBe(readdirSync(MIGRATIONS_DIR).filter((file) => file.endsWith('.sql')).length);
  });

  it('answers a query federated over metering, grid, tariffs and hems the same way through both gateways', async () => {
    const retailer = 'ret-edpc';
    const key = await createKey('retailer', retailer);
    const [onA, onB] = await Promise.all([urlA, urlB].map((url) => postGraphQL<{ meteringPoints: { edges: { node: PointNode }[] } }>(`${url}/graphql`, RETAILER_QUERY, { authorization: `Bearer ${key}` })));
    expect(onA!.status).toBe(200);
    expect(onA!.body.errors).toBeUndefined();
    const nodes = onA!.body.data!.meteringPoints.edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(5);
    expect(nodes).toEqual(nodes.map((node) => expectedNode(parish, retailer, node.id)));
    // Some of them with every subgraph's part filled in, or the query proved nothing of federation.
    expect(nodes.some((node) => node.secondarySubstation && node.tariff)).toBe(true);
    expect(onB!.body).toEqual(onA!.body);
  });

  it("delivers a mutation's events from gateway A to retailers on gateway B and the DSO on A, in the same order, each retailer with its own points only", async () => {
    const primary = parish.primarySubstations[0]!.id;
    const expected = affectedByRetailer(parish, primary);
    const retailers = parish.organisations.filter((org) => org.kind === 'retailer').map((org) => org.id);
    // Every retailer has points under the primary substation: its orders reach every subscriber.
    expect([...expected.keys()].sort()).toEqual([...retailers].sort());
    // A feeder where some retailer has no point (and others have some): its order must reach those others only.
    const lonelyFeeder = parish.feeders.find((feeder) => {
      const byRetailer = pointsByRetailer(parish, new Set([feeder.id]));
      return byRetailer.size > 0 && byRetailer.size < retailers.length;
    });
    if (!lonelyFeeder) throw new Error('the parish has no feeder without points of some retailer');
    const onLonelyFeeder = pointsByRetailer(parish, new Set([lonelyFeeder.id]));
    const withoutPoints = retailers.filter((retailer) => !onLonelyFeeder.has(retailer));
    const dsoKey = await createKey('dso', 'dso');
    const since = String(await latestOutboxId(database.handle.pool));
    // `after` makes the gateway replay from the outbox: nothing is lost between subscribing and the first mutation.
    const dso = subscribeOverWs<OrderEvent>(urlA, dsoKey, SUBSCRIPTION, { after: since });
    const onB = new Map<string, TestSubscriber<OrderEvent>>();
    for (const retailer of retailers) onB.set(retailer, subscribeOverWs<OrderEvent>(urlB, await createKey('retailer', retailer), SUBSCRIPTION, { after: since }));
    subscribers.push(dso, ...onB.values());
    await Promise.all([dso, ...onB.values()].map((subscriber) => subscriber.connected));

    const input = (area: Record<string, unknown>, reductionPercent: number) => ({
      area,
      reductionPercent,
      start: new Date(Date.now() - 60 * 60_000).toISOString(),
      expectedEnd: new Date(Date.now() + 60 * 60_000).toISOString(),
      reason: `Overload in the parish (${transport})`,
    });
    const toA = (query: string, variables: Record<string, unknown>) =>
      postGraphQL<Record<string, { id?: string; status: string }>>(`${urlA}/graphql`, query, { authorization: `Bearer ${dsoKey}` }, variables);
    const issue = async (area: Record<string, unknown>, reductionPercent: number) => {
      const answer = await toA(ISSUE, { input: input(area, reductionPercent) });
      expect(answer.body.errors).toBeUndefined();
      return answer.body.data!.issueContractedPowerOrder!.id!;
    };
    // Five events, all from mutations sent to gateway A: two orders, the first one's restoration,
    // an order on the lonely feeder, and last a sentinel order that every retailer gets.
    const firstId = await issue({ primarySubstationId: primary }, 30);
    const secondId = await issue({ primarySubstationId: primary }, 50);
    expect((await toA(RESTORE, { id: firstId })).body.data).toEqual({ restoreContractedPowerOrder: { status: 'RESTORED' } });
    const lonelyId = await issue({ feederIds: [lonelyFeeder.id] }, 20);
    const sentinelId = await issue({ primarySubstationId: primary }, 10);
    /** Each event sent, with the points of each retailer it concerns. */
    const sent: { kind: string; orderId: string; byRetailer: Map<string, string[]> }[] = [
      { kind: 'ISSUED', orderId: firstId, byRetailer: expected },
      { kind: 'ISSUED', orderId: secondId, byRetailer: expected },
      { kind: 'RESTORED', orderId: firstId, byRetailer: expected },
      { kind: 'ISSUED', orderId: lonelyId, byRetailer: onLonelyFeeder },
      { kind: 'ISSUED', orderId: sentinelId, byRetailer: expected },
    ];

    // Within a deadline: an event due and never delivered fails naming what came, not at the file's timeout.
    const take = async (subscriber: TestSubscriber<OrderEvent>, count: number) => {
      const events: OrderEvent['data']['contractedPowerOrders'][] = [];
      const deadline = Date.now() + 20_000;
      for (let i = 0; i < count; i++) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`event ${i + 1} of ${count} did not come; received ${JSON.stringify(events.map((e) => [e.kind, e.order.id]))}`)), deadline - Date.now());
        });
        events.push((await Promise.race([subscriber.next(), late]).finally(() => clearTimeout(timer))).data.contractedPowerOrders);
      }
      return events;
    };
    const dsoEvents = await take(dso, sent.length);
    expect(dsoEvents.map((event) => [event.kind, event.order.id])).toEqual(sent.map((event) => [event.kind, event.orderId]));
    dsoEvents.forEach((event, i) => expect(event.affected.map((a) => a.meteringPoint.id).sort()).toEqual([...sent[i]!.byRetailer.values()].flat().sort()));

    for (const [retailer, subscriber] of onB) {
      // The events that concern the retailer, by their position in what was sent; the sentinel is last.
      const due = sent.flatMap((event, i) => (event.byRetailer.has(retailer) ? [i] : []));
      const events = await take(subscriber, due.length);
      // The same events, by id, in the same order as on the other gateway: for a retailer without
      // points on the lonely feeder, the sentinel right after the restoration, not the lonely order.
      expect(events.map((event) => [event.eventId, event.kind, event.order.id])).toEqual(due.map((i) => [dsoEvents[i]!.eventId, dsoEvents[i]!.kind, dsoEvents[i]!.order.id]));
      events.forEach((event, j) => {
        expect(event.affected.map((a) => a.meteringPoint.id).sort()).toEqual(sent[due[j]!]!.byRetailer.get(retailer));
        expect(event.affected.every((a) => a.meteringPoint.retailerId === retailer)).toBe(true);
      });
    }
    // The check above means something: some retailer was due the lonely order and some was not.
    expect(withoutPoints.length).toBeGreaterThan(0);
    expect(onLonelyFeeder.size).toBeGreaterThan(0);
    // Nothing was sent after the sentinel: nobody received more.
    for (const subscriber of [dso, ...onB.values()]) expect(subscriber.queued).toEqual([]);
  });

  it('stops every part on SIGTERM to its process group: each exits 0 after saying it is shutting down, none uncleanly', async () => {
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
    // The gateways first, as an operator drains the front before the back; then the subgraphs together.
    const gateways = await Promise.all([gatewayA, gatewayB].map(async (part) => shutdownOf(part.label, await part.stop())));
    const rest = await Promise.all(subgraphs.map(async (part) => shutdownOf(part.label, await part.stop())));
    const clean = (label: string) => ({ label, code: 0, signal: null, killedAfterGrace: false, leftRunning: false, saidShuttingDown: true, unclean: null });
    expect([...gateways, ...rest]).toEqual([gatewayA, gatewayB, ...subgraphs].map((part) => clean(part.label)));
  });
});

describe('a part started without what it needs', () => {
  it('start:gateway without HUB_IDENTITY_SECRET exits non-zero at once, naming the variable', async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await runNpm(['run', 'start:gateway'], operatorEnv({ DATABASE_URL: 'postgres://127.0.0.1:1/none', PORT: '0' }));
    expect(code).not.toBe(0);
    expect(stderr).toContain('HUB_IDENTITY_SECRET: Required');
    // Before touching the database (there is none at that address) and without a stack trace.
    expect(stdout + stderr).not.toMatch(/ECONNREFUSED|listening|\n\s+at /);
    console.info(`start:gateway without HUB_IDENTITY_SECRET exited ${code} in ${Date.now() - started} ms`);
  });

  it('start:subgraph with an unknown name exits non-zero, naming the known subgraphs', async () => {
    const { code, stderr } = await runNpm(['run', 'start:subgraph', '--', 'nonsense'], operatorEnv({ DATABASE_URL: 'postgres://127.0.0.1:1/none', HUB_IDENTITY_SECRET: opensslSecret() }));
    expect(code).not.toBe(0);
    expect(stderr).toContain(`Unknown subgraph "nonsense": expected one of ${SUBGRAPH_NAMES.join(', ')}`);
  });
});

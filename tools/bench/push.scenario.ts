import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client as PgClient } from 'pg';
import { OUTBOX_CHANNEL } from '../../schema/events';
import type { Parish } from '../seed/parish';
import { testEventBus } from '../testing/event-bus';
import { postGraphQL } from '../testing/hub-fixture';
import { DEFAULT_TEST_NATS_URL, ensureTestNats } from '../testing/nats-server';
import {
  monotonicMs,
  spawnChild,
  TimeoutError,
  type Child,
  type ClientCommand,
  type ClientReport,
  type FloorCommand,
  type FloorKind,
  type FloorReport,
} from './push/protocol';
import type { Scenario } from './scenario';
import { percentile, round } from './stats';
import { openBenchHub } from './bench-hub';

const SOCKET_COUNTS = [100, 1_000, 10_000] as const;
const NATS_SOCKETS = 1_000;
const EVENTS = 20;
/** Warm-up events: enough for the JIT and the caches on the event path to settle. */
const WARMUPS = 3;
/** More of them while some socket still misses one: the last subscriptions may register after the first. */
const WARMUPS_MAX = 8;
const CONNECT_TIMEOUT_MS = 120_000;
const EVENT_TIMEOUT_MS = 15_000;
/** The server's own sockets, plus its database pool, listeners and files. */
const SERVER_FDS_NEEDED = Math.max(...SOCKET_COUNTS) + 1_000;

const SUBSCRIPTION = 'subscription { contractedPowerOrders { eventId kind order { id } affected { temporaryMaxPowerKw meteringPoint { id } } } }';
const ISSUE = 'mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Memory {
  rssBytes: number;
  heapUsedBytes: number;
}

function ownMemory(): Memory {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapUsedBytes: heapUsed };
}

interface FanOut {
  /** One per socket and event; Infinity where a frame never came. */
  latenciesMs: number[];
  missed: number;
  rssBytesPerSocket: number;
  heapBytesPerSocket: number;
  /** What socket 0 received for the last warm-up event. */
  sample: string;
}

interface Target {
  url: string;
  subscribe: Extract<ClientCommand, { type: 'connect' }>['subscribe'];
  memory(): Promise<Memory>;
  /** Makes one event happen; t0Ms (monotonic) is when it came to exist, orderId tells its frames apart. */
  trigger(): Promise<{ t0Ms: number; orderId: string }>;
}

type Client = Child<ClientCommand, ClientReport>;

/** `count` sockets on the target, warmed up, then EVENTS events one after another. */
async function fanOut(client: Client, target: Target, count: number): Promise<FanOut> {
  const before = await target.memory();
  client.send({ type: 'connect', url: target.url, count, subscribe: target.subscribe });
  try {
    await client.next('connected', CONNECT_TIMEOUT_MS);
    const waitFor = async (t0Ms: number, orderId: string) => {
      try {
        return { t0Ms, ...(await client.next('event', EVENT_TIMEOUT_MS, (event) => event.orderId === orderId)) };
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
        client.send({ type: 'report', orderId });
        return { t0Ms, ...(await client.next('event', EVENT_TIMEOUT_MS, (event) => event.orderId === orderId)) };
      }
    };
    const triggerAndWait = async () => {
      const { t0Ms, orderId } = await target.trigger();
      return waitFor(t0Ms, orderId);
    };
    let warmup = await triggerAndWait();
    for (let i = 1; i < WARMUPS_MAX && (i < WARMUPS || warmup.arrivalsMs.includes(null)); i++) warmup = await triggerAndWait();
    if (warmup.arrivalsMs.includes(null)) throw new Error(`${count} sockets: ${warmup.arrivalsMs.filter((at) => at === null).length} never got a warm-up event`);
    const after = await target.memory();

    const latenciesMs: number[] = [];
    let missed = 0;
    for (let i = 0; i < EVENTS; i++) {
      const event = await triggerAndWait();
      for (const atMs of event.arrivalsMs) latenciesMs.push(atMs === null ? Number.POSITIVE_INFINITY : atMs - event.t0Ms);
      const lost = event.arrivalsMs.filter((atMs) => atMs === null).length;
      missed += lost;
      // Later frames of a stalled run would measure the backlog, not the fan-out.
      if (lost > 0) break;
    }
    return {
      latenciesMs,
      missed,
      rssBytesPerSocket: (after.rssBytes - before.rssBytes) / count,
      heapBytesPerSocket: (after.heapUsedBytes - before.heapUsedBytes) / count,
      sample: warmup.sample,
    };
  } finally {
    client.send({ type: 'close' });
    await client.next('closed', CONNECT_TIMEOUT_MS).catch(() => undefined);
  }
}

/** A floor server in a fresh process, publishing payloads shaped like `data`. */
async function floorFanOut(client: Client, kind: FloorKind, data: unknown, count: number): Promise<FanOut> {
  const floor = spawnChild<FloorCommand, FloorReport>('floor-server.ts', ['--expose-gc']);
  try {
    floor.send({ type: 'start', kind, data });
    const { port } = await floor.next('listening', CONNECT_TIMEOUT_MS);
    let eventId = 0;
    return await fanOut(
      client,
      {
        url: `ws://127.0.0.1:${port}`,
        subscribe: kind === 'graphql-ws' ? { keys: [''], query: SUBSCRIPTION } : null,
        memory: async () => {
          floor.send({ type: 'memory' });
          return floor.next('memory', EVENT_TIMEOUT_MS);
        },
        trigger: async () => {
          // The same length as the hub's ids (cpo- and a UUID), so frames are the same size.
          const orderId = `cpo-${randomUUID()}`;
          floor.send({ type: 'publish', eventId: ++eventId, orderId });
          return { t0Ms: (await floor.next('published', EVENT_TIMEOUT_MS)).t0Ms, orderId };
        },
      },
      count,
    );
  } finally {
    floor.send({ type: 'stop' });
    floor.kill();
  }
}

/** The smallest secondary substation whose points belong to all four retailers: every retailer group gets a frame, and frames stay small. */
function substationOfAllRetailers(parish: Parish, retailerIds: readonly string[]): string {
  const secondaryOfFeeder = new Map(parish.feeders.map((feeder) => [feeder.id, feeder.secondarySubstationId]));
  const retailerOfPoint = new Map(parish.meteringPoints.map((point) => [point.id, point.retailerId]));
  const retailersOf = new Map<string, { points: number; retailers: Set<string> }>();
  for (const connection of parish.connections) {
    const secondary = secondaryOfFeeder.get(connection.feederId)!;
    const entry = retailersOf.get(secondary) ?? { points: 0, retailers: new Set<string>() };
    entry.points++;
    entry.retailers.add(retailerOfPoint.get(connection.meteringPointId)!);
    retailersOf.set(secondary, entry);
  }
  const candidates = [...retailersOf].filter(([, entry]) => retailerIds.every((id) => entry.retailers.has(id))).sort(([, a], [, b]) => a.points - b.points);
  if (candidates.length === 0) throw new Error('No secondary substation serves all retailers');
  return candidates[0]![0];
}

/**
 * When commits become visible, as a LISTEN on the outbox channel sees them: PostgreSQL notifies at
 * commit, so this is the earliest a client can observe one, and the moment the hub's own
 * listener is woken. The bench is the database's only writer, so the next notification after a
 * request is that request's event.
 */
async function observeCommits(connectionString: string) {
  const listener = new PgClient({ connectionString });
  await listener.connect();
  let seen: (atMs: number) => void = () => undefined;
  listener.on('notification', () => seen(monotonicMs()));
  await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
  return {
    /** Resolves with the time of the next commit; call before sending the request. */
    next(): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no commit notified within ${EVENT_TIMEOUT_MS} ms`)), EVENT_TIMEOUT_MS);
        seen = (atMs) => {
          clearTimeout(timer);
          seen = () => undefined;
          resolve(atMs);
        };
      });
    },
    close: () => listener.end(),
  };
}

function serverFdLimit(): number {
  // A child's soft limit is this process's: node cannot read its own rlimit.
  return Number(execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
}

const summary = (run: FanOut) => ({
  p50Ms: round(percentile(run.latenciesMs, 50)),
  p99Ms: round(percentile(run.latenciesMs, 99)),
  maxMs: round(percentile(run.latenciesMs, 100)),
});

/**
 * A contracted-power order pushed to 100, 1,000 and 10,000 retailer sockets subscribed through
 * the hub, against two floors with the same sockets, client and payload size in the same run: a
 * bare graphql-ws server, and a plain ws server writing one pre-serialised frame to every socket.
 */
export const pushScenario: Scenario = {
  name: 'push',
  description: 'an order pushed to 100 / 1,000 / 10,000 retailer sockets: hub vs bare graphql-ws vs pre-serialised ws',
  async run({ customers }) {
    const fdLimit = serverFdLimit();
    if (fdLimit < SERVER_FDS_NEEDED) throw new Error(`push needs ${SERVER_FDS_NEEDED} file descriptors and has ${fdLimit}: run it after \`ulimit -n 65536\``);
    const bench = await openBenchHub(customers);
    const { database, parish, createKey } = bench;
    const commits = await observeCommits(database.connectionString);
    const client = spawnChild<ClientCommand, ClientReport>('client.ts');
    try {
      const retailerIds = parish.organisations.filter((org) => org.kind === 'retailer').map((org) => org.id);
      const retailerKeys = await Promise.all(retailerIds.map(async (id) => (await createKey('retailer', id)).key));
      const dsoKey = (await createKey('dso', 'dso')).key;
      const secondarySubstationId = substationOfAllRetailers(parish, retailerIds);
      const requestToCommitMs: number[] = [];
      const requestToResponseMs: number[] = [];
      const hubTarget: Target = {
        get url() {
          return `${bench.hub.url.replace(/^http/, 'ws')}/graphql`;
        },
        subscribe: { keys: retailerKeys, query: SUBSCRIPTION },
        memory: async () => ownMemory(),
        trigger: async () => {
          const input = {
            area: { secondarySubstationIds: [secondarySubstationId] },
            reductionPercent: 30,
            start: new Date(Date.now() - 3_600_000).toISOString(),
            expectedEnd: new Date(Date.now() + 3_600_000).toISOString(),
            reason: 'bench push',
          };
          const committed = commits.next();
          const sentMs = monotonicMs();
          const { body } = await postGraphQL<{ issueContractedPowerOrder: { id: string } }>(`${bench.hub.url}/graphql`, ISSUE, { authorization: `Bearer ${dsoKey}` }, { input });
          requestToResponseMs.push(monotonicMs() - sentMs);
          if (!body.data) throw new Error(`issueContractedPowerOrder failed: ${JSON.stringify(body.errors)}`);
          const t0Ms = await committed;
          requestToCommitMs.push(t0Ms - sentMs);
          return { t0Ms, orderId: body.data.issueContractedPowerOrder.id };
        },
      };

      const metrics: Record<string, number> = {};
      const table: Record<string, string | number>[] = [];
      for (const count of SOCKET_COUNTS) {
        const viaHub = await fanOut(client, hubTarget, count);
        // A retailer's whole `next` payload, as the hub sent it: the floors send the same bytes.
        const data = (JSON.parse(viaHub.sample) as { payload: { data: unknown } }).payload.data;
        const bare = await floorFanOut(client, 'graphql-ws', data, count);
        const raw = await floorFanOut(client, 'raw', data, count);
        const hubSummary = summary(viaHub);
        metrics[`p50Ms_${count}`] = hubSummary.p50Ms;
        metrics[`p99Ms_${count}`] = hubSummary.p99Ms;
        metrics[`maxMs_${count}`] = hubSummary.maxMs;
        metrics[`floorP99Ms_${count}`] = summary(bare).p99Ms;
        metrics[`rawFloorP99Ms_${count}`] = summary(raw).p99Ms;
        // The heap after a full GC, not RSS: this process's RSS still holds what seeding and the
        // previous runs freed, so its growth understates (at 1,000 sockets, below the heap's).
        if (count === 1_000) metrics.bytesPerSocket = Math.round(viaHub.heapBytesPerSocket);
        for (const [server, run] of [['hub', viaHub], ['bare graphql-ws (floor)', bare], ['pre-serialised ws (floor)', raw]] as const) {
          table.push({
            sockets: count,
            server,
            ...summary(run),
            missed: run.missed,
            rssKBPerSocket: round(run.rssBytesPerSocket / 1024, 1),
            heapKBPerSocket: round(run.heapBytesPerSocket / 1024, 1),
          });
        }
      }
      // The same hub with events travelling over NATS JetStream (relay, stream, consumer): the
      // price of the extra hop, at the size the target is set for.
      const nats = await ensureTestNats(process.env.NATS_URL ?? DEFAULT_TEST_NATS_URL);
      process.env.NATS_URL = nats.url;
      const natsBus = testEventBus('nats');
      try {
        await bench.switchEventBus(natsBus.config);
        const viaNats = summary(await fanOut(client, hubTarget, NATS_SOCKETS));
        metrics[`natsP50Ms_${NATS_SOCKETS}`] = viaNats.p50Ms;
        metrics[`natsP99Ms_${NATS_SOCKETS}`] = viaNats.p99Ms;
        metrics[`natsMaxMs_${NATS_SOCKETS}`] = viaNats.maxMs;
        table.push({ sockets: NATS_SOCKETS, server: 'hub, EVENT_BUS=nats', ...viaNats });
      } finally {
        await bench.switchEventBus({ kind: 'postgres', pollIntervalMs: 1_000 });
        await natsBus.cleanup();
        await nats.stop();
      }
      // Every order of the run, warm-ups included: what precedes t0 on the DSO's side.
      metrics.requestToCommitP50Ms = round(percentile(requestToCommitMs, 50));
      metrics.requestToResponseP50Ms = round(percentile(requestToResponseMs, 50));
      return { metrics, table };
    } finally {
      client.kill();
      await commits.close();
      await bench.close();
    }
  },
};

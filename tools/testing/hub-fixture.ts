import { randomBytes } from 'node:crypto';
import { ApiKeysRepo } from '../../gateway/api-keys.repo';
import type { Role } from '../../schema/identity';
import { envStatementTimeoutMs } from '../../subgraphs/kit/config';
import { openDatabase } from '../../subgraphs/kit/db';
import { createLogger } from '../../subgraphs/kit/logger';
import { startHub, type HubOptions, type RunningHub } from '../hub';
import { generateParish, type Parish } from '../seed/parish';
import { writeParish } from '../seed/write';
import { testEventBus, type EventBusKind } from './event-bus';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestHub {
  hub: RunningHub;
  database: TestDatabase;
  parish: Parish;
  identitySecret: string;
  /** POSTs a GraphQL request to the gateway with the given key (or none). */
  graphql<T = Record<string, unknown>>(query: string, options?: { key?: string | null; variables?: Record<string, unknown> }): Promise<GraphQLHttpResponse<T>>;
  /** A key of the role's default scopes, or of `scopes`. */
  createKey(role: Role, organisationId: string, scopes?: string[]): Promise<string>;
  /** Another whole hub on the same database, secret and event bus: a second replica, stopped with this one. */
  startReplica(): Promise<RunningHub>;
  stop(): Promise<void>;
}

export interface GraphQLHttpResponse<T> {
  status: number;
  body: { data?: T | null; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] };
}

export async function postGraphQL<T>(url: string, query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<GraphQLHttpResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLHttpResponse<T>['body'] };
}

/** The metering points a retailer supplies or supplied: what it may see. */
export function pointsSuppliedBy(parish: Parish, retailerId: string): Parish['meteringPoints'] {
  const supplied = new Set(parish.supplyContracts.filter((contract) => contract.retailerId === retailerId).map((contract) => contract.meteringPointId));
  return parish.meteringPoints.filter((point) => supplied.has(point.id));
}

/** The metering points a retailer supplies now: those whose present state it sees. */
export function pointsSuppliedNowBy(parish: Parish, retailerId: string): Parish['meteringPoints'] {
  return parish.meteringPoints.filter((point) => point.retailerId === retailerId);
}

/** A whole hub (five subgraphs and the gateway) on free ports, on a small seeded parish of its own. */
export async function startTestHub(
  options: {
    customers?: number;
    keyCacheTtlMs?: number;
    onQuery?: (query: string, params: unknown[]) => void;
    maxBufferedBytes?: number;
    eventBus?: EventBusKind;
    /** The gateway's settings over the environment's (rate limits, query limits, ...). */
    gateway?: HubOptions['gateway'];
    /** The subgraphs' settings over the environment's. */
    settings?: HubOptions['settings'];
    /** The hub's statement timeout; by default STATEMENT_TIMEOUT_MS's, as `npm start` applies it. */
    statementTimeoutMs?: number;
  } = {},
): Promise<TestHub> {
  const database = await createTestDatabase({ onQuery: options.onQuery });
  const eventBus = testEventBus(options.eventBus ?? 'postgres');
  const parish = generateParish({ customers: options.customers ?? 300 });
  await writeParish(database.handle, parish);
  // The hub's own pool, timed as `npm start`'s is; the test's (database.handle) is not, so a test
  // can seed, hold locks and inspect without its own statements being cancelled.
  const served = openDatabase(database.url, { onQuery: options.onQuery, statementTimeoutMs: options.statementTimeoutMs ?? envStatementTimeoutMs.parse(process.env.STATEMENT_TIMEOUT_MS) });
  const identitySecret = randomBytes(32).toString('base64url');
  const start = () =>
    startHub({
      database: served,
      identitySecret,
      log: createLogger('test-hub', process.env.LOG_LEVEL ?? 'silent'),
      port: 0,
      keyCacheTtlMs: options.keyCacheTtlMs ?? 1,
      shutdownGraceMs: 1_000,
      maxBufferedBytes: options.maxBufferedBytes,
      eventBus: eventBus.config,
      // Tests make hundreds of requests with one key: the rate limit has its own test.
      gateway: { rateLimit: { requests: 100_000, windowS: 60 }, ...options.gateway },
      settings: options.settings,
    });
  const hub = await start();
  const replicas: RunningHub[] = [];
  const keys = new ApiKeysRepo(database.handle.db);
  return {
    hub,
    database,
    parish,
    identitySecret,
    graphql: (query, { key, variables } = {}) => postGraphQL(`${hub.url}/graphql`, query, key ? { authorization: `Bearer ${key}` } : {}, variables),
    createKey: async (role, organisationId, scopes) => (await keys.create({ name: `test ${role}`, organisationId, role, scopes })).key,
    async startReplica() {
      const replica = await start();
      replicas.push(replica);
      return replica;
    },
    async stop() {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await hub.stop();
      await eventBus.cleanup();
      await served.close();
      await database.drop();
    },
  };
}

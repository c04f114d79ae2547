import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ApiKeysRepo } from '../../gateway/api-keys.repo';
import { ROLE_SCOPES } from '../../schema/access';
import { scratchDataDir } from '../local-data';
import { freePort } from '../testing/free-port';
import { postGraphQL } from '../testing/hub-fixture';
import { eventually } from '../testing/eventually';
import { startNpmStart, type StartedHub } from '../testing/run-command';
import { createTestDatabase } from '../testing/test-database';

jest.setTimeout(180_000);

async function retailerSeesOwnPortfolio(hub: StartedHub): Promise<void> {
  const key = hub.keys.get('retailer')!;
  const { status, body } = await postGraphQL<{ me: { organisationId: string }; meteringPoints: { totalCount: number; edges: { node: { retailerId: string; secondarySubstation: unknown; tariff: unknown } }[] } }>(
    `${hub.url}/graphql`,
    '{ me { organisationId role } meteringPoints(first: 5) { totalCount edges { node { retailerId secondarySubstation { name } tariff { name } } } } }',
    { authorization: `Bearer ${key}` },
  );
  expect(status).toBe(200);
  const { me, meteringPoints } = body.data!;
  expect(meteringPoints.totalCount).toBeGreaterThan(0);
  for (const { node } of meteringPoints.edges) {
    expect(node.retailerId).toBe(me.organisationId);
    expect(node.secondarySubstation).not.toBeNull();
    expect(node.tariff).not.toBeNull();
  }
  expect((await postGraphQL(`${hub.url}/graphql`, '{ me { role } }', {})).status).toBe(401);
}

/** The demo's customer key reads its own household: the point, its tariff and HEMS, and nobody else's. */
async function customerSeesOwnHome(hub: StartedHub): Promise<void> {
  const { body } = await postGraphQL<{ me: { organisationId: string }; meteringPoints: { totalCount: number; edges: { node: { id: string; tariff: unknown; hems: unknown } }[] } }>(
    `${hub.url}/graphql`,
    '{ me { organisationId } meteringPoints { totalCount edges { node { id tariff { name } hems { vendor } } } } }',
    { authorization: `Bearer ${hub.keys.get('customer')!}` },
  );
  expect(body.errors).toBeUndefined();
  expect(body.data!.meteringPoints.totalCount).toBe(1);
  const [home] = body.data!.meteringPoints.edges;
  expect(home!.node).toMatchObject({ id: body.data!.me.organisationId, tariff: { name: expect.any(String) }, hems: { vendor: expect.any(String) } });
}

interface DemoHems {
  id: string;
  online: boolean;
  devices: { kind: string; state: string | null }[];
  flexibleLoads: { optedOut: boolean; device: { kind: string } }[];
  meteringPoint: { secondarySubstation: { id: string } };
}

/**
 * The demo's HEMS report as soon as the hub is up: the retailer's shared HEMS come online with
 * their devices' state, and their evening loads make up tomorrow evening's flexibility.
 */
async function retailerSeesItsHemsReporting(hub: StartedHub): Promise<void> {
  const ask = <T>(query: string, variables?: Record<string, unknown>) => postGraphQL<T>(`${hub.url}/graphql`, query, { authorization: `Bearer ${hub.keys.get('retailer')!}` }, variables);
  const hems = await eventually(async () => {
    const { body } = await ask<{ hemsSystems: { edges: { node: DemoHems }[] } }>(
      '{ hemsSystems(first: 100) { edges { node { id online devices { kind state } flexibleLoads { optedOut device { kind } } meteringPoint { secondarySubstation { id } } } } } }',
    );
    expect(body.errors).toBeUndefined();
    const nodes = body.data!.hemsSystems.edges.map((edge) => edge.node);
    return nodes.length > 0 && nodes.every((node) => node.online && node.devices.every((device) => device.state !== null)) && nodes;
  }, "the demo fleet's first reports", { timeoutMs: 30_000, pauseMs: 250 });
  const evening = hems.find((node) => node.flexibleLoads.some((load) => !load.optedOut && ['EV_CHARGER', 'WATER_HEATER'].includes(load.device.kind)));
  expect(evening).toBeDefined();
  // Tomorrow 19:00-21:00 UTC: inside the EV chargers' (18:00-07:00) and water heaters' (17:00-23:00) Lisbon windows, winter or summer.
  const tomorrow = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
  const { body } = await ask<{ availableFlexibility: { intervalStart: string; reductionKw: number; hemsCount: number }[] }>(
    'query($id: ID!, $from: DateTime!, $to: DateTime!) { availableFlexibility(scope: { secondarySubstationId: $id }, from: $from, to: $to) { intervalStart reductionKw hemsCount } }',
    { id: evening!.meteringPoint.secondarySubstation.id, from: new Date(tomorrow + 19 * 3_600_000).toISOString(), to: new Date(tomorrow + 21 * 3_600_000).toISOString() },
  );
  expect(body.errors).toBeUndefined();
  expect(body.data!.availableFlexibility).toHaveLength(8);
  expect(body.data!.availableFlexibility.every((interval) => interval.reductionKw > 0 && interval.hemsCount >= 1)).toBe(true);
}

/** The background history reached the last midnight: yesterday's 96 quarter-hours of the whole network. */
async function networkHasYesterday(hub: StartedHub): Promise<void> {
  const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const { body } = await postGraphQL<{ demand: { meteringPointCount: number; points: { readingCount: number }[] } }>(
    `${hub.url}/graphql`,
    'query($from: DateTime!, $to: DateTime!) { demand(scope: { network: true }, from: $from, to: $to) { meteringPointCount points { readingCount } } }',
    { authorization: `Bearer ${hub.keys.get('dso')!}` },
    { from: new Date(midnight - 86_400_000).toISOString(), to: new Date(midnight).toISOString() },
  );
  expect(body.data?.demand.points).toHaveLength(96);
  expect(body.data?.demand.points.every((point) => point.readingCount === body.data?.demand.meteringPointCount)).toBe(true);
}

describe('npm start', () => {
  it('runs on an embedded PostgreSQL, prints a key per role, keeps its data across restarts and stops cleanly on SIGTERM', async () => {
    const dataDir = await scratchDataDir('test-start-');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      EMBEDDED_PG_PORT: String(await freePort()),
      SEED_CUSTOMERS: '300',
      SEED_DAYS: '2',
      LOG_LEVEL: 'info',
    };
    delete env.DATABASE_URL;
    try {
      const cold = await startNpmStart(env);
      expect([...cold.keys.keys()].sort()).toEqual(['aggregator', 'customer', 'developer', 'dso', 'hems', 'regulator', 'researcher', 'retailer', 'tso']);
      await customerSeesOwnHome(cold);
      await retailerSeesItsHemsReporting(cold);
      expect(existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      await retailerSeesOwnPortfolio(cold);
      await cold.waitFor(/demo history loaded/);
      await networkHasYesterday(cold);
      const coldOutput = await cold.stop();
      expect(coldOutput).toContain('shutting down');
      expect(coldOutput).not.toMatch(/unclean|Error/);
      // PostgreSQL was shut down cleanly, after the hub.
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

      const warm = await startNpmStart(env);
      expect(warm.keys.get('retailer')).toBe(cold.keys.get('retailer'));
      expect(warm.output).not.toContain('seeding the demo parish');
      await warm.waitFor(/"days":0,"seconds":\d+,"msg":"demo history loaded"/);
      expect(warm.output).not.toContain('demo history: day loaded');
      await retailerSeesOwnPortfolio(warm);
      expect(await warm.stop()).not.toMatch(/unclean|Error/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("uses DATABASE_URL when set, makes its data directory as on a fresh clone, starts no PostgreSQL of its own, and reads no separately run subgraph's settings", async () => {
    // A fresh clone has no data directory at all.
    const dataDir = path.join(await scratchDataDir('test-start-'), 'not-made-yet');
    const db = await createTestDatabase();
    try {
      // SUBGRAPH_PORT is a setting of a subgraph run on its own (npm run start:subgraph), left over
      // in an operator's shell: npm start serves its subgraphs on ports it picks, and ignores it.
      const hub = await startNpmStart({ ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: '0', SEED_CUSTOMERS: '200', LOG_LEVEL: 'warn', SUBGRAPH_PORT: 'not-a-port' });
      expect(existsSync(path.join(dataDir, 'demo-keys.json'))).toBe(true);
      expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
      // Two competing retailers, so that the flexibility market can be tried with the printed keys.
      const retailers = [...hub.output.matchAll(/^\s+retailer\s+(\S+)\s+mh_\w+$/gm)].map((match) => match[1]);
      expect(new Set(retailers).size).toBe(2);
      await retailerSeesOwnPortfolio(hub);
      expect(await hub.stop()).not.toMatch(/unclean|Error/);
    } finally {
      await db.drop();
      await rm(path.dirname(dataDir), { recursive: true, force: true });
    }
  });

  it('re-issues at restart a demo key whose scopes were narrowed since, and revokes the old one', async () => {
    const dataDir = await scratchDataDir('test-start-');
    const db = await createTestDatabase();
    const env = { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: '0', SEED_CUSTOMERS: '200', SEED_DAYS: '0', LOG_LEVEL: 'warn' };
    const repo = new ApiKeysRepo(db.handle.db);
    try {
      const first = await startNpmStart(env);
      await first.stop();
      const narrowed = first.keys.get('retailer')!;
      const { keyId } = (await repo.identify(narrowed))!;
      // As a migration of the access model, or an operator's edit, may leave it.
      await db.handle.pool.query(`UPDATE hub.api_keys SET scopes = '{metering:read}' WHERE id = $1`, [keyId]);

      const second = await startNpmStart(env);
      try {
        expect(second.keys.get('retailer')).not.toBe(narrowed);
        expect(await repo.identify(narrowed)).toBeNull();
        expect(await repo.identify(second.keys.get('retailer')!)).toMatchObject({ role: 'retailer', scopes: [...ROLE_SCOPES.retailer] });
        // The others had their role's scopes all along: kept.
        expect(second.keys.get('dso')).toBe(first.keys.get('dso'));
        await retailerSeesOwnPortfolio(second);
      } finally {
        await second.stop();
      }
    } finally {
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('applies the limits set in its environment: query depth, the operation budget and the per-key rate limit', async () => {
    const dataDir = await scratchDataDir('test-start-');
    const db = await createTestDatabase();
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PORT: '0',
      SEED_CUSTOMERS: '200',
      SEED_DAYS: '0',
      LOG_LEVEL: 'warn',
      MAX_QUERY_DEPTH: '4',
      MAX_OPERATION_COST: '1000',
      RATE_LIMIT_REQUESTS: '5',
      RATE_LIMIT_WINDOW_S: '3600',
    };
    try {
      const hub = await startNpmStart(env);
      try {
        const ask = (query: string, variables?: Record<string, unknown>) =>
          postGraphQL<unknown>(`${hub.url}/graphql`, query, { authorization: `Bearer ${hub.keys.get('dso')!}` }, variables);
        const deep = await ask('{ meteringPoints { edges { node { secondarySubstation { name } } } } }');
        expect(deep.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/depth/i), extensions: { code: 'BAD_USER_INPUT' } });
        const listed = await ask('{ meteringPoints(first: 1) { edges { node { id } } } }');
        const id = (listed.body.data as { meteringPoints: { edges: { node: { id: string } }[] } }).meteringPoints.edges[0]!.node.id;
        // Two days of one point's quarter-hours as objects: 192 buckets at 10 each, over a budget of 1,000.
        const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000;
        const twoDays = { id, from: new Date(midnight - 2 * 86_400_000).toISOString(), to: new Date(midnight).toISOString() };
        const costly = await ask('query($id: ID!, $from: DateTime!, $to: DateTime!) { meteringPoint(id: $id) { loadCurve(from: $from, to: $to) { importWh } } }', twoDays);
        expect(costly.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/narrow|budget|cost/i), extensions: { code: 'BAD_USER_INPUT' } });
        // Five requests in the window, the refused ones included: the sixth is over.
        expect((await ask('{ me { role } }')).status).toBe(200);
        expect((await ask('{ me { role } }')).status).toBe(200);
        const limited = await ask('{ me { role } }');
        expect(limited.status).toBe(429);
        expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      } finally {
        await hub.stop();
      }
    } finally {
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { latestOutboxId } from '../../kit/outbox-tail';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs } from '../../../tools/testing/ws-subscriber';
import { INTERVAL_MS } from '../reading.rules';

/** Customers, their consents, and who read what: the data subject's side of the hub. */

let t: TestHub;
let dsoKey: string;
let household: { id: string; retailerId: string };
let customerKey: string;
let researcherKey: string;

const DAY = Date.parse('2026-10-05T00:00:00Z');
const at = (quarter: number) => new Date(DAY + quarter * INTERVAL_MS).toISOString();
const DAY_MS = 86_400_000;

const GRANT = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id state scopes from to organisationId meteringPointId } }`;
const REVOKE = `mutation($id: ID!) { revokeConsent(id: $id) { id state revokedAt } }`;
const CURVE = `query($id: ID!, $from: DateTime!, $to: DateTime!) { meteringPoint(id: $id) { id retailerId loadCurve(from: $from, to: $to) { intervalStart importWh } hems { vendor } } }`;
type CurveData = { meteringPoint: { id: string; retailerId: string | null; loadCurve: { intervalStart: string; importWh: number }[]; hems: { vendor: string } | null } | null };
type GrantData = { grantConsent: { id: string; state: string } };

beforeAll(async () => {
  t = await startTestHub({ customers: 300 });
  dsoKey = await t.createKey('dso', 'dso');
  const withHems = t.parish.hemsSystems[0]!;
  household = t.parish.meteringPoints.find((p) => p.id === withHems.meteringPointId)!;
  customerKey = await t.createKey('customer', household.id);
  researcherKey = await t.createKey('researcher', 'ist');
  // Two days of readings of the household.
  const readings = Array.from({ length: 192 }, (_, q) => ({ meteringPointId: household.id, intervalStart: at(q), importWh: 100 + q, exportWh: 0 }));
  const { body } = await t.graphql(`mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`, {
    key: dsoKey,
    variables: { input: { idempotencyKey: 'household-two-days', readings } },
  });
  expect(body.errors).toBeUndefined();
});

afterAll(() => t.stop());

const grant = (key: string, input: Record<string, unknown>) => t.graphql<GrantData>(GRANT, { key, variables: { input } });
const consentInput = (overrides: Record<string, unknown> = {}) => ({
  meteringPointId: household.id,
  organisationId: 'ist',
  scopes: ['metering:read'],
  from: new Date(DAY).toISOString(),
  to: new Date(Date.now() + 30 * DAY_MS).toISOString(),
  ...overrides,
});
const curve = (key: string, from = at(0), to = at(192)) => t.graphql<CurveData>(CURVE, { key, variables: { id: household.id, from, to } });

describe('a customer key', () => {
  it('sees its own point, its whole curve, tariff and HEMS, and no other point', async () => {
    const own = await curve(customerKey);
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data!.meteringPoint).toMatchObject({ id: household.id, retailerId: household.retailerId, hems: { vendor: expect.any(String) } });
    expect(own.body.data!.meteringPoint!.loadCurve).toHaveLength(192);
    const other = t.parish.meteringPoints.find((p) => p.id !== household.id)!;
    const theirs = await t.graphql(`query($id: ID!) { meteringPoint(id: $id) { id } }`, { key: customerKey, variables: { id: other.id } });
    expect(theirs.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('cannot grant a consent for a point that is not its own, nor to a party that is not an aggregator or researcher', async () => {
    const other = t.parish.meteringPoints.find((p) => p.id !== household.id)!;
    expect((await grant(customerKey, consentInput({ meteringPointId: other.id }))).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const toRetailer = await grant(customerKey, consentInput({ organisationId: 'ret-edpc' }));
    expect(toRetailer.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'organisationId' } });
    const widened = await grant(customerKey, consentInput({ scopes: ['metering:write'] }));
    expect(widened.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('a researcher under consent', () => {
  it('reads nothing of the household without a consent', async () => {
    const { body } = await curve(researcherKey);
    expect(body.data?.meteringPoint ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('reads the curve of the consented period only, and loses it with the very next request once the customer revokes', async () => {
    const granted = await grant(customerKey, consentInput({ from: at(96) }));
    expect(granted.body.errors).toBeUndefined();
    expect(granted.body.data!.grantConsent).toMatchObject({ state: 'GRANTED' });
    const read = await curve(researcherKey);
    expect(read.body.errors).toBeUndefined();
    // Only the second day: the first is outside the consent; and nothing of the present (retailer, HEMS) it did not consent to.
    expect(read.body.data!.meteringPoint!.loadCurve.map((p) => p.intervalStart)).toEqual(Array.from({ length: 96 }, (_, q) => at(96 + q)));
    expect(read.body.data!.meteringPoint).toMatchObject({ retailerId: null, hems: null });

    const revoked = await t.graphql<{ revokeConsent: { state: string } }>(REVOKE, { key: customerKey, variables: { id: granted.body.data!.grantConsent.id } });
    expect(revoked.body.data!.revokeConsent.state).toBe('REVOKED');
    expect((await curve(researcherKey)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const again = await t.graphql(REVOKE, { key: customerKey, variables: { id: granted.body.data!.grantConsent.id } });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('loses access on an open socket too, with the next operation after the revocation', async () => {
    const granted = await grant(dsoKey, consentInput());
    // Not lazy: graphql-ws's default (lazy, closing when no operation is left) would open a new
    // socket per operation, and the revocation would be seen by a fresh connection, not an open one.
    let connections = 0;
    let closes = 0;
    const client = createClient({
      url: `${t.hub.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: researcherKey },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: { connected: () => (connections += 1), closed: () => (closes += 1) },
    });
    const run = () =>
      new Promise<{ data?: CurveData | null; errors?: { extensions?: { code?: string } }[] }>((resolve, reject) => {
        let result: unknown;
        client.subscribe({ query: CURVE, variables: { id: household.id, from: at(0), to: at(4) } }, { next: (value) => (result = value), error: reject, complete: () => resolve(result as never) });
      });
    try {
      expect((await run()).data?.meteringPoint?.loadCurve).toHaveLength(4);
      await t.graphql(REVOKE, { key: customerKey, variables: { id: granted.body.data!.grantConsent.id } });
      const after = await run();
      expect(after.data?.meteringPoint ?? null).toBeNull();
      expect(after.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      // Both operations went over the one socket, open all along.
      expect({ connections, closes }).toEqual({ connections: 1, closes: 0 });
    } finally {
      await client.dispose();
    }
  });

  it('sees HEMS only when the consent covers it, and an expired consent no longer opens anything', async () => {
    const granted = await grant(customerKey, consentInput({ scopes: ['metering:read', 'hems:read'] }));
    expect((await curve(researcherKey)).body.data!.meteringPoint!.hems).toMatchObject({ vendor: expect.any(String) });
    // The consent's end passes (the clock is the database's): EXPIRED, and nothing more is read.
    await t.database.handle.pool.query(`UPDATE hub.consents SET valid_to = now() - interval '1 second' WHERE id = $1`, [granted.body.data!.grantConsent.id]);
    expect((await curve(researcherKey)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const { body } = await t.graphql<{ consents: { edges: { node: { id: string; state: string } }[] } }>(`query($id: ID) { consents(meteringPointId: $id) { edges { node { id state } } } }`, {
      key: customerKey,
      variables: { id: household.id },
    });
    expect(body.data!.consents.edges.find((edge) => edge.node.id === granted.body.data!.grantConsent.id)?.node.state).toBe('EXPIRED');
  });
});

describe('who read my data', () => {
  const LOG = `query($id: ID!) { dataAccessLog(meteringPointId: $id, first: 50) { totalCount edges { node { at organisationId role field periodFrom periodTo } } } }`;
  type LogData = { dataAccessLog: { totalCount: number; edges: { node: { at: string; organisationId: string; role: string; field: string; periodFrom: string | null; periodTo: string | null } }[] } };

  it("shows the customer its retailer's reads of the last hour: who, when, which field and period", async () => {
    const startedMs = Date.now();
    const retailerKey = await t.createKey('retailer', household.retailerId);
    expect((await curve(retailerKey, at(8), at(12))).body.errors).toBeUndefined();
    const { body } = await t.graphql<LogData>(LOG, { key: customerKey, variables: { id: household.id } });
    expect(body.errors).toBeUndefined();
    const read = body.data!.dataAccessLog.edges.map((edge) => edge.node).find((node) => node.organisationId === household.retailerId && node.field === 'loadCurve');
    expect(read).toMatchObject({ role: 'RETAILER', periodFrom: at(8), periodTo: at(12) });
    expect(Date.parse(read!.at)).toBeGreaterThanOrEqual(startedMs - 1_000);
  });

  it("is the customer's own and the DSO's: another customer and a researcher are refused", async () => {
    const other = await t.createKey('customer', t.parish.meteringPoints.find((p) => p.id !== household.id)!.id);
    expect((await t.graphql(LOG, { key: other, variables: { id: household.id } })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await t.graphql(LOG, { key: researcherKey, variables: { id: household.id } })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.graphql<LogData>(LOG, { key: dsoKey, variables: { id: household.id } })).body.data!.dataAccessLog.totalCount).toBeGreaterThan(0);
  });

  it('records each personal payload pushed to a subscriber, under the recipient key', async () => {
    const retailerKey = await t.createKey('retailer', household.retailerId);
    const keyId = (await t.database.handle.pool.query(`SELECT id FROM hub.api_keys WHERE display_prefix = $1`, [retailerKey.slice(0, 9)])).rows[0].id as string;
    const subscriber = subscribeOverWs<{ data: { contractedPowerOrders: { affected: { meteringPoint: { id: string } }[] } } }>(
      t.hub.url,
      retailerKey,
      'subscription($after: ID) { contractedPowerOrders(after: $after) { eventId affected { meteringPoint { id } } } }',
      { after: String(await latestOutboxId(t.database.handle.pool)) },
    );
    try {
      const feeder = t.parish.connections.find((c) => c.meteringPointId === household.id)!.feederId;
      const issued = await t.graphql(
        `mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`,
        { key: dsoKey, variables: { input: { area: { feederIds: [feeder] }, reductionPercent: 20, start: new Date().toISOString(), expectedEnd: new Date(Date.now() + 3_600_000).toISOString(), reason: 'test' } } },
      );
      expect(issued.body.errors).toBeUndefined();
      const received = (await subscriber.next()).data.contractedPowerOrders.affected.map((a) => a.meteringPoint.id).sort();
      expect(received).toContain(household.id);
      const { rows } = await t.database.handle.pool.query(`SELECT metering_point_id FROM hub.access_log WHERE key_id = $1 AND resource = 'contractedPowerOrder.affected' ORDER BY 1`, [keyId]);
      expect(rows.map((row) => row.metering_point_id)).toEqual(received);
    } finally {
      await subscriber.dispose();
    }
  });
});

describe('the audit log', () => {
  const AUDIT = `query($filter: AuditLogFilter!) { auditLog(filter: $filter, first: 200) { totalCount edges { node { kind operation organisationId role target detail } } } }`;
  type AuditData = { auditLog: { totalCount: number; edges: { node: { kind: string; operation: string; organisationId: string; role: string; target: string; detail: string } }[] } };
  const today = () => ({ from: new Date(Date.now() - DAY_MS).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

  it('shows the DSO every mutation, written with it, and every read of personal data', async () => {
    const granted = await grant(customerKey, consentInput());
    const { body } = await t.graphql<AuditData>(AUDIT, { key: dsoKey, variables: { filter: today() } });
    expect(body.errors).toBeUndefined();
    const nodes = body.data!.auditLog.edges.map((edge) => edge.node);
    expect(nodes).toContainEqual(expect.objectContaining({ kind: 'MUTATION', operation: 'grantConsent', organisationId: household.id, role: 'CUSTOMER', target: granted.body.data!.grantConsent.id }));
    expect(nodes).toContainEqual(expect.objectContaining({ kind: 'MUTATION', operation: 'ingestReadings', role: 'DSO' }));
    expect(nodes).toContainEqual(expect.objectContaining({ kind: 'READ', operation: 'loadCurve', target: household.id }));
    await expect(t.database.handle.pool.query(`UPDATE hub.audit_log SET detail = 'nothing happened'`)).rejects.toThrow(/append-only/);
    await expect(t.database.handle.pool.query('DELETE FROM hub.audit_log')).rejects.toThrow(/append-only/);
    await expect(t.database.handle.pool.query('TRUNCATE hub.audit_log')).rejects.toThrow(/append-only/);
  });

  it('is for the DSO only, over at most a month at a time', async () => {
    expect((await t.graphql(AUDIT, { key: customerKey, variables: { filter: today() } })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const long = await t.graphql(AUDIT, { key: dsoKey, variables: { filter: { from: new Date(Date.now() - 40 * DAY_MS).toISOString(), to: new Date().toISOString() } } });
    expect(long.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

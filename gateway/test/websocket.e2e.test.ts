import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { pointsSuppliedBy, startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
import { HubCloseCode } from '../close-codes';

let t: TestHub;
let retailerKey: string;
let retailerId: string;

beforeAll(async () => {
  t = await startTestHub();
  retailerId = t.parish.organisations.find((org) => org.kind === 'retailer')!.id;
  retailerKey = await t.createKey('retailer', retailerId);
});

afterAll(() => t.stop());

const wsUrl = () => `${t.hub.url.replace(/^http/, 'ws')}/graphql`;

/** Opens a raw graphql-transport-ws socket, sends connection_init, resolves with the close code. */
function closeCodeAfterInit(payload: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.once('message', (data) => reject(new Error(`unexpected message ${String(data)}`)));
    socket.once('close', (code) => resolve(code));
    socket.once('error', reject);
  });
}

function client(connectionParams: Record<string, unknown>) {
  return createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

describe('graphql-ws on the gateway', () => {
  it('closes a socket without a key with 4401', async () => {
    expect(await closeCodeAfterInit({})).toBe(HubCloseCode.Unauthenticated);
  });

  it('closes a socket with an unknown key with 4401', async () => {
    expect(await closeCodeAfterInit({ apiKey: `mh_${'Z'.repeat(32)}` })).toBe(HubCloseCode.Unauthenticated);
  });

  it('runs a federated query for a key given in connectionParams, with the same row-level rules', async () => {
    const ws = client({ apiKey: retailerKey });
    try {
      const result = await new Promise<unknown>((resolve, reject) => {
        let value: unknown;
        ws.subscribe(
          { query: '{ me { organisationId } meteringPoints(first: 5) { totalCount edges { node { id tariff { kind } } } } }' },
          { next: (data) => (value = data), error: reject, complete: () => resolve(value) },
        );
      });
      const own = new Set(pointsSuppliedBy(t.parish, retailerId).map((point) => point.id));
      expect(result).toMatchObject({ data: { me: { organisationId: retailerId }, meteringPoints: { totalCount: own.size } } });
      const edges = (result as { data: { meteringPoints: { edges: { node: { id: string } }[] } } }).data.meteringPoints.edges;
      expect(edges.every((edge) => own.has(edge.node.id))).toBe(true);
    } finally {
      await ws.dispose();
    }
  });

  it('applies the same limits as HTTP', async () => {
    const ws = client({ apiKey: retailerKey });
    try {
      const aliases = Array.from({ length: 151 }, (_, i) => `a${i}: me { role }`).join(' ');
      const errors = await new Promise<unknown>((resolve) => {
        ws.subscribe({ query: `{ ${aliases} }` }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
      });
      expect(JSON.stringify(errors)).toMatch(/aliases/i);
    } finally {
      await ws.dispose();
    }
  });

  it('answers an invalid operation with an error message, not a crash', async () => {
    const ws = client({ Authorization: `Bearer ${retailerKey}` });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        ws.subscribe({ query: '{ nope }' }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
      });
      expect(JSON.stringify(errors)).toContain('nope');
    } finally {
      await ws.dispose();
    }
  });
});

import WebSocket from 'ws';
import { startTestHub, type TestHub } from '../../tools/testing/hub-fixture';

/**
 * Keys are looked up in the database before any GraphQL runs: when that lookup fails (the
 * database away, a statement timeout), the caller hears UNAVAILABLE in GraphQL's terms, on
 * both transports, and nothing of the SQL or the stack.
 */

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ customers: 20 });
});

afterAll(() => t.stop());

/** What a leak would show: the statement, the table, PostgreSQL's wording, a stack frame. */
const LEAK = /select|api_keys|relation|does not exist|failed query|\bat \S+:\d+/i;

/** Runs `work` while hub.api_keys is away, so every key lookup fails as a database error. */
async function withKeysAway<T>(work: () => Promise<T>): Promise<T> {
  await t.database.handle.pool.query('ALTER TABLE hub.api_keys RENAME TO api_keys_away');
  try {
    return await work();
  } finally {
    await t.database.handle.pool.query('ALTER TABLE hub.api_keys_away RENAME TO api_keys');
  }
}

describe('a key lookup that fails', () => {
  it('answers an HTTP request 503 UNAVAILABLE as GraphQL JSON, without SQL or stack', async () => {
    const key = await t.createKey('dso', 'dso');
    const response = await withKeysAway(() =>
      fetch(`${t.hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: '{ me { role } }' }) }),
    );
    // Read as text first: Express's default handler answered HTML, which would not parse.
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(JSON.parse(text)).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAVAILABLE' } }] });
    expect(text).not.toMatch(LEAK);
    // The same key works once the database answers again: nothing of the failure was kept.
    expect((await t.graphql('{ me { role } }', { key })).status).toBe(200);
  });

  it('closes a socket being opened with a reason that names no SQL, and reports the failure to the log only', async () => {
    const key = await t.createKey('dso', 'dso');
    // The hub runs in this process: graphql-ws prints a failure it is left with to the console, SQL, parameters and all.
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const { code, reason } = await withKeysAway(
      () =>
        new Promise<{ code: number; reason: string }>((resolve, reject) => {
          const socket = new WebSocket(`${t.hub.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
          socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: key } })));
          socket.once('message', (data) => reject(new Error(`unexpected message ${String(data)}`)));
          socket.once('close', (closeCode, closeReason) => resolve({ code: closeCode, reason: closeReason.toString() }));
          socket.once('error', reject);
        }),
    );
    const calls = printed.mock.calls.map((args) => args.map(String).join(' ').slice(0, 200));
    printed.mockRestore();
    // Not 4401: the key may well be valid, the hub could not tell.
    expect(code).toBe(4500);
    expect(reason).not.toMatch(LEAK);
    expect(calls).toEqual([]);
  });
});

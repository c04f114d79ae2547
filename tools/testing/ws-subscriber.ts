import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface TestSubscriber<T> {
  /** The next event, waiting for it if none is queued. */
  next(): Promise<T>;
  /** Events received and not yet taken by next(). */
  readonly queued: T[];
  /** Resolves with the close code when the server closes the socket. */
  closed: Promise<number>;
  /** Resolves once the server acknowledged the connection. */
  connected: Promise<void>;
  dispose(): Promise<void>;
}

/** A graphql-ws client subscribed to one operation, with its results queued for the test to take in order. */
export function subscribeOverWs<T>(gatewayUrl: string, key: string, query: string, variables: Record<string, unknown> = {}): TestSubscriber<T> {
  const queued: T[] = [];
  const waiters: ((value: T) => void)[] = [];
  let onClosed: (code: number) => void = () => undefined;
  let onConnected: () => void = () => undefined;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client: Client = createClient({
    url: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { apiKey: key },
    retryAttempts: 0,
    lazy: false,
    // The test reads the close code from `closed`; the default would print the close event.
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => onClosed((event as { code: number }).code),
    },
  });
  client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        const value = result as T;
        const waiter = waiters.shift();
        if (waiter) waiter(value);
        else queued.push(value);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return {
    queued,
    closed,
    connected,
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise<T>((resolve) => waiters.push(resolve))),
    dispose: async () => {
      await client.dispose();
    },
  };
}

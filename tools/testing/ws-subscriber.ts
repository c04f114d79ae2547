import type { GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Errors the server sent for the subscription: in a `next` result, or as its `error` message (which ends it). */
export interface SubscriberErrors {
  frame: 'next' | 'error';
  errors: readonly GraphQLFormattedError[];
}

export interface TestSubscriber<T> {
  /** The next event, waiting for it if none is queued. Results carrying errors are not events: see `errors`. */
  next(): Promise<T>;
  /** Events received and not yet taken by next(). */
  readonly queued: T[];
  /** Every result with errors and every error message, in the order received. */
  readonly errors: SubscriberErrors[];
  /** Resolves with the first of `errors`. */
  firstError: Promise<SubscriberErrors>;
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
  const errors: SubscriberErrors[] = [];
  let onClosed: (code: number) => void = () => undefined;
  let onConnected: () => void = () => undefined;
  let onError: (errors: SubscriberErrors) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const firstError = new Promise<SubscriberErrors>((resolve) => (onError = resolve));
  const record = (received: SubscriberErrors) => {
    errors.push(received);
    onError(received);
  };
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
        // Kept apart, so that a test waiting for events does not take an error for one.
        if (result.errors) return record({ frame: 'next', errors: result.errors });
        const value = result as T;
        const waiter = waiters.shift();
        if (waiter) waiter(value);
        else queued.push(value);
      },
      // GraphQL errors come as an array; a socket closing comes as its event, which `closed` reports.
      error: (error) => {
        if (Array.isArray(error)) record({ frame: 'error', errors: error as GraphQLFormattedError[] });
      },
      complete: () => undefined,
    },
  );
  return {
    queued,
    errors,
    firstError,
    closed,
    connected,
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise<T>((resolve) => waiters.push(resolve))),
    dispose: async () => {
      await client.dispose();
    },
  };
}

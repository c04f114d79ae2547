import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { monotonicMs, type FloorCommand, type FloorReport } from './protocol';

/**
 * The floors, each in a fresh process so that its memory per socket is its own:
 * `graphql-ws` is a bare graphql-ws server (no authentication, no database, no federation) whose
 * subscription field is fed by an in-process broadcast and executed per subscriber as graphql-ws
 * does; `raw` is a plain `ws` server writing one pre-serialised frame to every socket.
 */

const SCHEMA = buildSchema(`
  type Query { ok: Boolean }
  type Subscription { contractedPowerOrders: ContractedPowerOrderEvent! }
  type ContractedPowerOrderEvent { eventId: ID! kind: String! order: Order! affected: [Affected!]! }
  type Order { id: ID! }
  type Affected { temporaryMaxPowerKw: Float! meteringPoint: MeteringPoint! }
  type MeteringPoint { id: ID! }
`);

const report = (message: FloorReport) => process.send!(message);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The smallest pubsub: every subscriber's iterator gets every value published after it subscribed. */
class Broadcast<T> {
  private readonly listeners = new Set<(value: T) => void>();

  publish(value: T): void {
    for (const listener of this.listeners) listener(value);
  }

  iterator(): AsyncIterableIterator<T> {
    const queued: T[] = [];
    let waiting: ((result: IteratorResult<T>) => void) | null = null;
    const listener = (value: T) => {
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value, done: false });
      } else queued.push(value);
    };
    this.listeners.add(listener);
    const end = (): IteratorResult<T> => {
      this.listeners.delete(listener);
      waiting?.({ value: undefined, done: true });
      return { value: undefined, done: true };
    };
    return {
      next: () => (queued.length > 0 ? Promise.resolve({ value: queued.shift()!, done: false }) : new Promise((resolve) => (waiting = resolve))),
      return: async () => end(),
      throw: async (error: unknown) => {
        end();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

type EventData = { contractedPowerOrders: { eventId: string; order: { id: string } } & Record<string, unknown> };

let server: WebSocketServer | null = null;
let publish: (eventId: number, orderId: string) => void = () => undefined;

async function start(command: Extract<FloorCommand, { type: 'start' }>): Promise<void> {
  const template = command.data as EventData;
  // Same shape and size as the hub's: only the ids change, as they do there.
  const withIds = (eventId: number, orderId: string): EventData => ({
    contractedPowerOrders: { ...template.contractedPowerOrders, eventId: String(eventId), order: { ...template.contractedPowerOrders.order, id: orderId } },
  });
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server = wss;
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  if (command.kind === 'graphql-ws') {
    const events = new Broadcast<EventData>();
    useServer({ schema: SCHEMA, roots: { subscription: { contractedPowerOrders: () => events.iterator() } } }, wss);
    publish = (eventId, orderId) => events.publish(withIds(eventId, orderId));
  } else {
    publish = (eventId, orderId) => {
      const frame = JSON.stringify({ id: '1', type: 'next', payload: { data: withIds(eventId, orderId) } });
      for (const socket of wss.clients) socket.send(frame);
    };
  }
  report({ type: 'listening', port: (wss.address() as { port: number }).port });
}

function memory(): void {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  report({ type: 'memory', rssBytes: rss, heapUsedBytes: heapUsed });
}

async function stop(): Promise<void> {
  const wss = server;
  if (wss) {
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
  process.exit(0);
}

process.on('message', (command: FloorCommand) => {
  const done = (async () => {
    if (command.type === 'start') return start(command);
    if (command.type === 'memory') return memory();
    if (command.type === 'stop') return stop();
    const t0Ms = monotonicMs();
    publish(command.eventId, command.orderId);
    report({ type: 'published', t0Ms });
  })();
  done.catch((error: unknown) => report({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});
process.on('disconnect', () => process.exit(0));

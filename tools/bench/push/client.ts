import WebSocket from 'ws';
import { monotonicMs, type ClientCommand, type ClientReport } from './protocol';

/**
 * The load driver: many sockets in a process of its own, so that the server's memory and event
 * loop are its own. Plain `ws` sockets speaking graphql-transport-ws by hand, because a
 * graphql-ws client object per socket would cost the shared two cores more than the servers do.
 */

/** Handshakes in flight at once: more overflows the server's listen backlog, and a dropped SYN waits a second. */
const OPENING_AT_ONCE = 200;
const NEXT_MARKER = Buffer.from('"type":"next"');
const ORDER_MARKER = Buffer.from('"order":{"id":"');
const QUOTE = 0x22;

const report = (message: ClientReport) => process.send!(message);

let sockets: WebSocket[] = [];
/** By order id: when each socket got its frame of that order. */
const arrivals = new Map<string, { arrivalsMs: (number | null)[]; pending: number; sample: string }>();

function arrivalsOf(orderId: string, count: number) {
  let event = arrivals.get(orderId);
  if (!event) {
    event = { arrivalsMs: new Array<number | null>(count).fill(null), pending: count, sample: '' };
    arrivals.set(orderId, event);
  }
  return event;
}

function flush(orderId: string): void {
  const event = arrivals.get(orderId);
  arrivals.delete(orderId);
  report({ type: 'event', orderId, arrivalsMs: event?.arrivalsMs ?? new Array<null>(sockets.length).fill(null), sample: event?.sample ?? '' });
}

/** The order id of a `next` frame, found without parsing the frame. */
function orderIdOf(data: Buffer): string | null {
  const start = data.indexOf(ORDER_MARKER);
  if (start < 0) return null;
  const from = start + ORDER_MARKER.length;
  return data.toString('latin1', from, data.indexOf(QUOTE, from));
}

function open(url: string, i: number, count: number, subscribe: Extract<ClientCommand, { type: 'connect' }>['subscribe']): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = subscribe ? new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false }) : new WebSocket(url, { perMessageDeflate: false });
    let acknowledged = !subscribe;
    socket.on('error', reject);
    socket.once('open', () => {
      if (!subscribe) return resolve(socket);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: subscribe.keys[i % subscribe.keys.length] } }));
    });
    socket.on('close', (code) => {
      if (!acknowledged) reject(new Error(`socket ${i} closed with ${code} before connection_ack`));
    });
    socket.on('message', (data: Buffer) => {
      const atMs = monotonicMs();
      if (!acknowledged) {
        acknowledged = true;
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: subscribe!.query } }));
        return resolve(socket);
      }
      // An error or complete frame must not count as a delivery.
      const orderId = data.indexOf(NEXT_MARKER) < 0 ? null : orderIdOf(data);
      if (orderId === null) return;
      const event = arrivalsOf(orderId, count);
      event.arrivalsMs[i] = atMs;
      if (i === 0) event.sample = data.toString();
      if (--event.pending === 0) flush(orderId);
    });
  });
}

async function connect(command: Extract<ClientCommand, { type: 'connect' }>): Promise<void> {
  sockets = new Array<WebSocket>(command.count);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < command.count) {
      const i = nextIndex++;
      sockets[i] = await open(command.url, i, command.count, command.subscribe);
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPENING_AT_ONCE, command.count) }, worker));
  report({ type: 'connected' });
}

async function close(): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close();
          // A server that does not answer the close handshake must not hold the run.
          setTimeout(() => {
            socket.terminate();
            resolve();
          }, 2_000).unref();
        }),
    ),
  );
  sockets = [];
  arrivals.clear();
  report({ type: 'closed' });
}

process.on('message', (command: ClientCommand) => {
  const done = command.type === 'connect' ? connect(command) : command.type === 'close' ? close() : Promise.resolve(flush(command.orderId));
  done.catch((error: unknown) => report({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});
// The parent going away (a crash, ^C) must not leave 10,000 sockets open.
process.on('disconnect', () => process.exit(0));

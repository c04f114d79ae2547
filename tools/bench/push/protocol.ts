import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * CLOCK_MONOTONIC in ms: libuv reads the same clock in every process of the machine, so a time
 * taken in the server process and one taken in the client driver can be subtracted.
 */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/** The client driver's orders. */
export type ClientCommand =
  /** Open `count` sockets; with `subscribe`, speak graphql-transport-ws and subscribe on each, keys round-robin. */
  | { type: 'connect'; url: string; count: number; subscribe: { keys: string[]; query: string } | null }
  /** Send the event of this order id as it stands, missing arrivals as null: the parent gave up waiting. */
  | { type: 'report'; orderId: string }
  | { type: 'close' };

export type ClientReport =
  | { type: 'connected' }
  /**
   * When every socket got the frame of one order (monotonic ms, by socket), and socket 0's frame.
   * Events are told apart by their order id: a socket whose subscription registered after an
   * event never gets it, so counting frames would misalign.
   */
  | { type: 'event'; orderId: string; arrivalsMs: (number | null)[]; sample: string }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

export type FloorKind = 'graphql-ws' | 'raw';

export type FloorCommand =
  /** `data` is what the hub sent as the payload's data, to be published with the same shape and size. */
  | { type: 'start'; kind: FloorKind; data: unknown }
  | { type: 'memory' }
  | { type: 'publish'; eventId: number; orderId: string }
  | { type: 'stop' };

export type FloorReport =
  | { type: 'listening'; port: number }
  | { type: 'memory'; rssBytes: number; heapUsedBytes: number }
  | { type: 'published'; t0Ms: number }
  | { type: 'failed'; message: string };

/** Above 10,000 sockets plus what node itself holds; a hard limit below it ends the spawn with a clear error. */
const CHILD_FD_LIMIT = 65_536;

export interface Child<Command, Report extends { type: string }> {
  send(command: Command): void;
  /** The next report of this type (and matching `accept`), failing on a `failed` report, an exit, or after `timeoutMs`. */
  next<T extends Report['type']>(type: T, timeoutMs: number, accept?: (report: Extract<Report, { type: T }>) => boolean): Promise<Extract<Report, { type: T }>>;
  /** Ends the process if it is still running (by its pid, which only this parent knows). */
  kill(): void;
}

/**
 * A helper script of this folder in its own node, with IPC. Through bash so that its descriptor
 * limit can be raised before node starts (10,000 client sockets need 10,000 descriptors).
 */
export function spawnChild<Command, Report extends { type: string }>(script: string, nodeFlags: string[] = []): Child<Command, Report> {
  const file = path.join(__dirname, script);
  const child: ChildProcess = spawn(
    'bash',
    ['-c', `ulimit -n ${CHILD_FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`, process.execPath, ...nodeFlags, '--require', require.resolve('tsx/cjs'), file],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const queued: Report[] = [];
  let wake: () => void = () => undefined;
  let exited: string | null = null;
  child.on('message', (message) => {
    queued.push(message as Report);
    wake();
  });
  child.on('exit', (code, signal) => {
    exited = `${script} exited (${signal ?? code})`;
    wake();
  });
  return {
    send: (command) => {
      if (child.connected) child.send(command as object);
    },
    async next(type, timeoutMs, accept = () => true) {
      const deadlineMs = Date.now() + timeoutMs;
      for (;;) {
        const index = queued.findIndex((report) => (report.type === type && accept(report as Extract<Report, { type: typeof type }>)) || report.type === 'failed');
        if (index >= 0) {
          const [report] = queued.splice(index, 1) as [Report & { message?: string }];
          if (report.type === 'failed') throw new Error(`${script}: ${report.message}`);
          return report as Extract<Report, { type: typeof type }>;
        }
        if (exited) throw new Error(exited);
        const leftMs = deadlineMs - Date.now();
        if (leftMs <= 0) throw new TimeoutError(`${script}: no ${type} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, leftMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

export class TimeoutError extends Error {}

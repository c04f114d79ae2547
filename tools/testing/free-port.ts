import { readFileSync } from 'node:fs';
import net from 'node:net';

// A port handed out by the kernel (listen on 0) is free only until the next outgoing connection or
// port-0 listener of any process takes it from the same ephemeral range; with seven parts starting
// while other suites connect to PostgreSQL, one of them lost its port that way (EADDRINUSE in CI).
// Ports outside that range are never handed out by the kernel, so only another caller of this
// helper could take one: each jest worker of each run draws from a block of its own.
const BLOCK_SIZE = 200;
const LOWEST_PORT = 1_024;
const HIGHEST_PORT = 65_535;

/** The kernel's ephemeral range: Linux says it; elsewhere IANA's dynamic range (macOS, Windows). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux
  }
  return [49_152, HIGHEST_PORT];
}

/** The wider of the two stretches outside the ephemeral range, from 10,000 up where there is room (below it, well-known servers). */
function unassignedStretch(): [number, number] | null {
  const [low, high] = ephemeralRange();
  const below: [number, number] = [Math.min(10_000, Math.max(LOWEST_PORT, low - 20 * BLOCK_SIZE)), low - 1];
  const above: [number, number] = [high + 1, HIGHEST_PORT];
  const widest = below[1] - below[0] >= above[1] - above[0] ? below : above;
  return widest[1] - widest[0] + 1 >= BLOCK_SIZE ? widest : null;
}

const stretch = unassignedStretch();
const blocks = stretch ? Math.floor((stretch[1] - stretch[0] + 1) / BLOCK_SIZE) : 0;
// The run (the workers' parent) and the worker pick the block; the process where in it to begin.
const block = (process.ppid * 31 + Number(process.env.JEST_WORKER_ID ?? 0)) % Math.max(1, blocks);
const blockStart = stretch ? stretch[0] + block * BLOCK_SIZE : 0;
let next = blockStart + (process.pid % BLOCK_SIZE);

function listenOnce(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** A free port outside the kernel's ephemeral range, for servers started with a port of their own (PostgreSQL, NATS, the parts). */
export async function freePort(): Promise<number> {
  // No room outside the range (a host that hands out nearly every port): the kernel's choice, as before.
  if (!stretch) {
    const port = await listenOnce(0);
    if (port === null) throw new Error('Could not listen on 127.0.0.1');
    return port;
  }
  for (let tries = 0; tries < BLOCK_SIZE; tries += 1) {
    const port = next;
    next = next + 1 >= blockStart + BLOCK_SIZE ? blockStart : next + 1;
    if ((await listenOnce(port)) !== null) return port;
  }
  throw new Error(`No free port in ${blockStart}–${blockStart + BLOCK_SIZE - 1}`);
}

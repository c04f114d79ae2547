import { readFileSync } from 'node:fs';
import net from 'node:net';

// A port handed out by the kernel (listen on 0) is free only until the next outgoing connection or
// port-0 listener of any process takes it from the same ephemeral range; with seven parts starting
// while other suites connect to PostgreSQL, one of them lost its port that way (EADDRINUSE in CI).
// Ports below that range are never handed out by the kernel, so only another caller of this helper
// could take one: each jest worker draws from its own block of them.
const BLOCK_SIZE = 400;
const FIRST_PORT = 20_000;

function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 49_152; // IANA's dynamic range, used by macOS and Windows
  }
}

const worker = Number(process.env.JEST_WORKER_ID ?? 0);
const blockStart = FIRST_PORT + ((worker * BLOCK_SIZE) % Math.max(BLOCK_SIZE, ephemeralLow() - FIRST_PORT - BLOCK_SIZE));
// Each process starts at a different place in its block, so a file run twice at once does not race itself.
let next = blockStart + (process.pid % BLOCK_SIZE);

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port outside the kernel's ephemeral range, for servers started with a port of their own (PostgreSQL, NATS, the parts). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK_SIZE; tries += 1) {
    const port = next;
    next = next + 1 >= blockStart + BLOCK_SIZE ? blockStart : next + 1;
    if (await tryListen(port)) return port;
  }
  throw new Error(`No free port in ${blockStart}–${blockStart + BLOCK_SIZE - 1}`);
}

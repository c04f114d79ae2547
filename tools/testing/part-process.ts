import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './test-database';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** How a part ended: npm's exit code or signal, everything npm and the part printed, and whether it had to be killed. */
export interface PartExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** SIGKILL was needed: SIGTERM did not stop the process group within the grace period. */
  killed: boolean;
  /** Whether any process of the group was still alive when the pipes closed (one that let go of them). */
  groupAlive: boolean;
}

/** One part of the hub (a subgraph or a gateway) run as an operator runs it: `npm run ...` in its own process group. */
export interface PartProcess {
  readonly label: string;
  readonly child: ChildProcess;
  /** stdout and stderr interleaved, so far. */
  readonly output: string;
  /** Whether npm or anything under it still holds the pipes open. */
  readonly running: boolean;
  /** Resolves once npm and every process under it have exited (their pipes closed). */
  readonly finished: Promise<PartExit>;
  /**
   * SIGTERM to the whole process group (npm, tsx, node), as a service manager does; SIGKILL if it
   * has not finished after `graceMs`, so that a part that hangs cannot outlive the test.
   */
  stop(graceMs?: number): Promise<PartExit>;
  /** SIGKILL to the process group, if it still runs: the cleanup of a test that failed. */
  kill(): void;
}

/** Every part started and not yet finished, so that a failed test's cleanup finds them all. */
const live = new Set<PartProcess>();

/**
 * Whether a process of the child's group still runs. A zombie does not count: a part that exited
 * after npm was reparented, and stays a zombie until the machine's init reaps it, which signal 0
 * cannot tell from a live process (seen on a VM whose init reaps late). Where /proc is missing,
 * signal 0 is the fallback.
 */
function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return readdirSync('/proc').some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      return false; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(pgrp) === child.pid && state !== 'Z';
  });
}

/**
 * Whether the group outlives its pipes by more than a moment. tsx's esbuild service, a child of
 * the part's node, exits only once it reads the end of its input, a few ms after node: under load
 * it can still be there when npm's pipes close. No event tells when a process that is not ours
 * exits, so this looks again every 20 ms, for at most `withinMs`.
 */
async function groupOutlives(child: ChildProcess, withinMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (groupAlive(child)) {
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  // No pid: npm could not be spawned at all, so there is no group.
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid!, signal);
  } catch (error) {
    // ESRCH: the group is already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * npm runs a script with `sh -c`. Where sh is dash, the shell stays between npm and tsx, dies at
 * once of the group's SIGTERM, and npm then kills itself with it: npm's status says "SIGTERM"
 * whatever the part's own exit code was. bash execs a lone command, so npm waits on tsx, which
 * exits with the part's code: the status the test asserts is the part's own.
 */
const SCRIPT_SHELL = existsSync('/bin/bash') ? { npm_config_script_shell: '/bin/bash' } : {};

/** `npm <args>` in the project, detached into a process group of its own so that it can be signalled as a whole. */
export function startNpmPart(label: string, args: string[], env: NodeJS.ProcessEnv): PartProcess {
  const child = spawn('npm', args, { cwd: PROJECT_ROOT, env: { ...env, ...SCRIPT_SHELL }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let running = true;
  let killed = false;
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close' comes once the pipes are closed: npm and every process under it are gone.
  const finished = new Promise<PartExit>((resolve) => {
    child.once('error', (error) => {
      output += `\n[spawn failed: ${error.message}]`;
    });
    child.once('close', (code, signal) => {
      running = false;
      live.delete(part);
      void groupOutlives(child).then((alive) => {
        // Whatever let go of the pipes without exiting does not outlive the test either.
        if (alive) signalGroup(child, 'SIGKILL');
        resolve({ code, signal, output, killed, groupAlive: alive });
      });
    });
  });
  const part: PartProcess = {
    label,
    child,
    get output() {
      return output;
    },
    get running() {
      return running;
    },
    finished,
    async stop(graceMs = 20_000) {
      if (!running) return finished;
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => {
        killed = true;
        signalGroup(child, 'SIGKILL');
      }, graceMs);
      try {
        return await finished;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (!running) return;
      killed = true;
      signalGroup(child, 'SIGKILL');
    },
  };
  live.add(part);
  return part;
}

/** SIGKILL to every part still running, and waits until they are gone. */
export async function killLeftoverParts(): Promise<void> {
  const leftovers = [...live];
  for (const part of leftovers) part.kill();
  await Promise.all(leftovers.map((part) => part.finished));
}

/**
 * Polls `${url}/readyz` until it answers 200. Fails at once, with the part's output, when one of
 * `parts` exits meanwhile (a part that crashes at start never becomes ready), and at the deadline
 * with the last readiness report.
 */
export async function waitUntilReady(url: string, parts: readonly PartProcess[], timeoutMs: number): Promise<void> {
  let last = 'no answer yet';
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const exited = parts.find((part) => !part.running);
    if (exited) throw new Error(`${exited.label} exited before ${url} was ready:\n${exited.output}`);
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url}/readyz did not answer 200 within ${timeoutMs} ms; last: ${last}`);
}

/**
 * A database with nothing in it, not even the migrations (createTestDatabase clones a migrated
 * template): what an operator points freshly deployed parts at, which migrate it themselves.
 */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return createTestDatabase({ template: null, max: 4 });
}

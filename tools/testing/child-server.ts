import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  stop(): Promise<void>;
}

export interface ChildServerOptions {
  command: string;
  args: string[];
  /** Whether the server answers yet: polled until it does. */
  answers(): Promise<boolean>;
  /** How to get the command when it is missing, for the error. */
  installHint: string;
  readyTimeoutMs?: number;
}

/**
 * A server of the test run's own (nats-server, redis-server) as a child process, resolved once
 * it answers; it fails with the command's name and how to install it when it cannot start.
 */
export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const { command, readyTimeoutMs = 15_000 } = options;
  const child: ChildProcess = spawn(command, options.args, { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`${command} could not be started (${error.message}). ${options.installHint}`)));
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready`)));
  });
  const ready = (async () => {
    for (const deadline = Date.now() + readyTimeoutMs; Date.now() < deadline && child.exitCode === null; ) {
      if (await options.answers()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${command} did not answer within ${readyTimeoutMs} ms`);
  })();
  try {
    await Promise.race([ready, failed]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  child.removeAllListeners('exit');
  return {
    async stop() {
      // A server that already died will never emit 'exit' again: waiting for it would hang the teardown.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

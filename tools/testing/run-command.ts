import { execFile, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT, startNpmPart } from './part-process';

export { PROJECT_ROOT };

/** Runs an npm script to completion, as a user would type it. */
export function runNpm(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', args, { cwd: PROJECT_ROOT, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

export interface StartedHub {
  child: ChildProcess;
  output: string;
  url: string;
  keys: Map<string, string>;
  /** Resolves once the output (so far or later) matches `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
  /**
   * SIGTERM to the whole process group (npm, tsx, the hub), as a terminal's Ctrl-C or a service
   * manager does; resolves with everything they printed once every one of them has exited
   * (SIGKILL after the part's grace period, so that a hub that hangs cannot outlive the test).
   */
  stop(): Promise<string>;
}

/**
 * `npm start`, resolved when it prints its ready banner (URL and demo keys parsed from it); it runs
 * as a part (part-process.ts), in a process group of its own. Rejected, the group killed, when it
 * is not ready within `timeoutMs`; rejected at once when it exits before.
 */
export function startNpmStart(env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<StartedHub> {
  const part = startNpmPart('npm start', ['start'], env);
  const stdout = part.child.stdout!;
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      part.kill();
      reject(new Error(`not ready in ${timeoutMs} ms:\n${part.output}`));
    }, timeoutMs);
    const onData = () => {
      const output = part.output;
      const url = /Playground and API: (\S+)\/graphql/.exec(output)?.[1];
      if (!url || !/developer\s+\S+\s+mh_\w+/.test(output)) return;
      ready = true;
      clearTimeout(timer);
      stdout.off('data', onData);
      // The first key printed per role (the demo prints two retailers': the first is ret-edpc's).
      const keys = new Map<string, string>();
      for (const match of output.matchAll(/^\s+(\w+)\s+\S+\s+(mh_\w+)$/gm)) if (!keys.has(match[1]!)) keys.set(match[1]!, match[2]!);
      resolve({
        child: part.child,
        get output() {
          return part.output;
        },
        url,
        keys,
        waitFor: (pattern) =>
          new Promise<void>((resolveWait) => {
            if (pattern.test(part.output)) return resolveWait();
            const onMore = () => {
              if (!pattern.test(part.output)) return;
              stdout.off('data', onMore);
              resolveWait();
            };
            stdout.on('data', onMore);
          }),
        stop: async () => (await part.stop()).output,
      });
    };
    // Registered after the part's own listener, so the part's output already holds each chunk.
    stdout.on('data', onData);
    void part.finished.then((exit) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${exit.signal ?? exit.code} before it was ready:\n${exit.output}`));
    });
  });
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

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
   * manager does; resolves with everything they printed once every one of them has exited.
   */
  stop(): Promise<string>;
}

/** `npm start`, resolved when it prints its ready banner (URL and demo keys parsed from it). */
export function startNpmStart(env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<StartedHub> {
  const child = spawn('npm', ['start'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // 'close' comes when the pipes are closed, i.e. when npm and every process under it are gone.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Playground and API: (\S+)\/graphql/.exec(output)?.[1];
      if (!url || !/developer\s+\S+\s+mh_\w+/.test(output)) return;
      clearTimeout(timer);
      const keys = new Map([...output.matchAll(/^\s+(\w+)\s+\S+\s+(mh_\w+)$/gm)].map((match) => [match[1]!, match[2]!]));
      resolve({
        child,
        get output() {
          return output;
        },
        url,
        keys,
        waitFor: (pattern) =>
          new Promise<void>((resolveWait) => {
            if (pattern.test(output)) return resolveWait();
            const onMore = () => {
              if (!pattern.test(output)) return;
              child.stdout.off('data', onMore);
              resolveWait();
            };
            child.stdout.on('data', onMore);
          }),
        async stop() {
          process.kill(-child.pid!, 'SIGTERM');
          await closed;
          return output;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      if (child.signalCode) return;
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
}

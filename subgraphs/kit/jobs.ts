import type { SubgraphSettings } from './config';
import type { DatabaseHandle } from './db';
import type { Logger } from './logger';
import { settledWithin } from './settle';
import type { SubgraphJob } from './subgraph';

/** How long stopping waits for a run in flight: its statements are bounded by the statement timeout anyway. */
const STOP_WAIT_MS = 10_000;

export interface RunningJobs {
  stop(): Promise<void>;
}

/**
 * Runs each job now and then again `intervalMs` after each run ends, so runs of one job never
 * overlap. A failed run is logged and the next one comes as usual: a database away for a while
 * (a restart) only delays the work. stop() lets the run in flight finish, then starts no other.
 */
export function startJobs(jobs: readonly SubgraphJob[], database: DatabaseHandle, settings: SubgraphSettings, log: Logger): RunningJobs {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  const schedule = (job: SubgraphJob, delayMs: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = job
        .run(database, settings, log.child({ job: job.name }))
        .catch((err: unknown) => log.warn({ err, job: job.name }, 'subgraph job failed; it runs again at its next turn'))
        .finally(() => {
          inFlight.delete(run);
          if (!stopped) schedule(job, job.intervalMs(settings));
        });
      inFlight.add(run);
    }, delayMs);
    // Never what keeps a process alive: its server is.
    timer.unref();
    timers.add(timer);
  };
  for (const job of jobs) schedule(job, 0);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await settledWithin(Promise.all(inFlight), STOP_WAIT_MS);
    },
  };
}

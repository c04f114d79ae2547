import type { Pool } from 'pg';

export interface ReadinessReport {
  ready: boolean;
  database: boolean;
  /** The event transport beyond the database: NATS with EVENT_BUS=nats; with postgres, always true (the database is checked above). */
  eventBus: boolean;
  subgraphs: Record<string, boolean>;
}

async function subgraphAnswers(graphqlUrl: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(graphqlUrl.replace(/\/graphql$/, '/healthz'), { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Whether `check` says yes within `timeoutMs`: a peer that hangs is a peer that does not answer. */
export function answersWithin(check: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return Promise.race([
    check.then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref()),
  ]);
}

/** Ready means: the database, the event transport and every subgraph answer. */
export async function checkReadiness(
  pool: Pool,
  subgraphUrls: Record<string, string>,
  eventBusAnswers: (timeoutMs: number) => Promise<boolean>,
  timeoutMs = 2000,
): Promise<ReadinessReport> {
  const names = Object.keys(subgraphUrls);
  const [database, eventBus, ...answers] = await Promise.all([
    answersWithin(pool.query('SELECT 1'), timeoutMs),
    eventBusAnswers(timeoutMs),
    ...names.map((name) => subgraphAnswers(subgraphUrls[name]!, timeoutMs)),
  ]);
  const subgraphs = Object.fromEntries(names.map((name, i) => [name, answers[i]!]));
  return { ready: database && eventBus && answers.every(Boolean), database, eventBus, subgraphs };
}

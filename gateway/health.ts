import type { Pool } from 'pg';

export interface ReadinessReport {
  ready: boolean;
  database: boolean;
  /** The event transport: always the database's answer with EVENT_BUS=postgres, NATS's with nats. */
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

async function databaseAnswers(pool: Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
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
    databaseAnswers(pool),
    eventBusAnswers(timeoutMs),
    ...names.map((name) => subgraphAnswers(subgraphUrls[name]!, timeoutMs)),
  ]);
  const subgraphs = Object.fromEntries(names.map((name, i) => [name, answers[i]!]));
  return { ready: database && eventBus && answers.every(Boolean), database, eventBus, subgraphs };
}

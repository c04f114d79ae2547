import type { Pool } from 'pg';

export interface ReadinessReport {
  ready: boolean;
  database: boolean;
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

/** Ready means: the database answers and so does every subgraph. */
export async function checkReadiness(pool: Pool, subgraphUrls: Record<string, string>, timeoutMs = 2000): Promise<ReadinessReport> {
  const names = Object.keys(subgraphUrls);
  const [database, ...answers] = await Promise.all([databaseAnswers(pool), ...names.map((name) => subgraphAnswers(subgraphUrls[name]!, timeoutMs))]);
  const subgraphs = Object.fromEntries(names.map((name, i) => [name, answers[i]!]));
  return { ready: database && answers.every(Boolean), database, subgraphs };
}

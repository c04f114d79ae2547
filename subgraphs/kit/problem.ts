/**
 * A problem with the input, as `.rules.ts` checks return it: pure (no GraphQL here), so rules
 * stay importable without the server; commands turn problems into an error with bad-input.ts.
 */
export interface Problem {
  field: string;
  message: string;
}

/** An instant as a problem's message names it. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();

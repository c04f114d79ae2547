/** What `eventually` waits for: any value but these. */
type Missing = false | null | undefined;

export interface EventuallyOptions {
  /** How long to keep trying, from the first try. */
  timeoutMs?: number;
  /** The pause between two tries: the polled process gets the time to move on. */
  pauseMs?: number;
}

/**
 * Tries `probe` until it returns something (not false, null or undefined), with a short pause
 * between tries, and returns that; past the deadline it fails naming `what` and the last value.
 * For conditions a test cannot await directly. A probe that throws fails at once: an error is a
 * finding, not a condition still to come.
 */
export async function eventually<T>(probe: () => T | Promise<T>, what: string, { timeoutMs = 10_000, pauseMs = 25 }: EventuallyOptions = {}): Promise<Exclude<T, Missing>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let tries = 0;
  for (;;) {
    last = await probe();
    tries += 1;
    if (last !== false && last !== null && last !== undefined) return last as Exclude<T, Missing>;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pauseMs, Math.max(0, deadline - Date.now()))));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms (${tries} tries; the last gave ${JSON.stringify(last)})`);
}

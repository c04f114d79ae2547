/** Percentile by nearest rank over a copy of the samples (ms). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Duration of one call of `work`, in ms. */
export async function timeOnce(work: () => Promise<unknown>): Promise<number> {
  const startedMs = performance.now();
  await work();
  return performance.now() - startedMs;
}

/** Median of `runs` timed calls of `work`, after `warmup` untimed ones (the JIT and caches settle). */
export async function medianOf(work: () => Promise<unknown>, { warmup, runs }: { warmup: number; runs: number }): Promise<number> {
  for (let i = 0; i < warmup; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timeOnce(work));
  return percentile(samples, 50);
}

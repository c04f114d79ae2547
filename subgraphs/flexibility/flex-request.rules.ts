export interface FlexRequestDraft {
  powerKw: number;
  windowStart: Date;
  windowEnd: Date;
}

export const MAX_FLEX_POWER_KW = 10_000;
/** A watt: a smaller request means nothing, and a denormal would not fit the real column. */
export const MIN_FLEX_POWER_KW = 0.001;
export const MAX_FLEX_WINDOW_MS = 24 * 3600 * 1000;

/** Pure validation of a new flexibility request; returns the problems, empty when valid. */
export function flexRequestProblems(draft: FlexRequestDraft, nowMs: number): string[] {
  const problems: string[] = [];
  if (!(draft.powerKw >= MIN_FLEX_POWER_KW && draft.powerKw <= MAX_FLEX_POWER_KW)) {
    problems.push(`powerKw must be from ${MIN_FLEX_POWER_KW} to ${MAX_FLEX_POWER_KW}`);
  }
  const startMs = draft.windowStart.getTime();
  const endMs = draft.windowEnd.getTime();
  if (endMs <= startMs) problems.push('windowEnd must be after windowStart');
  else if (endMs - startMs > MAX_FLEX_WINDOW_MS) problems.push('the window may last at most 24 hours');
  if (startMs < nowMs) problems.push('windowStart must not be in the past');
  return problems;
}

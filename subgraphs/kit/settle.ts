/**
 * Resolves when `promise` settles or after `ms`, whichever is first: shutdown steps that wait on
 * a peer (a vanished database, a silent socket) must not hold the process up for ever.
 */
export function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => resolve(),
      () => resolve(),
    );
  }).then(() => undefined);
}

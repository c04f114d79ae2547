import type { Logger } from './logger';

/** On SIGTERM or SIGINT: stop accepting, drain, close; exit non-zero if that fails. */
export function runUntilSignalled(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * What a process prints when it cannot start: the message, and the cause beneath it (drizzle
 * wraps a driver's error as "Failed query: …", the reason being its cause), then exits 1.
 */
export function exitOnStartFailure(error: unknown): never {
  const causes: string[] = [];
  for (let current: unknown = error; current !== undefined && causes.length < 4; current = current instanceof Error ? current.cause : undefined) {
    causes.push(current instanceof Error ? current.message : String(current));
  }
  console.error(causes.join('\n  caused by: '));
  process.exit(1);
}

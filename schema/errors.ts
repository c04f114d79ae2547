import { GraphQLError } from 'graphql';

/**
 * The closed set of codes a client may see in `extensions.code`. Anything else is masked as
 * INTERNAL_SERVER_ERROR before it leaves a subgraph or the gateway.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** PostgreSQL text cannot hold U+0000: the gateway refuses it in requests, and subgraphs as a backstop. */
export const NUL_TEXT_MESSAGE = 'Text in a request must not contain the NUL character (U+0000)';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

export function isClientErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Codes of a refusal of the operation itself (who asks, for what): asking again unchanged gets
 * the same answer, so it is final, not retried. The others (NOT_FOUND, RATE_LIMITED, UNAVAILABLE,
 * INTERNAL_SERVER_ERROR...) may change with the data or in time.
 */
export const FINAL_ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT']);

/** Base of every error the hub raises on purpose; its message is safe to show to the caller. */
export abstract class HubError extends GraphQLError {
  abstract readonly code: ErrorCode;

  protected constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) } });
  }
}

export class UnauthenticatedError extends HubError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor(message = 'A valid API key is required') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends HubError {
  readonly code = 'FORBIDDEN' as const;
  constructor(message = 'Not allowed for this key') {
    super('FORBIDDEN', message);
  }
}

export interface RejectedRow {
  index: number;
  /** Where in the input, for a row with parts of its own: `reports[2].devices[0].powerKw`. */
  path?: string;
  reason: string;
}

export class BadUserInputError extends HubError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(message: string, details: { rejected?: RejectedRow[]; field?: string } = {}) {
    super('BAD_USER_INPUT', message, details);
  }
}

export class NotFoundError extends HubError {
  readonly code = 'NOT_FOUND' as const;
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class ConflictError extends HubError {
  readonly code = 'CONFLICT' as const;
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class RateLimitedError extends HubError {
  readonly code = 'RATE_LIMITED' as const;
  constructor(message = 'Too many requests') {
    super('RATE_LIMITED', message);
  }
}

export class UnavailableError extends HubError {
  readonly code = 'UNAVAILABLE' as const;
  constructor(message = 'Service temporarily unavailable') {
    super('UNAVAILABLE', message);
  }
}

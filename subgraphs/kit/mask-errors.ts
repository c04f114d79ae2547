import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isClientErrorCode, NUL_TEXT_MESSAGE } from '../../schema/errors';
import type { Logger } from './logger';

/** Errors about the shape of the request itself: their messages describe the query, nothing else. */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'BAD_USER_INPUT']);

/** Extensions a client may see besides `code`. */
const PUBLIC_EXTENSIONS = ['rejected', 'field'] as const;

/**
 * graphql-js suggests field and argument names a client got wrong ("Did you mean ...?"):
 * hidden, as graphql-armor's block-field-suggestions does, so the schema is not guessed from errors.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean .+\?$/s, '').trim();
}

/** PostgreSQL's code for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';
/** PostgreSQL's codes for text it cannot store (a NUL byte): the gateway refuses it first; this is the backstop. */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** drizzle wraps the driver's error as 'Failed query: …', the PostgreSQL error being its cause. */
function postgresCode(error: unknown): unknown {
  for (let current = error; typeof current === 'object' && current !== null; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Reduces any error to the closed set of codes. Only messages of errors raised on purpose
 * (closed-set codes other than INTERNAL_SERVER_ERROR) pass; everything else is logged in full
 * and replaced by a generic message, so no SQL, parameters or stack traces reach a client.
 */
export function createErrorMasker(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const safe = (isClientErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') || REQUEST_ERROR_CODES.has(String(code));
    if (!safe) {
      const original = unwrapResolverError(error);
      const pgCode = postgresCode(original);
      if (typeof pgCode === 'string' && UNSTORABLE_TEXT.has(pgCode)) {
        return { message: NUL_TEXT_MESSAGE, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
      }
      if (pgCode === QUERY_CANCELED) {
        log.warn({ path: formatted.path }, 'a statement ran past the statement timeout');
        return { message: 'The database work for this request took too long and was stopped; narrow the request or retry later', path: formatted.path, extensions: { code: 'UNAVAILABLE' } };
      }
      log.error({ err: original, path: formatted.path }, 'masked an internal error');
      return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    const extensions: Record<string, unknown> = { code: isClientErrorCode(code) ? code : 'BAD_USER_INPUT' };
    for (const key of PUBLIC_EXTENSIONS) {
      if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
    }
    return { message: withoutSuggestions(formatted.message), locations: formatted.locations, path: formatted.path, extensions };
  };
}

import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { parse, type DocumentNode, type GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { QueryLimits } from './config';

/**
 * Limits every operation passes on both transports (HTTP and graphql-ws), before any planning
 * or data access, so that no single document can hold the gateway's event loop: the token
 * count while parsing (graphql-js stops at the limit, as graphql-armor's max-tokens advises),
 * then graphql-armor's depth, aliases, directives and cost as validation rules. The event
 * hub's own batch queries pass them too, which is why it sizes its batches to fit.
 */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  // Reported as validation errors (BAD_USER_INPUT), not thrown: a throw would surface as an internal error.
  const report = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)] };
  return [
    maxDepthRule({ n: limits.maxDepth, ...report }),
    maxAliasesRule({ n: limits.maxAliases, ...report }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report }),
    costLimitRule({ maxCost: limits.maxCost, ...report }),
  ] as ValidationRule[];
}

export function parseOptions(limits: QueryLimits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

/** Parses a client's document under the token limit; a syntax error or too many tokens is a GraphQLError. */
export function parseLimited(source: string, limits: QueryLimits): DocumentNode {
  return parse(source, parseOptions(limits));
}

/**
 * Whether a request's document or variables hold the NUL character: PostgreSQL text cannot store
 * it, so it is refused here, with the client's error, before it reaches any statement.
 */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
}

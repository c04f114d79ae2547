import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
}

/**
 * Validation rules every operation passes on both transports (HTTP and graphql-ws): a deep or
 * alias-heavy document is refused before any planning or data access. The event hub's own batch
 * queries pass them too, so it sizes its batches to the aliases limit (maxBatchEvents).
 */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  // Reported as validation errors (BAD_USER_INPUT), not thrown: a throw would surface as an internal error.
  const report = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)] };
  return [maxDepthRule({ n: limits.maxDepth, ...report }), maxAliasesRule({ n: limits.maxAliases, ...report })] as ValidationRule[];
}

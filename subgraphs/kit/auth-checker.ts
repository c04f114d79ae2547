import type { AuthCheckerFn } from 'type-graphql';
import { hasScope, type Scope } from '../../schema/access';
import { ForbiddenError } from '../../schema/errors';
import type { SubgraphContext } from './context';

/**
 * The one check behind every `@Authorized(...)`: the caller's key must hold at least one of the
 * scopes the field names (none named: any verified key). Scopes are already cut to the role's
 * ceiling (schema/access.ts), so the role is checked with them; which rows a scope reaches is
 * the subgraphs' SQL. Refusals say which scope is missing, never anything about the data.
 */
export const authChecker: AuthCheckerFn<SubgraphContext, Scope> = ({ context, info }, scopes) => {
  if (scopes.length === 0 || scopes.some((scope) => hasScope(context.identity, scope))) return true;
  throw new ForbiddenError(`${info.parentType.name}.${info.fieldName} needs the ${scopes.join(' or ')} scope, which this key does not have`);
};

import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isCompositeType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values';
import { BadUserInputError } from '../../schema/errors';
import { DEFAULT_PAGE_SIZE } from './connection';

/**
 * What one field costs each time it is resolved, from its (coerced) arguments: roughly the
 * values it reads and returns. `advice` says how to ask for less of it.
 */
export interface FieldCost {
  cost(args: Record<string, unknown>): number;
  advice: string;
  /**
   * How many times the field's children are resolved per resolution of it, when that is not the
   * default (fanOut below): a list of unknown length priced by an estimate or a bound of its own.
   */
  fanOut?(args: Record<string, unknown>): number;
}

/** A subgraph's costly fields, by `Type.field`; every other field costs nothing. */
export type CostModel = Readonly<Record<string, FieldCost>>;

export interface OperationCost {
  total: number;
  /** The field that costs most, with how many times it is resolved. */
  heaviest: { field: string; times: number; each: number; advice: string } | null;
}

/**
 * How many times a field's children are resolved per resolution of the field: a page's size
 * (`first`, or the default), the representations of `_entities`, else once, unless the field's
 * FieldCost says otherwise. Lists of unknown length are bounded by their own field's cost, their
 * FieldCost's fanOut, or the subgraph that resolves them.
 */
function fanOut(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  if (field.name === '_entities') return Array.isArray(args.representations) ? args.representations.length : 1;
  if (field.args.some((arg) => arg.name === 'first')) return typeof args.first === 'number' && args.first > 0 ? args.first : DEFAULT_PAGE_SIZE;
  return 1;
}

/** The cost of one operation before it runs: each costly field's cost times how often it would be resolved. */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, rawVariables: Record<string, unknown>, model: CostModel): OperationCost {
  // Arguments are read as the resolvers will see them: variables coerced (a DateTime is a Date).
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  const variables = coerced.coerced ?? {};
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const result: OperationCost = { total: 0, heaviest: null };
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, times: number, visiting: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) walk(selection.selectionSet, type, times, visiting);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !type || !isCompositeType(type) || visiting.has(fragment.name.value)) continue;
        walk(fragment.selectionSet, type, times, new Set(visiting).add(fragment.name.value));
        continue;
      }
      if (!('getFields' in parent)) continue;
      const field = parent.getFields()[selection.name.value];
      if (!field) continue;
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(field, selection, variables);
      } catch {
        // Arguments that do not coerce fail when the operation runs, with a better message.
        continue;
      }
      const priced = model[`${parent.name}.${field.name}`];
      if (priced) {
        const each = priced.cost(args);
        result.total += times * each;
        if (!result.heaviest || times * each > result.heaviest.times * result.heaviest.each) result.heaviest = { field: `${parent.name}.${field.name}`, times, each, advice: priced.advice };
      }
      const type = getNamedType(field.type);
      if (selection.selectionSet && isCompositeType(type)) walk(selection.selectionSet, type, times * (priced?.fanOut ? priced.fanOut(args) : fanOut(field, args)), visiting);
    }
  };
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (root) walk(operation.selectionSet, root, 1, new Set());
  return result;
}

const thousands = (n: number) => Math.round(n).toLocaleString('en');

/**
 * Refuses, before any resolver runs, an operation whose cost is over `maxCost`, with
 * BAD_USER_INPUT saying what costs most and how to ask for less.
 */
export function costLimitPlugin<C extends object>(model: CostModel, maxCost: number): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const cost = operationCost(schema, document, operation, request.variables ?? {}, model);
          if (cost.total <= maxCost || !cost.heaviest) return;
          const { field, times, each, advice } = cost.heaviest;
          const refusal = new BadUserInputError(
            `This operation would cost about ${thousands(cost.total)}, over the budget of ${thousands(maxCost)} per operation ` +
              `(${field}: ${thousands(times)} × ${thousands(each)}). Narrow it: ${advice}.`,
          );
          // A refusal is an answer, not a failure: the gateway reads a subgraph's 5xx as an outage.
          refusal.extensions.http = { status: 200 };
          throw refusal;
        },
      };
    },
  };
}

import { createHash } from 'node:crypto';
import {
  GraphQLError,
  Kind,
  print,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { HUB_EVENT_TYPES, type HubEventType } from '../../schema/events';

/** Each subscription field, the query that materialises one event for it, and the events it takes. */
const SUBSCRIPTION_FIELDS: Record<string, { queryField: string; types: readonly HubEventType[] | 'argument' }> = {
  contractedPowerOrders: { queryField: 'contractedPowerOrderEvent', types: ['CONTRACTED_POWER_ORDER'] },
  flexRequests: { queryField: 'flexRequestEvent', types: ['FLEX_REQUEST', 'FLEX_RESTORE'] },
  flexOrders: { queryField: 'flexOrderEvent', types: ['FLEX_ORDER'] },
  hubEvents: { queryField: 'hubEvent', types: 'argument' },
};

/** The variable the rewritten query takes the event id in; `__` keeps it clear of the client's. */
export const EVENT_ID_VARIABLE = '__eventId';

/**
 * How one subscription is served: the query that turns an event id into what the subscriber
 * selected, which event types it wants, and where to resume.
 */
export interface SubscriptionPlan {
  /** The subscription's root field, to repeat once per event in a batch query. */
  field: FieldNode;
  operation: OperationDefinitionNode;
  /** The subscription's own selection, asked as a query of one event. */
  document: DocumentNode;
  /** Identifies query and variables: subscribers with the same key and permissions share one execution per event. */
  key: string;
  responseKey: string;
  types: ReadonlySet<HubEventType>;
  after: number | null;
  /** The variables the query uses (the event id is added per event). */
  variables: Record<string, unknown>;
}

function usedVariables(document: DocumentNode): Set<string> {
  const names = new Set<string>();
  visit(document, {
    [Kind.VARIABLE_DEFINITION]: () => false,
    [Kind.VARIABLE]: (node) => {
      names.add(node.name.value);
    },
  });
  return names;
}

function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const argument = field.arguments?.find((arg) => arg.name.value === name);
  return argument ? valueFromASTUntyped(argument.value, variables) : undefined;
}

/** A plan for a validated subscription document, or the errors to answer with. */
export function planSubscription(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): SubscriptionPlan | GraphQLError[] {
  const fields = operation.selectionSet.selections;
  if (fields.length !== 1 || fields[0]!.kind !== Kind.FIELD) return [new GraphQLError('A subscription selects exactly one field')];
  const field = fields[0];
  const spec = SUBSCRIPTION_FIELDS[field.name.value];
  if (!spec) return [new GraphQLError(`Unknown subscription field ${field.name.value}`)];

  const afterValue = argumentValue(field, 'after', variables);
  const after = afterValue == null ? null : Number(afterValue);
  if (after !== null && !(Number.isSafeInteger(after) && after >= 0)) return [new GraphQLError('after must be an eventId', { extensions: { code: 'BAD_USER_INPUT' } })];
  const typesValue = spec.types === 'argument' ? argumentValue(field, 'types', variables) : spec.types;
  const types = new Set((Array.isArray(typesValue) && typesValue.length > 0 ? typesValue : HUB_EVENT_TYPES) as HubEventType[]);

  const queryField: FieldNode = {
    ...field,
    name: { kind: Kind.NAME, value: spec.queryField },
    alias: { kind: Kind.NAME, value: field.alias?.value ?? field.name.value },
    arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'eventId' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: EVENT_ID_VARIABLE } } }],
  };
  // `after` and `types` only steer delivery: their variables leave the query, so that they do not
  // split otherwise identical subscribers (and GraphQL refuses unused variables).
  const used = usedVariables({ kind: Kind.DOCUMENT, definitions: [...document.definitions.filter((d) => d !== operation), { ...operation, selectionSet: { ...operation.selectionSet, selections: [queryField] } }] });
  const queryOperation: OperationDefinitionNode = {
    ...operation,
    operation: 'query' as OperationDefinitionNode['operation'],
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter((definition) => used.has(definition.variable.name.value)),
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: EVENT_ID_VARIABLE } },
        type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
      },
    ],
    selectionSet: { ...operation.selectionSet, selections: [queryField] },
  };
  const query: DocumentNode = {
    ...document,
    definitions: document.definitions.filter((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition === operation).map((definition) => (definition === operation ? queryOperation : definition)),
  };
  const queryVariables = Object.fromEntries(Object.entries(variables).filter(([name]) => used.has(name)));
  const key = createHash('sha256').update(print(query)).update(JSON.stringify(queryVariables)).digest('base64url');
  return { key, responseKey: queryField.alias!.value, types, after, variables: queryVariables, field: queryField, operation: queryOperation, document: query };
}

/** The alias (and variable) under which a batch query answers for its i-th event. */
export const batchAlias = (index: number) => `e${index}`;

/**
 * One query for `count` events: the plan's field once per event, the event ids in variables
 * `$e0…`, so a burst or a replay costs one trip through the federated graph instead of one per
 * event, and the gateway's plan cache serves every batch of the same size.
 */
export function batchQuery(plan: SubscriptionPlan, count: number): DocumentNode {
  const selections: FieldNode[] = Array.from({ length: count }, (_, i) => ({
    ...plan.field,
    alias: { kind: Kind.NAME, value: batchAlias(i) },
    arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'eventId' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: batchAlias(i) } } }],
  }));
  const eventVariables: VariableDefinitionNode[] = Array.from({ length: count }, (_, i) => ({
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: batchAlias(i) } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
  }));
  const operation: OperationDefinitionNode = {
    ...plan.operation,
    variableDefinitions: [...(plan.operation.variableDefinitions ?? []).filter((definition) => definition.variable.name.value !== EVENT_ID_VARIABLE), ...eventVariables],
    selectionSet: { ...plan.operation.selectionSet, selections },
  };
  return { ...plan.document, definitions: plan.document.definitions.map((definition) => (definition === plan.operation ? operation : definition)) };
}

/** The variables of a batch query: the plan's own and the event ids. */
export function batchVariables(plan: SubscriptionPlan, eventIds: readonly number[]): Record<string, unknown> {
  return { ...plan.variables, ...Object.fromEntries(eventIds.map((id, i) => [batchAlias(i), String(id)])) };
}

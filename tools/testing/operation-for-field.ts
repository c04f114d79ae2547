import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';

export type RootOperation = 'query' | 'mutation' | 'subscription';

/** One operation that calls a single root field, with its variables. */
export interface FieldOperation {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * Values of the schema's scalars: any value of the right type will do, the operation only has
 * to pass validation so that what answers it is the field's own resolver. A scalar without an
 * entry stops the generation: guessing would send something the gateway refuses before any
 * authorization, and the matrix would read that as a refusal.
 */
export const DEFAULT_SCALAR_VALUES: Readonly<Record<string, unknown>> = {
  ID: 'matrix-id',
  String: 'matrix',
  Int: 1,
  Float: 1,
  Boolean: true,
  // Aligned to a quarter-hour, so that it is also a valid interval start.
  DateTime: '2024-01-01T00:00:00.000Z',
};

/**
 * A value of an input type: every required field of an input object (recursively), one element
 * for a list, the first value of an enum. Optional fields are left out: the least an operation
 * needs to be valid.
 */
export function valueFor(type: GraphQLInputType, scalars: Readonly<Record<string, unknown>> = DEFAULT_SCALAR_VALUES, path: readonly string[] = []): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [valueFor(nullable.ofType, scalars, path)];
  if (isEnumType(nullable)) {
    const first = nullable.getValues()[0];
    if (!first) throw new Error(`enum ${nullable.name} has no values`);
    return first.name;
  }
  if (isScalarType(nullable)) {
    if (!(nullable.name in scalars)) throw new Error(`no value for scalar ${nullable.name} (at ${path.join('.')}): add one to the scalar values`);
    return scalars[nullable.name];
  }
  if (isInputObjectType(nullable)) {
    if (path.includes(nullable.name)) throw new Error(`input type ${nullable.name} requires itself (at ${path.join('.')})`);
    const value: Record<string, unknown> = {};
    for (const field of Object.values(nullable.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = valueFor(field.type, scalars, [...path, nullable.name, field.name]);
    }
    return value;
  }
  throw new Error(`unexpected input type ${String(type)}`);
}

/** The smallest valid selection of an output type: none for leaves, `__typename` for composite types. */
export function minimalSelection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isUnionType(named)) return `{ ${named.getTypes().map((member) => `... on ${member.name} { __typename }`).join(' ')} }`;
  if (isObjectType(named) || isInterfaceType(named)) return '{ __typename }';
  return '';
}

/**
 * A type-correct operation calling `field` at the root of `operation`: every required argument
 * given (as a variable of the argument's own type), the smallest valid selection.
 */
export function operationForField(operation: RootOperation, field: GraphQLField<unknown, unknown>, scalars: Readonly<Record<string, unknown>> = DEFAULT_SCALAR_VALUES): FieldOperation {
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const args: string[] = [];
  for (const arg of required) {
    variables[arg.name] = valueFor(arg.type, scalars, [field.name, arg.name]);
    definitions.push(`$${arg.name}: ${String(arg.type)}`);
    args.push(`${arg.name}: $${arg.name}`);
  }
  const name = `Matrix_${field.name}`;
  const query = `${operation} ${name}${definitions.length > 0 ? `(${definitions.join(', ')})` : ''} { ${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''} ${minimalSelection(field.type)} }`;
  return { query, variables };
}

/**
 * An enum-like object of a const list of names, for type-graphql's registerEnumType: the list
 * (in schema/) stays the one source of the values, for the tables and events as for GraphQL.
 */
export function enumOf<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  // Object.fromEntries types its result as a string record; each entry maps a name to itself.
  return Object.fromEntries(values.map((value) => [value, value])) as { readonly [K in T[number]]: K };
}

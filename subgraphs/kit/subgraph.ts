import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { DateTimeScalar } from './date-time.scalar';
import gql from 'graphql-tag';
import { Kind, type ConstDirectiveNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import type { ConsentScope } from '../../schema/access';
import { authChecker } from './auth-checker';
import type { CostModel } from './cost';
import { CallerResolver } from './caller.resolver';
import type { SubgraphName } from '../../schema/subgraphs';
import type { RequestScope, SubgraphContext } from './context';
import type { SubgraphSettings } from './config';
import type { DatabaseHandle } from './db';
import type { Logger } from './logger';


const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires"])\n';

/** An entity representation as the query planner sends it: `{ __typename, id }`. */
export interface EntityReference {
  id: string;
}

export type ReferenceResolvers<Loaders> = Record<
  string,
  { __resolveReference(reference: EntityReference, ctx: SubgraphContext<Loaders>): unknown }
>;

/**
 * Periodic work of a subgraph (kit/jobs.ts runs it): every process serving the subgraph runs it,
 * each replica included, so a run must be safe beside another replica's (one guarded statement,
 * UPDATE … WHERE … RETURNING). A run starts when the process does, and again `intervalMs` after
 * the previous one ended.
 */
export interface SubgraphJob {
  name: string;
  intervalMs(settings: SubgraphSettings): number;
  run(database: DatabaseHandle, settings: SubgraphSettings, log: Logger): Promise<void>;
}

/** What a subgraph contributes; every subgraph's index.ts exports one of these. */
export interface SubgraphDefinition<Loaders> {
  name: SubgraphName;
  // type-graphql takes resolver classes; their constructors have no common signature.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  /** Entity types this subgraph extends but no root field returns (e.g. its MeteringPoint). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  extendedEntities?: Function[];
  /** `__resolveReference` per entity type, given to buildSubgraphSchema; every resolvable entity needs one. */
  references?: ReferenceResolvers<Loaders>;
  /**
   * For a subgraph with a share of the MeteringPoint (not its owner, metering): the consent
   * scope that share is read with. The kit then resolves every MeteringPoint reference by
   * checking the caller against the point itself (kit/point-access.sql.ts), whichever subgraph
   * handed the reference out; a point the caller may not see resolves to null.
   */
  meteringPointScope?: ConsentScope;
  /** Fresh DataLoaders for one request, so batching and caching never cross callers. */
  createLoaders(scope: RequestScope): Loaders;
  /** What its costly fields cost (kit/cost.ts); operations over the budget are refused before they run. */
  costs?: CostModel;
  /** Its periodic work, started and stopped with the subgraph. */
  jobs?: SubgraphJob[];
}

/** The topic of every subscription a subgraph declares (see gatewayServedSubscriptions). */
export const GATEWAY_TOPIC = 'served-by-the-gateway';

/**
 * Subgraphs declare subscription fields so they are in the supergraph, but the gateway's event
 * hub serves them (ordered, resumable, once per audience); a subgraph never runs one.
 */
const gatewayServedSubscriptions = {
  publish(): void {
    throw new Error('Events are written to hub.outbox, not published in-process');
  },
  subscribe(): AsyncIterable<never> {
    throw new Error('Subscriptions are served by the Market Hub gateway');
  },
};

export async function buildFederatedSchema<L>(definition: SubgraphDefinition<L>): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [CallerResolver, ...definition.resolvers],
    orphanedTypes: definition.extendedEntities ?? [],
    pubSub: gatewayServedSubscriptions,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    authChecker,
    authMode: 'error',
    validate: false,
  });
  const typeDefs = gql(FEDERATION_LINK + printSchemaWithDirectives(schema));
  // type-graphql's map is typed loosely; the subgraph library checks its shape at build time.
  const resolvers = { ...(createResolversMap(schema) as GraphQLResolverMap<unknown>) };
  for (const [typeName, reference] of Object.entries(referencesOf(definition, typeDefs))) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...reference } as GraphQLResolverMap<unknown>[string];
  }
  return buildSubgraphSchema([{ typeDefs, resolvers }]);
}

/**
 * The definition's reference resolvers, with the kit's for a MeteringPoint share. Refuses a
 * subgraph with a resolvable entity nobody resolves: the federation library would answer such a
 * reference with itself, unchecked.
 */
function referencesOf<L>(definition: SubgraphDefinition<L>, typeDefs: DocumentNode): ReferenceResolvers<L> {
  const references = { ...definition.references };
  if (definition.meteringPointScope) {
    if (references.MeteringPoint) throw new Error(`Subgraph ${definition.name} declares meteringPointScope and resolves MeteringPoint itself: drop one`);
    references.MeteringPoint = meteringPointReference;
  }
  const unresolved = resolvableEntities(typeDefs).filter((typeName) => !references[typeName]);
  if (unresolved.length > 0) {
    throw new Error(`Subgraph ${definition.name} resolves no reference to ${unresolved.join(', ')} (a share of MeteringPoint declares meteringPointScope)`);
  }
  return references;
}

/** MeteringPoint references re-checked against the caller, through the request's pointAccess loader (kit/serve.ts). */
const meteringPointReference: ReferenceResolvers<unknown>[string] = {
  async __resolveReference(reference, ctx) {
    if (!ctx.pointAccess) throw new Error('a subgraph with a meteringPointScope is served with a pointAccess loader');
    return (await ctx.pointAccess.load(reference.id)) ? { id: reference.id } : null;
  },
};

/** Object types with a `@key` other subgraphs may resolve here (not `resolvable: false`). */
function resolvableEntities(typeDefs: DocumentNode): string[] {
  const resolvableKey = (directive: ConstDirectiveNode) =>
    directive.name.value === 'key' && !directive.arguments?.some((arg) => arg.name.value === 'resolvable' && arg.value.kind === Kind.BOOLEAN && !arg.value.value);
  return typeDefs.definitions.flatMap((node) => (node.kind === Kind.OBJECT_TYPE_DEFINITION && node.directives?.some(resolvableKey) ? [node.name.value] : []));
}

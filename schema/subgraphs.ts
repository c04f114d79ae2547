/**
 * The subgraphs the supergraph is composed of, and where each answers when run as its own
 * process. Part of the contract: the gateway needs these, never the subgraphs' code.
 */
export const SUBGRAPH_NAMES = ['metering', 'grid', 'tariffs', 'flexibility', 'hems'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Default port of each subgraph when run as its own process; also the URLs in the supergraph. */
export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  metering: 4101,
  grid: 4102,
  tariffs: 4103,
  flexibility: 4104,
  hems: 4105,
};

export function isSubgraphName(value: string): value is SubgraphName {
  return (SUBGRAPH_NAMES as readonly string[]).includes(value);
}

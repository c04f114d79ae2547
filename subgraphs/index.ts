import { flexibilitySubgraph } from './flexibility';
import { gridSubgraph } from './grid';
import { hemsSubgraph } from './hems';
import type { SubgraphDefinition, SubgraphName } from './kit/subgraph';
import { meteringSubgraph } from './metering';
import { tariffsSubgraph } from './tariffs';

export { SUBGRAPH_NAMES, type SubgraphName } from './kit/subgraph';

/** Default port of each subgraph when run as its own process; also the URLs in the supergraph. */
export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  metering: 4101,
  grid: 4102,
  tariffs: 4103,
  flexibility: 4104,
  hems: 4105,
};

// Each definition has its own loader type; callers only pass them on to generic kit functions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition<any>> = {
  metering: meteringSubgraph,
  grid: gridSubgraph,
  tariffs: tariffsSubgraph,
  flexibility: flexibilitySubgraph,
  hems: hemsSubgraph,
};

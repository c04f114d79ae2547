import { flexibilitySubgraph } from './flexibility';
import { gridSubgraph } from './grid';
import { hemsSubgraph } from './hems';
import type { SubgraphName } from '../schema/subgraphs';
import type { SubgraphDefinition } from './kit/subgraph';
import { meteringSubgraph } from './metering';
import { tariffsSubgraph } from './tariffs';

// Each definition has its own loader type; callers only pass them on to generic kit functions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition<any>> = {
  metering: meteringSubgraph,
  grid: gridSubgraph,
  tariffs: tariffsSubgraph,
  flexibility: flexibilitySubgraph,
  hems: hemsSubgraph,
};

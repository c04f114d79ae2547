import type { SubgraphConfig } from '../kit/config';
import { startSubgraph } from '../kit/start';
import type { SubgraphDefinition } from '../kit/subgraph';
import { createFlexibilityLoaders, type FlexibilityLoaders } from './flexibility.loader';
import { flexibilityReferences } from './flexibility.reference';
import { FlexRequestResolver } from './flex-request.resolver';

/** The flexibility market: DSO requests (later: offers, orders, settlement, contracted-power orders). */
export const flexibilitySubgraph: SubgraphDefinition<FlexibilityLoaders> = {
  name: 'flexibility',
  resolvers: [FlexRequestResolver],
  references: flexibilityReferences,
  createLoaders: createFlexibilityLoaders,
};

export const startFlexibilitySubgraph = (config: SubgraphConfig) => startSubgraph(flexibilitySubgraph, config);

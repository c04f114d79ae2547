import type { SubgraphDefinition } from '../kit/subgraph';
import { createFlexibilityLoaders, type FlexibilityLoaders } from './flexibility.loader';
import { flexibilityReferences } from './flexibility.reference';
import { ContractedPowerOrderResolver } from './contracted-power-order.resolver';
import { FlexRequestResolver } from './flex-request.resolver';
import { ContractedPowerOrderEventResolver, HubEventResolver } from './hub-event.resolver';

/** The flexibility market: DSO requests, emergency contracted-power orders, the pushed events (later: offers, orders, settlement). */
export const flexibilitySubgraph: SubgraphDefinition<FlexibilityLoaders> = {
  name: 'flexibility',
  resolvers: [FlexRequestResolver, ContractedPowerOrderResolver, HubEventResolver, ContractedPowerOrderEventResolver],
  references: flexibilityReferences,
  createLoaders: createFlexibilityLoaders,
};

import type { SubgraphDefinition } from '../kit/subgraph';
import { createFlexibilityLoaders, type FlexibilityLoaders } from './flexibility.loader';
import { flexibilityCosts } from './flexibility.cost';
import { flexibilityReferences } from './flexibility.reference';
import { ContractedPowerOrderResolver } from './contracted-power-order.resolver';
import { FlexOrderActivationResolver, FlexRequestActivationResolver, FlexSettlementResolver } from './flex-activation.resolver';
import { FlexOfferResolver, FlexRequestOffersResolver } from './flex-offer.resolver';
import { FlexOrderEventResolver, FlexOrderResolver, FlexRequestOrdersResolver } from './flex-order.resolver';
import { FlexRequestResolver } from './flex-request.resolver';
import { flexRestoreJob } from './flex-restore.job';
import { ContractedPowerOrderEventResolver, HubEventResolver } from './hub-event.resolver';

/** The flexibility market (requests, offers, orders, activation, settlement, restore), emergency contracted-power orders, and the pushed events. */
export const flexibilitySubgraph: SubgraphDefinition<FlexibilityLoaders> = {
  name: 'flexibility',
  resolvers: [FlexRequestResolver, FlexRequestOffersResolver, FlexRequestOrdersResolver, FlexOfferResolver, FlexOrderResolver, FlexOrderEventResolver, FlexOrderActivationResolver, FlexSettlementResolver, FlexRequestActivationResolver, ContractedPowerOrderResolver, HubEventResolver, ContractedPowerOrderEventResolver],
  references: flexibilityReferences,
  createLoaders: createFlexibilityLoaders,
  costs: flexibilityCosts,
  jobs: [flexRestoreJob],
};

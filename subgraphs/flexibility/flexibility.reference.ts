import type { ReferenceResolvers } from '../kit/subgraph';
import type { FlexibilityLoaders } from './flexibility.loader';

export const flexibilityReferences: ReferenceResolvers<FlexibilityLoaders> = {
  ContractedPowerOrder: {
    __resolveReference: (reference, ctx) => ctx.loaders.order.load(reference.id),
  },
  FlexRequest: {
    __resolveReference: (reference, ctx) => ctx.loaders.flexRequest.load(reference.id),
  },
};

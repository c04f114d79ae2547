import type { ReferenceResolvers } from '../kit/subgraph';
import type { FlexibilityLoaders } from './flexibility.loader';

export const flexibilityReferences: ReferenceResolvers<FlexibilityLoaders> = {
  ContractedPowerOrder: {
    __resolveReference: (reference, ctx) => ctx.loaders.order.load(reference.id),
  },
  FlexOrder: {
    __resolveReference: (reference, ctx) => ctx.loaders.flexOrder.load(reference.id),
  },
  // Through the visibility-checked loader: a reference another subgraph hands out reveals no request the caller may not see.
  FlexRequest: {
    __resolveReference: (reference, ctx) => ctx.loaders.flexRequest.load(reference.id),
  },
};

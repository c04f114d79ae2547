import type { ReferenceResolvers } from '../kit/subgraph';
import type { GridLoaders } from './grid.loader';

export const gridReferences: ReferenceResolvers<GridLoaders> = {
  SecondarySubstation: {
    __resolveReference: (reference, ctx) => ctx.loaders.secondarySubstation.load(reference.id),
  },
  // Another subgraph's reference (a hub event's) is checked against the caller like a query's.
  GridConstraint: {
    __resolveReference: (reference, ctx) => ctx.loaders.gridConstraint.load(reference.id),
  },
  // A flexibility request's need: null where the caller may not see its area, as a run's needs.
  FlexibilityNeed: {
    __resolveReference: (reference, ctx) => ctx.loaders.flexibilityNeed.load(reference.id),
  },
};

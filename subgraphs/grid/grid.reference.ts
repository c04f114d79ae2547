import type { ReferenceResolvers } from '../kit/subgraph';
import type { GridLoaders } from './grid.loader';

export const gridReferences: ReferenceResolvers<GridLoaders> = {
  SecondarySubstation: {
    __resolveReference: (reference, ctx) => ctx.loaders.secondarySubstation.load(reference.id),
  },
};

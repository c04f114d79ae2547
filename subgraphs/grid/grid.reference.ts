import type { ReferenceResolvers } from '../kit/subgraph';
import type { GridLoaders } from './grid.loader';

export const gridReferences: ReferenceResolvers<GridLoaders> = {
  SecondarySubstation: {
    __resolveReference: (reference, ctx) => ctx.loaders.secondarySubstation.load(reference.id),
  },
  // Whoever handed out the reference, grid checks the caller may see where the point is connected.
  MeteringPoint: {
    __resolveReference: async (reference, ctx) => ((await ctx.loaders.pointAccess.load(reference.id)) ? { id: reference.id } : null),
  },
};

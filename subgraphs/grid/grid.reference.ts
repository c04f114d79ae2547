import type { ReferenceResolvers } from '../kit/subgraph';
import type { GridLoaders } from './grid.loader';

export const gridReferences: ReferenceResolvers<GridLoaders> = {
  SecondarySubstation: {
    __resolveReference: (reference, ctx) => ctx.loaders.secondarySubstation.load(reference.id),
  },
  // Metering decided the caller may see this point; grid only adds where it is connected.
  MeteringPoint: {
    __resolveReference: (reference) => ({ id: reference.id }),
  },
};

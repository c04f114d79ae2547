import type { ReferenceResolvers } from '../kit/subgraph';
import type { HemsLoaders } from './hems.loader';

export const hemsReferences: ReferenceResolvers<HemsLoaders> = {
  // Whoever handed out the reference, HEMS checks the caller may see what is installed behind it.
  MeteringPoint: {
    __resolveReference: async (reference, ctx) => ((await ctx.loaders.pointAccess.load(reference.id)) ? { id: reference.id } : null),
  },
};

import type { ReferenceResolvers } from '../kit/subgraph';
import type { TariffsLoaders } from './tariffs.loader';

export const tariffsReferences: ReferenceResolvers<TariffsLoaders> = {
  // Whoever handed out the reference, tariffs checks the caller may see this point's tariff.
  MeteringPoint: {
    __resolveReference: async (reference, ctx) => ((await ctx.loaders.pointAccess.load(reference.id)) ? { id: reference.id } : null),
  },
};

import type { ReferenceResolvers } from '../kit/subgraph';
import type { TariffsLoaders } from './tariffs.loader';

export const tariffsReferences: ReferenceResolvers<TariffsLoaders> = {
  // Metering decided the caller may see this point; tariffs only adds its plan.
  MeteringPoint: {
    __resolveReference: (reference) => ({ id: reference.id }),
  },
};

import type { ReferenceResolvers } from '../kit/subgraph';
import type { HemsLoaders } from './hems.loader';

export const hemsReferences: ReferenceResolvers<HemsLoaders> = {
  // Metering decided the caller may see this point; HEMS only adds what is installed behind it.
  MeteringPoint: {
    __resolveReference: (reference) => ({ id: reference.id }),
  },
};

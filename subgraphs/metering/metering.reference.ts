import type { ReferenceResolvers } from '../kit/subgraph';
import type { MeteringLoaders } from './metering.loader';

export const meteringReferences: ReferenceResolvers<MeteringLoaders> = {
  MeteringPoint: {
    __resolveReference: (reference, ctx) => ctx.loaders.meteringPoint.load(reference.id),
  },
  // Network infrastructure, not personal data: grid decides what exists.
  SecondarySubstation: {
    __resolveReference: (reference) => ({ id: reference.id }),
  },
};

import type { ReferenceResolvers } from '../kit/subgraph';
import type { HemsLoaders } from './hems.loader';

export const hemsReferences: ReferenceResolvers<HemsLoaders> = {
  // Another subgraph's reference (a hub event's) is checked against the caller like a query's.
  Hems: {
    __resolveReference: (reference, ctx) => ctx.loaders.hems.load(reference.id),
  },
  // A command event's, too: only the command's sender and the customer see it.
  HemsCommand: {
    __resolveReference: (reference, ctx) => ctx.loaders.hemsCommand.load(reference.id),
  },
};

import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { createHemsLoaders, type HemsLoaders } from './hems.loader';
import { hemsReferences } from './hems.reference';
import { HemsResolver } from './hems.resolver';
import { MeteringPointHemsResolver } from './metering-point.resolver';

/** Home energy management systems, their devices, customers' flexibility conditions. */
export const hemsSubgraph: SubgraphDefinition<HemsLoaders> = {
  name: 'hems',
  resolvers: [HemsResolver, MeteringPointHemsResolver],
  extendedEntities: [MeteringPoint],
  references: hemsReferences,
  createLoaders: createHemsLoaders,
};

import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { createHemsLoaders, type HemsLoaders } from './hems.loader';
import { HemsResolver } from './hems.resolver';
import { MeteringPointHemsResolver } from './metering-point.resolver';

/** Home energy management systems, their devices, customers' flexibility conditions. */
export const hemsSubgraph: SubgraphDefinition<HemsLoaders> = {
  name: 'hems',
  resolvers: [HemsResolver, MeteringPointHemsResolver],
  extendedEntities: [MeteringPoint],
  // Whoever handed out a MeteringPoint, the kit checks the caller may see what is installed behind it.
  meteringPointScope: 'hems:read',
  createLoaders: createHemsLoaders,
};

import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { createHemsLoaders, type HemsLoaders } from './hems.loader';
import { hemsReferences } from './hems.reference';
import { HemsResolver } from './hems.resolver';
import { MeteringPointHemsResolver } from './metering-point.resolver';

/** Home energy management systems, their devices, customers' flexibility conditions, telemetry and commands. */
export const hemsSubgraph: SubgraphDefinition<HemsLoaders> = {
  name: 'hems',
  resolvers: [HemsResolver, MeteringPointHemsResolver],
  extendedEntities: [MeteringPoint],
  references: hemsReferences,
  // Whoever handed out a MeteringPoint, the kit checks the caller may see what is installed behind
  // it; the HEMS itself is then read under hems-access.sql.ts.
  meteringPointScope: 'hems:read',
  createLoaders: createHemsLoaders,
};

import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { FlexAvailabilityResolver } from './flex-availability.resolver';
import { DeviceFlexibleLoadResolver, FlexibleLoadResolver, HemsFlexibleLoadsResolver } from './flexible-load.resolver';
import { commandExpiryJob } from './hems-command-expiry.job';
import { HemsCommandResolver } from './hems-command.resolver';
import { createHemsLoaders, type HemsLoaders } from './hems.loader';
import { hemsCosts } from './hems.cost';
import { hemsReferences } from './hems.reference';
import { HemsResolver } from './hems.resolver';
import { MeteringPointHemsResolver } from './metering-point.resolver';
import { presenceSweepJob } from './presence.job';
import { TelemetryResolver } from './telemetry.resolver';

/** Home energy management systems, their devices, customers' flexibility conditions, telemetry and commands. */
export const hemsSubgraph: SubgraphDefinition<HemsLoaders> = {
  name: 'hems',
  resolvers: [HemsResolver, MeteringPointHemsResolver, FlexibleLoadResolver, HemsFlexibleLoadsResolver, DeviceFlexibleLoadResolver, HemsCommandResolver, TelemetryResolver, FlexAvailabilityResolver],
  extendedEntities: [MeteringPoint],
  references: hemsReferences,
  // Whoever handed out a MeteringPoint, the kit checks the caller may see what is installed behind
  // it; the HEMS itself is then read under hems-access.sql.ts.
  meteringPointScope: 'hems:read',
  createLoaders: createHemsLoaders,
  costs: hemsCosts,
  jobs: [presenceSweepJob, commandExpiryJob],
};

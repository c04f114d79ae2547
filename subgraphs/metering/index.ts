import type { SubgraphDefinition } from '../kit/subgraph';
import { createMeteringLoaders, type MeteringLoaders } from './metering.loader';
import { meteringReferences } from './metering.reference';
import { DemandResolver } from './demand.resolver';
import { EventResolver } from './event.resolver';
import { MeasurementResolver } from './measurement.resolver';
import { SecondarySubstation } from './measurement.type';
import { MeteringPointResolver } from './metering-point.resolver';
import { ReadingResolver } from './reading.resolver';

/** Smart-meter data: metering points, load curves, DTC measurements and events. */
export const meteringSubgraph: SubgraphDefinition<MeteringLoaders> = {
  name: 'metering',
  resolvers: [MeteringPointResolver, ReadingResolver, EventResolver, DemandResolver, MeasurementResolver],
  extendedEntities: [SecondarySubstation],
  references: meteringReferences,
  createLoaders: createMeteringLoaders,
};

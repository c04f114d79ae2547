import type { SubgraphDefinition } from '../kit/subgraph';
import { createMeteringLoaders, type MeteringLoaders } from './metering.loader';
import { meteringCosts } from './metering.cost';
import { meteringReferences } from './metering.reference';
import { AuditResolver } from './audit.resolver';
import { ConsentResolver } from './consent.resolver';
import { DemandResolver } from './demand.resolver';
import { EventResolver } from './event.resolver';
import { MeasurementResolver } from './measurement.resolver';
import { SecondarySubstation } from './measurement.type';
import { MeteringPointResolver } from './metering-point.resolver';
import { ReadingResolver } from './reading.resolver';

/** Smart-meter data: metering points, load curves, DTC measurements, events, customers' consents and who read what. */
export const meteringSubgraph: SubgraphDefinition<MeteringLoaders> = {
  name: 'metering',
  resolvers: [MeteringPointResolver, ReadingResolver, EventResolver, DemandResolver, MeasurementResolver, ConsentResolver, AuditResolver],
  extendedEntities: [SecondarySubstation],
  references: meteringReferences,
  createLoaders: createMeteringLoaders,
  costs: meteringCosts,
};

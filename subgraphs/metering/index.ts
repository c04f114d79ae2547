import type { SubgraphConfig } from '../kit/config';
import { startSubgraph } from '../kit/start';
import type { SubgraphDefinition } from '../kit/subgraph';
import { createMeteringLoaders, type MeteringLoaders } from './metering.loader';
import { meteringReferences } from './metering.reference';
import { DemandResolver } from './demand.resolver';
import { MeteringPointResolver } from './metering-point.resolver';
import { ReadingResolver } from './reading.resolver';

/** Smart-meter data: metering points, load curves, DTC measurements and events. */
export const meteringSubgraph: SubgraphDefinition<MeteringLoaders> = {
  name: 'metering',
  resolvers: [MeteringPointResolver, ReadingResolver, DemandResolver],
  references: meteringReferences,
  createLoaders: createMeteringLoaders,
};

export const startMeteringSubgraph = (config: SubgraphConfig) => startSubgraph(meteringSubgraph, config);

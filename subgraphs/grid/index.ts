import type { SubgraphConfig } from '../kit/config';
import { startSubgraph } from '../kit/start';
import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { createGridLoaders, type GridLoaders } from './grid.loader';
import { gridReferences } from './grid.reference';
import { MeteringPointGridResolver } from './metering-point.resolver';
import { SecondarySubstationResolver } from './secondary-substation.resolver';

/** The LV network: substations, feeders, connectivity (later: constraints, power flow, forecasts). */
export const gridSubgraph: SubgraphDefinition<GridLoaders> = {
  name: 'grid',
  resolvers: [SecondarySubstationResolver, MeteringPointGridResolver],
  extendedEntities: [MeteringPoint],
  references: gridReferences,
  createLoaders: createGridLoaders,
};

export const startGridSubgraph = (config: SubgraphConfig) => startSubgraph(gridSubgraph, config);

import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { createGridLoaders, type GridLoaders } from './grid.loader';
import { ForecastResolver } from './forecast.resolver';
import { gridReferences } from './grid.reference';
import { GridConstraintResolver } from './grid-constraint.resolver';
import { PowerFlowRunResolver, SecondarySubstationPowerFlowResolver } from './power-flow-run.resolver';
import { MeteringPointGridResolver } from './metering-point.resolver';
import { FeederNetworkResolver, LineSegmentResolver } from './network-model.resolver';
import { SecondarySubstationResolver } from './secondary-substation.resolver';

/** The LV network: substations, feeders, connectivity (later: constraints, power flow, forecasts). */
export const gridSubgraph: SubgraphDefinition<GridLoaders> = {
  name: 'grid',
  resolvers: [SecondarySubstationResolver, FeederNetworkResolver, LineSegmentResolver, MeteringPointGridResolver, GridConstraintResolver, PowerFlowRunResolver, SecondarySubstationPowerFlowResolver, ForecastResolver],
  extendedEntities: [MeteringPoint],
  references: gridReferences,
  // Whoever handed out a MeteringPoint, the kit checks the caller may see where it is connected.
  meteringPointScope: 'metering:read',
  createLoaders: createGridLoaders,
};

import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { MeteringPointTariffResolver } from './metering-point.resolver';
import { TariffResolver } from './tariff.resolver';
import { createTariffsLoaders, type TariffsLoaders } from './tariffs.loader';

/** Time-of-use and critical-peak pricing (later: bills, revenue-neutral calibration). */
export const tariffsSubgraph: SubgraphDefinition<TariffsLoaders> = {
  name: 'tariffs',
  resolvers: [TariffResolver, MeteringPointTariffResolver],
  extendedEntities: [MeteringPoint],
  // Whoever handed out a MeteringPoint, the kit checks the caller may see this point's tariff.
  meteringPointScope: 'tariffs:read',
  createLoaders: createTariffsLoaders,
};

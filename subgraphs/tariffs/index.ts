import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { MeteringPointTariffResolver } from './metering-point.resolver';
import { TariffSchemeResolver } from './tariff-scheme.resolver';
import { createTariffsLoaders, type TariffsLoaders } from './tariffs.loader';

/** Network tariff schemes (flat, time-of-use, critical peak), exact bills, revenue-neutral calibration, the dynamic-tariff pilot and its KPIs. */
export const tariffsSubgraph: SubgraphDefinition<TariffsLoaders> = {
  name: 'tariffs',
  resolvers: [TariffSchemeResolver, MeteringPointTariffResolver],
  extendedEntities: [MeteringPoint],
  // Whoever handed out a MeteringPoint, the kit checks the caller may see this point's tariff.
  meteringPointScope: 'tariffs:read',
  createLoaders: createTariffsLoaders,
};

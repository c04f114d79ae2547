import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { MeteringPointTariffResolver } from './metering-point.resolver';
import { TariffResolver } from './tariff.resolver';
import { createTariffsLoaders, type TariffsLoaders } from './tariffs.loader';
import { tariffsReferences } from './tariffs.reference';

/** Time-of-use and critical-peak pricing (later: bills, revenue-neutral calibration). */
export const tariffsSubgraph: SubgraphDefinition<TariffsLoaders> = {
  name: 'tariffs',
  resolvers: [TariffResolver, MeteringPointTariffResolver],
  extendedEntities: [MeteringPoint],
  references: tariffsReferences,
  createLoaders: createTariffsLoaders,
};

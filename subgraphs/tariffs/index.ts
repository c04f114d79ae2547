import { MeteringPoint } from './metering-point.type';
import type { SubgraphDefinition } from '../kit/subgraph';
import { BillResolver } from './bill.resolver';
import { CalibrationResolver } from './calibration.resolver';
import { CompareSchemesResolver, SchemeComparisonResolver } from './compare.resolver';
import { CriticalPeakEventResolver } from './critical-peak-event.resolver';
import { MeteringPointTariffResolver } from './metering-point.resolver';
import { PeakHoursResolver } from './peak-hours.resolver';
import { PilotEnrolmentResolver } from './pilot-enrolment.resolver';
import { TariffKpisResolver } from './tariff-kpi.resolver';
import { TariffSchemeResolver } from './tariff-scheme.resolver';
import { TariffSchemeWriteResolver } from './tariff-scheme-write.resolver';
import { tariffsCosts } from './tariffs.cost';
import { createTariffsLoaders, type TariffsLoaders } from './tariffs.loader';
import { tariffsReferences } from './tariffs.reference';

/** Network tariff schemes (flat, time-of-use, critical peak), exact bills, revenue-neutral calibration, the dynamic-tariff pilot and its KPIs. */
export const tariffsSubgraph: SubgraphDefinition<TariffsLoaders> = {
  name: 'tariffs',
  resolvers: [TariffSchemeResolver, TariffSchemeWriteResolver, BillResolver, CalibrationResolver, MeteringPointTariffResolver, CriticalPeakEventResolver, PilotEnrolmentResolver, PeakHoursResolver, CompareSchemesResolver, SchemeComparisonResolver, TariffKpisResolver],
  extendedEntities: [MeteringPoint],
  references: tariffsReferences,
  // Whoever handed out a MeteringPoint, the kit checks the caller may see this point's tariff.
  meteringPointScope: 'tariffs:read',
  createLoaders: createTariffsLoaders,
  costs: tariffsCosts,
};

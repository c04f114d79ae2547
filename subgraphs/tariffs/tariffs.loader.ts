import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { keyedLoader } from '../kit/loader';
import { TariffRepo, type TariffAssignmentRow } from './tariff.repo';
import type { Tariff } from './tariff.type';

export interface TariffsLoaders {
  tariffs: TariffRepo;
  tariff: DataLoader<string, Tariff | null>;
  assignment: DataLoader<string, TariffAssignmentRow | null>;
}

// Tariff plans are public; which plan a point is on is only reached through a visible point.
export function createTariffsLoaders({ database }: RequestScope): TariffsLoaders {
  const tariffs = new TariffRepo(database.db);
  return {
    tariffs,
    tariff: keyedLoader((ids) => tariffs.byIds(ids), (row) => row.id),
    assignment: keyedLoader((ids) => tariffs.assignments(ids), (row) => row.meteringPointId),
  };
}

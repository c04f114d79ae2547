import type DataLoader from 'dataloader';
import { recordAccess } from '../kit/access-log';
import type { RequestScope } from '../kit/context';
import { keyedLoader } from '../kit/loader';
import { presentAccessLoader } from '../kit/point-access.loader';
import { TariffRepo, type TariffAssignmentRow } from './tariff.repo';
import type { Tariff } from './tariff.type';

export interface TariffsLoaders {
  tariffs: TariffRepo;
  tariff: DataLoader<string, Tariff | null>;
  assignment: DataLoader<string, TariffAssignmentRow | null>;
  /** Whether the caller may see which tariff a metering point is on now. */
  pointAccess: DataLoader<string, boolean>;
}

// Tariff plans are public; which plan a point is on is checked against the caller for each point.
export function createTariffsLoaders({ database, identity, requestId }: RequestScope): TariffsLoaders {
  const tariffs = new TariffRepo(database.db);
  return {
    pointAccess: presentAccessLoader(database.db, identity, 'tariffs:read'),
    tariffs,
    tariff: keyedLoader((ids) => tariffs.byIds(ids), (row) => row.id),
    assignment: keyedLoader(async (ids) => {
      await recordAccess(database.db, identity, requestId, 'tariff', ids, null);
      return tariffs.assignments(ids);
    }, (row) => row.meteringPointId),
  };
}

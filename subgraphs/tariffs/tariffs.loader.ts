import type DataLoader from 'dataloader';
import { loggedFetch } from '../kit/access-log';
import type { RequestScope } from '../kit/context';
import { keyedLoader } from '../kit/loader';
import { TariffRepo, type TariffAssignmentRow } from './tariff.repo';
import type { Tariff } from './tariff.type';

export interface TariffsLoaders {
  tariffs: TariffRepo;
  tariff: DataLoader<string, Tariff | null>;
  /** Which plan each point is on; each point whose plan is returned is logged. */
  assignment: DataLoader<string, TariffAssignmentRow | null>;
}

// Tariff plans are public; which plan a point is on is reached only through a MeteringPoint the
// kit has checked against the caller (index.ts).
export function createTariffsLoaders(request: RequestScope): TariffsLoaders {
  const tariffs = new TariffRepo(request.database.db);
  return {
    tariffs,
    tariff: keyedLoader((ids) => tariffs.byIds(ids), (row) => row.id),
    assignment: keyedLoader(loggedFetch(request, 'tariff', (row) => row.meteringPointId, (ids) => tariffs.assignments(ids)), (row) => row.meteringPointId),
  };
}

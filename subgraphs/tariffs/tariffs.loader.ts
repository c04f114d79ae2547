import type DataLoader from 'dataloader';
import { loggedFetch } from '../kit/access-log';
import type { RequestScope } from '../kit/context';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { TariffAssignmentRepo, type TariffAssignmentRow } from './tariff-assignment.repo';
import { TariffSchemeRepo, type SchemeVersion } from './tariff-scheme.repo';

export interface TariffsLoaders {
  schemes: TariffSchemeRepo;
  /** Scheme versions by id: published ones for everyone, drafts for the DSO. */
  scheme: DataLoader<string, SchemeVersion | null>;
  assignments: TariffAssignmentRepo;
  /** Which scheme each point is on now; each point whose scheme is returned is logged. */
  assignment: DataLoader<string, TariffAssignmentRow | null>;
  /** Every scheme each point was on, oldest first; logged likewise. */
  assignmentHistory: DataLoader<string, TariffAssignmentRow[]>;
}

// Published schemes are public; which scheme a point is on is reached only through a MeteringPoint
// the kit has checked against the caller (index.ts), or through the rules of the field that reads it.
export function createTariffsLoaders(request: RequestScope): TariffsLoaders {
  const schemes = new TariffSchemeRepo(request.database.db, request.identity.role === 'dso');
  const assignments = new TariffAssignmentRepo(request.database.db);
  const pointOf = (row: TariffAssignmentRow) => row.meteringPointId;
  return {
    schemes,
    scheme: keyedLoader((ids) => schemes.byIds(ids), (row) => row.id),
    assignments,
    assignment: keyedLoader(loggedFetch(request, 'tariff', pointOf, (ids) => assignments.current(ids)), pointOf),
    assignmentHistory: groupedLoader(loggedFetch(request, 'tariff', pointOf, (ids) => assignments.history(ids)), pointOf),
  };
}

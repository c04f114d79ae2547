import type DataLoader from 'dataloader';
import { loggedFetch, recordAccess } from '../kit/access-log';
import type { RequestScope } from '../kit/context';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { CriticalPeakEventRepo } from './critical-peak-event.repo';
import type { CriticalPeakEvent } from './critical-peak-event.type';
import { PilotEnrolmentRepo, type PilotEnrolmentRow } from './pilot-enrolment.repo';
import { TariffAggregateQuery } from './tariff-aggregate.query';
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
  /** CRITICAL_PEAK_NOTICE_HOUR: events of a day are announced by this local hour the day before. */
  criticalPeakNoticeHour: number;
  criticalPeakEvents: CriticalPeakEventRepo;
  /** Critical-peak events by id (of published schemes: public with tariffs:read). */
  criticalPeakEvent: DataLoader<string, CriticalPeakEvent | null>;
  pilotEnrolments: PilotEnrolmentRepo;
  /** Each point's open (PENDING or ACTIVE) pilot enrolment, for points the kit checked; logged. */
  pilotEnrolment: DataLoader<string, PilotEnrolmentRow | null>;
  /** Logs the points of enrolments read by a list. */
  logEnrolments(rows: readonly PilotEnrolmentRow[]): Promise<void>;
  /** peakHours, compareSchemes and tariffKpis. */
  aggregates: TariffAggregateQuery;
}

// Published schemes are public; which scheme a point is on is reached only through a MeteringPoint
// the kit has checked against the caller (index.ts), or through the rules of the field that reads it.
export function createTariffsLoaders(request: RequestScope): TariffsLoaders {
  const schemes = new TariffSchemeRepo(request.database.db, request.identity.role === 'dso');
  const assignments = new TariffAssignmentRepo(request.database.db, request.identity);
  const pointOf = (row: TariffAssignmentRow) => row.meteringPointId;
  const criticalPeakEvents = new CriticalPeakEventRepo(request.database.db);
  const pilotEnrolments = new PilotEnrolmentRepo(request.database.db, request.identity);
  const enrolmentPoint = (row: PilotEnrolmentRow) => row.meteringPointId;
  const scheme = keyedLoader((ids: readonly string[]) => schemes.byIds(ids), (row) => row.id);
  return {
    schemes,
    scheme,
    assignments,
    assignment: keyedLoader(loggedFetch(request, 'tariff', pointOf, (ids) => assignments.current(ids)), pointOf),
    assignmentHistory: groupedLoader(loggedFetch(request, 'tariff', pointOf, (ids) => assignments.history(ids)), pointOf),
    criticalPeakNoticeHour: request.settings.criticalPeakNoticeHour,
    criticalPeakEvents,
    criticalPeakEvent: keyedLoader((ids) => criticalPeakEvents.byIds(ids), (row) => row.id),
    pilotEnrolments,
    pilotEnrolment: keyedLoader(loggedFetch(request, 'pilotEnrolment', enrolmentPoint, (ids) => pilotEnrolments.open(ids)), enrolmentPoint),
    logEnrolments: (rows) => recordAccess(request.database.db, request.identity, request.requestId, 'pilotEnrolment', rows.map(enrolmentPoint), null),
    aggregates: new TariffAggregateQuery({ db: request.database.db, identity: request.identity, requestId: request.requestId, minAggregatePoints: request.settings.minAggregatePoints, scheme }),
  };
}

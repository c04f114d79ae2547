import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { groupedLoader, keyedLoader } from '../kit/loader';
import type { PowerFlowSource } from './power-flow-run.type';
import { ForecastService } from './forecast.repo';
import { LoadHistoryRepo } from './load-history.repo';
import type { PointPowers } from './power-flow-run.command';
import { PowerFlowRunRepo, type NeedWithIntervals, type PowerFlowRunRow, type SubstationResultRow } from './power-flow-run.repo';

export interface PowerFlowRunLoaders {
  powerFlowRuns: PowerFlowRunRepo;
  /** Runs by id that show the caller at least one of their secondary substations (grid-area.sql.ts). */
  powerFlowRun: DataLoader<string, PowerFlowRunRow | null>;
  /** Each run's per-substation figures, those the caller may see. */
  runSubstations: DataLoader<string, SubstationResultRow[]>;
  runNeeds: DataLoader<string, NeedWithIntervals[]>;
  /** Flexibility needs by id, where the caller may see their area (another subgraph's reference: a request's need). */
  flexibilityNeed: DataLoader<string, NeedWithIntervals | null>;
  /** The newest figures of each secondary substation, where the caller may see them. */
  latestPowerFlow: DataLoader<string, SubstationResultRow | null>;
  /** Where a run's loads come from, per source: the DSO's runs read every point. */
  pointPowers: Readonly<Record<PowerFlowSource, PointPowers>>;
}

export function createPowerFlowRunLoaders({ database, identity }: RequestScope): PowerFlowRunLoaders {
  const runs = new PowerFlowRunRepo(database.db);
  return {
    powerFlowRuns: runs,
    powerFlowRun: keyedLoader((ids) => runs.runs(identity, ids), (row) => row.id),
    runSubstations: groupedLoader((ids) => runs.substationResults(identity, ids), (row) => row.runId),
    runNeeds: groupedLoader((ids) => runs.needs(identity, ids), (row) => row.runId),
    flexibilityNeed: keyedLoader((ids) => runs.needsByIds(identity, ids), (row) => row.id),
    latestPowerFlow: keyedLoader((ids) => runs.latestResults(identity, ids), (row) => row.secondarySubstationId),
    pointPowers: {
      MEASURED: (ids, fromMs, toMs) => new LoadHistoryRepo(database.db).measuredNetKw(ids, fromMs, toMs),
      FORECAST: (ids, fromMs, toMs) => new ForecastService(database.db).forecastNetKw(ids, fromMs, toMs),
    },
  };
}

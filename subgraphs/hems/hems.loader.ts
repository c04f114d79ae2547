import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { loggedFetch, recordAccess } from '../kit/access-log';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { FlexibleLoadRepo } from './flexible-load.repo';
import type { FlexibleLoad } from './flexible-load.type';
import { HemsCommandRepo, type HemsCommandRow } from './hems-command.repo';
import { HemsRepo } from './hems.repo';
import type { Device, Hems } from './hems.type';
import { ReportTelemetryCommand } from './telemetry.command';

export interface HemsLoaders {
  repo: HemsRepo;
  /** The HEMS behind each point, if the caller may see it; each point whose HEMS is returned is logged. */
  hemsByMeteringPoint: DataLoader<string, Hems | null>;
  /** HEMS by id, if the caller may see them; logged likewise. */
  hems: DataLoader<string, Hems | null>;
  devices: DataLoader<string, Device[]>;
  flexibleLoadRepo: FlexibleLoadRepo;
  /** The flexible loads of HEMS already checked, by priority. */
  flexibleLoads: DataLoader<string, FlexibleLoad[]>;
  hemsCommandRepo: HemsCommandRepo;
  /** Commands by id, if the caller may see them (hems-command.repo.ts mayViewCommand). */
  hemsCommand: DataLoader<string, HemsCommandRow | null>;
  /** Logs HEMS read by a list (a page) and primes the loader with them. */
  logHems(rows: readonly Hems[]): Promise<void>;
  telemetry: ReportTelemetryCommand;
}

// Every path to a HEMS goes through HemsRepo, which applies hems-access.sql.ts; the kit also checks
// the metering point itself against the caller when another subgraph hands it out (index.ts).
export function createHemsLoaders(request: RequestScope): HemsLoaders {
  const repo = new HemsRepo(request.database.db, request.identity);
  const flexibleLoadRepo = new FlexibleLoadRepo(request.database.db);
  const hemsCommandRepo = new HemsCommandRepo(request.database.db, request.identity);
  const pointOf = (row: Hems) => row.meteringPointId;
  const hems = keyedLoader(loggedFetch(request, 'hems', pointOf, (ids) => repo.byIds(ids)), (row: Hems) => row.id);
  return {
    repo,
    hemsByMeteringPoint: keyedLoader(loggedFetch(request, 'hems', pointOf, (ids) => repo.byMeteringPoints(ids)), pointOf),
    hems,
    devices: groupedLoader((ids) => repo.devicesOf(ids), (row) => row.hemsId),
    flexibleLoadRepo,
    flexibleLoads: groupedLoader((ids) => flexibleLoadRepo.ofHems(ids), (row) => row.hemsId),
    hemsCommandRepo,
    hemsCommand: keyedLoader((ids) => hemsCommandRepo.byIds(ids), (row) => row.id),
    telemetry: new ReportTelemetryCommand(request.database.db, request.settings.hemsOfflineAfterS),
    async logHems(rows) {
      await recordAccess(request.database.db, request.identity, request.requestId, 'hems', rows.map(pointOf), null);
      for (const row of rows) hems.prime(row.id, row);
    },
  };
}

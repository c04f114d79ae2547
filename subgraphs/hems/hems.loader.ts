import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { loggedFetch } from '../kit/access-log';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { HemsRepo } from './hems.repo';
import type { Device, Hems } from './hems.type';

export interface HemsLoaders {
  /** The HEMS behind each point; each point whose HEMS is returned is logged. */
  hemsByMeteringPoint: DataLoader<string, Hems | null>;
  devices: DataLoader<string, Device[]>;
}

// A HEMS is reached only through its metering point, which the kit checks against the caller (index.ts).
export function createHemsLoaders(request: RequestScope): HemsLoaders {
  const hems = new HemsRepo(request.database.db);
  return {
    hemsByMeteringPoint: keyedLoader(loggedFetch(request, 'hems', (row) => row.meteringPointId, (ids) => hems.byMeteringPoints(ids)), (row) => row.meteringPointId),
    devices: groupedLoader((ids) => hems.devicesOf(ids), (row) => row.hemsId),
  };
}

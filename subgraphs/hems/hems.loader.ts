import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { recordAccess } from '../kit/access-log';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { presentAccessLoader } from '../kit/point-access.loader';
import { HemsRepo } from './hems.repo';
import type { Device, Hems } from './hems.type';

export interface HemsLoaders {
  hemsByMeteringPoint: DataLoader<string, Hems | null>;
  devices: DataLoader<string, Device[]>;
  /** Whether the caller may see the HEMS behind a metering point. */
  pointAccess: DataLoader<string, boolean>;
}

// A HEMS is reached only through its metering point, which HEMS checks against the caller itself.
export function createHemsLoaders({ database, identity, requestId }: RequestScope): HemsLoaders {
  const hems = new HemsRepo(database.db);
  return {
    pointAccess: presentAccessLoader(database.db, identity, 'hems:read'),
    hemsByMeteringPoint: keyedLoader(async (ids) => {
      await recordAccess(database.db, identity, requestId, 'hems', ids, null);
      return hems.byMeteringPoints(ids);
    }, (row) => row.meteringPointId),
    devices: groupedLoader((ids) => hems.devicesOf(ids), (row) => row.hemsId),
  };
}

import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { HemsRepo } from './hems.repo';
import type { Device, Hems } from './hems.type';

export interface HemsLoaders {
  hemsByMeteringPoint: DataLoader<string, Hems | null>;
  devices: DataLoader<string, Device[]>;
}

// HEMS data is only reached through a metering point the metering subgraph let the caller see.
export function createHemsLoaders({ database }: RequestScope): HemsLoaders {
  const hems = new HemsRepo(database.db);
  return {
    hemsByMeteringPoint: keyedLoader((ids) => hems.byMeteringPoints(ids), (row) => row.meteringPointId),
    devices: groupedLoader((ids) => hems.devicesOf(ids), (row) => row.hemsId),
  };
}

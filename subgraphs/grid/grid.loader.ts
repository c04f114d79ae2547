import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { presentAccessLoader } from '../kit/point-access.loader';
import { NetworkRepo, type ConnectionRow } from './network.repo';
import type { Feeder, PrimarySubstation, SecondarySubstation } from './secondary-substation.type';

export interface GridLoaders {
  network: NetworkRepo;
  secondarySubstation: DataLoader<string, SecondarySubstation | null>;
  primarySubstation: DataLoader<string, PrimarySubstation | null>;
  feeders: DataLoader<string, Feeder[]>;
  connection: DataLoader<string, ConnectionRow | null>;
  /** Whether the caller may see where a metering point is connected (its present state). */
  pointAccess: DataLoader<string, boolean>;
}

// Network topology is not personal data: every caller sees the same grid. Where a customer is
// connected is: grid checks the caller against the point itself (kit/point-access.sql.ts).
export function createGridLoaders({ database, identity }: RequestScope): GridLoaders {
  const network = new NetworkRepo(database.db);
  return {
    pointAccess: presentAccessLoader(database.db, identity, 'metering:read'),
    network,
    secondarySubstation: keyedLoader((ids) => network.secondarySubstations(ids), (row) => row.id),
    primarySubstation: keyedLoader((ids) => network.primarySubstations(ids), (row) => row.id),
    feeders: groupedLoader((ids) => network.feedersOf(ids), (row) => row.secondarySubstationId),
    connection: keyedLoader((ids) => network.connectionsOf(ids), (row) => row.meteringPointId),
  };
}

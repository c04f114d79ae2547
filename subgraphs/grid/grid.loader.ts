import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { createGridConstraintLoaders, type GridConstraintLoaders } from './grid-constraint.loader';
import { createPowerFlowRunLoaders, type PowerFlowRunLoaders } from './power-flow-run.loader';
import { createNetworkModelLoaders, type NetworkModelLoaders } from './network-model.loader';
import { NetworkRepo, type ConnectionRow } from './network.repo';
import type { Feeder, PrimarySubstation, SecondarySubstation } from './secondary-substation.type';

export interface GridLoaders extends GridConstraintLoaders, NetworkModelLoaders, PowerFlowRunLoaders {
  network: NetworkRepo;
  secondarySubstation: DataLoader<string, SecondarySubstation | null>;
  primarySubstation: DataLoader<string, PrimarySubstation | null>;
  feeders: DataLoader<string, Feeder[]>;
  connection: DataLoader<string, ConnectionRow | null>;
}

// Network topology is not personal data: every caller sees the same grid. Where a customer is
// connected is, and is only reached through a MeteringPoint the kit has checked (index.ts).
export function createGridLoaders(request: RequestScope): GridLoaders {
  const network = new NetworkRepo(request.database.db);
  return {
    ...createGridConstraintLoaders(request),
    ...createPowerFlowRunLoaders(request),
    ...createNetworkModelLoaders(request),
    network,
    secondarySubstation: keyedLoader((ids) => network.secondarySubstations(ids), (row) => row.id),
    primarySubstation: keyedLoader((ids) => network.primarySubstations(ids), (row) => row.id),
    feeders: groupedLoader((ids) => network.feedersOf(ids), (row) => row.secondarySubstationId),
    connection: keyedLoader((ids) => network.connectionsOf(ids), (row) => row.meteringPointId),
  };
}

import type DataLoader from 'dataloader';
import type { Identity } from '../../schema/identity';
import type { SubgraphSettings } from './config';
import type { Database, DatabaseHandle } from './db';
import type { Logger } from './logger';

/** What every resolver of every subgraph gets; `loaders` is the subgraph's own DataLoaders. */
export interface SubgraphContext<Loaders = unknown> {
  identity: Identity;
  requestId: string;
  db: Database;
  log: Logger;
  loaders: Loaders;
  /**
   * For a subgraph with a share of the MeteringPoint (its meteringPointScope): whether the caller
   * may see each point's present state, batched per request (kit/subgraph.ts resolves the
   * references through it).
   */
  pointAccess?: DataLoader<string, boolean>;
}

/** What a subgraph's loaders are built from, once per request. */
export interface RequestScope {
  database: DatabaseHandle;
  identity: Identity;
  requestId: string;
  settings: SubgraphSettings;
}

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
}

/** What a subgraph's loaders are built from, once per request. */
export interface RequestScope {
  database: DatabaseHandle;
  identity: Identity;
  requestId: string;
  settings: SubgraphSettings;
}

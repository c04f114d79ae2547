import type DataLoader from 'dataloader';
import type { Identity } from '../../schema/identity';
import type { Database } from '../kit/db';
import { keyedLoader } from '../kit/loader';
import { FlexRequestRepo } from './flex-request.repo';
import type { FlexRequest } from './flex-request.type';

export interface FlexibilityLoaders {
  flexRequests: FlexRequestRepo;
  flexRequest: DataLoader<string, FlexRequest | null>;
}

// Flexibility requests are market announcements: every participant may read them.
export function createFlexibilityLoaders(db: Database, _identity: Identity): FlexibilityLoaders {
  const flexRequests = new FlexRequestRepo(db);
  return {
    flexRequests,
    flexRequest: keyedLoader((ids) => flexRequests.byIds(ids), (row) => row.id),
  };
}

import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { keyedLoader } from '../kit/loader';
import { FlexRequestRepo } from './flex-request.repo';
import type { FlexRequest } from './flex-request.type';

export interface FlexibilityLoaders {
  flexRequests: FlexRequestRepo;
  flexRequest: DataLoader<string, FlexRequest | null>;
}

// Flexibility requests are market announcements: every participant may read them.
export function createFlexibilityLoaders({ database }: RequestScope): FlexibilityLoaders {
  const flexRequests = new FlexRequestRepo(database.db);
  return {
    flexRequests,
    flexRequest: keyedLoader((ids) => flexRequests.byIds(ids), (row) => row.id),
  };
}

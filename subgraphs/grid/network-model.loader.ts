import DataLoader from 'dataloader';
import type { Page } from '../kit/connection';
import type { RequestScope } from '../kit/context';
import { keyedLoader } from '../kit/loader';
import { NetworkModelRepo, type BusRow, type FeederPage, type LineCodeRow, type LineSegmentRow } from './network-model.repo';

export interface NetworkModelLoaders {
  lineCode: DataLoader<string, LineCodeRow | null>;
  /** Per page asked for (size and cursor), a loader of that page of each feeder: one statement for all the feeders of a request. */
  feederSegments(page: Page): DataLoader<string, FeederPage<LineSegmentRow>>;
  feederBuses(page: Page): DataLoader<string, FeederPage<BusRow>>;
}

function perPage<R>(fetch: (feederIds: readonly string[], page: Page) => Promise<Map<string, FeederPage<R>>>): (page: Page) => DataLoader<string, FeederPage<R>> {
  const loaders = new Map<string, DataLoader<string, FeederPage<R>>>();
  return (page) => {
    const key = `${page.limit}\u0000${page.afterKey ?? ''}`;
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, FeederPage<R>>(async (feederIds) => {
        const pages = await fetch(feederIds, page);
        return feederIds.map((id) => pages.get(id) ?? { rows: [], totalCount: 0 });
      });
      loaders.set(key, loader);
    }
    return loader;
  };
}

// Topology is public infrastructure: no row rules, like the substations and feeders (grid.loader.ts).
export function createNetworkModelLoaders({ database }: RequestScope): NetworkModelLoaders {
  const repo = new NetworkModelRepo(database.db);
  return {
    lineCode: keyedLoader((names) => repo.lineCodes(names), (row) => row.name),
    feederSegments: perPage((ids, page) => repo.segmentPages(ids, page)),
    feederBuses: perPage((ids, page) => repo.busPages(ids, page)),
  };
}

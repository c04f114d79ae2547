import type DataLoader from 'dataloader';
import type { Identity } from '../../schema/identity';
import type { Database } from '../kit/db';
import { keyedLoader } from '../kit/loader';
import { meteringPointVisibility, type MeteringPointVisibility } from './metering-point.access';
import { MeteringPointRepo, type MeteringPointRow } from './metering-point.repo';

export interface MeteringLoaders {
  visibility: MeteringPointVisibility;
  meteringPoints: MeteringPointRepo;
  /** Only points the caller may see; others load as null, exactly like unknown ids. */
  meteringPoint: DataLoader<string, MeteringPointRow | null>;
}

export function createMeteringLoaders(db: Database, identity: Identity): MeteringLoaders {
  const visibility = meteringPointVisibility(identity);
  const meteringPoints = new MeteringPointRepo(db);
  return {
    visibility,
    meteringPoints,
    meteringPoint: keyedLoader((ids) => meteringPoints.findVisible(ids, visibility), (row) => row.id),
  };
}

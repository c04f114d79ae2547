import DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { keyedLoader } from '../kit/loader';
import { DemandRepo } from './demand.repo';
import { meteringPointVisibility, type MeteringPointVisibility } from './metering-point.access';
import { MeteringPointRepo, type MeteringPointRow } from './metering-point.repo';
import { ReadingIngestCommand } from './reading-ingest.command';
import type { CurveWindow } from './demand.rules';
import { ReadingRepo, type CurvePointRow } from './reading.repo';

export interface CurveKey {
  pointId: string;
  window: CurveWindow;
}

export interface MeteringLoaders {
  visibility: MeteringPointVisibility;
  meteringPoints: MeteringPointRepo;
  demand: DemandRepo;
  ingest: ReadingIngestCommand;
  /** Only points the caller may see; others load as null, exactly like unknown ids. */
  meteringPoint: DataLoader<string, MeteringPointRow | null>;
  /** Every load curve asked for in a request over the same window is read, and logged, in one go. */
  loadCurve: DataLoader<CurveKey, CurvePointRow[], string>;
}

const windowKey = (window: CurveWindow) => `${window.fromMs}|${window.toMs}|${window.resolution}`;

export function createMeteringLoaders({ database, identity, requestId }: RequestScope): MeteringLoaders {
  const visibility = meteringPointVisibility(identity);
  const meteringPoints = new MeteringPointRepo(database.db);
  const readings = new ReadingRepo(database.db);
  const restrictToRetailer = visibility.kind === 'retailer' ? visibility.retailerId : null;
  return {
    visibility,
    meteringPoints,
    demand: new DemandRepo(database.db),
    ingest: new ReadingIngestCommand(database),
    meteringPoint: keyedLoader((ids) => meteringPoints.findVisible(ids, visibility), (row) => row.id),
    loadCurve: new DataLoader<CurveKey, CurvePointRow[], string>(
      async (keys) => {
        const byWindow = new Map<string, { window: CurveWindow; ids: string[] }>();
        for (const key of keys) {
          const group = byWindow.get(windowKey(key.window)) ?? { window: key.window, ids: [] };
          group.ids.push(key.pointId);
          byWindow.set(windowKey(key.window), group);
        }
        const curves = new Map<string, CurvePointRow[]>();
        for (const [wk, { window, ids }] of byWindow) {
          await readings.recordAccess(identity, requestId, 'loadCurve', ids, window);
          for (const [id, curve] of await readings.loadCurves(ids, window, restrictToRetailer)) curves.set(`${wk}|${id}`, curve);
        }
        return keys.map((key) => curves.get(`${windowKey(key.window)}|${key.pointId}`) ?? []);
      },
      { cacheKeyFn: (key) => `${windowKey(key.window)}|${key.pointId}` },
    ),
  };
}

import DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import type { Page } from '../kit/connection';
import { keyedLoader } from '../kit/loader';
import { DemandRepo } from './demand.repo';
import { meteringPointVisibility, type MeteringPointVisibility } from './metering-point.access';
import { MeteringPointRepo, type MeteringPointRow } from './metering-point.repo';
import { EventRepo, type EventPage } from './event.repo';
import { MeasurementRepo } from './measurement.repo';
import type { SubstationMeasurement } from './measurement.type';
import { ReadingIngestCommand } from './reading-ingest.command';
import type { CurveWindow } from './demand.rules';
import { ReadingRepo, type CurvePointRow } from './reading.repo';

/** A series of one metering point (or substation) over a window. */
export interface CurveKey {
  pointId: string;
  window: CurveWindow;
}

/** One DataLoader per kind of series: keys of the same window are read in one statement. */
function seriesLoader<T>(read: (ids: string[], window: CurveWindow) => Promise<Map<string, T[]>>): DataLoader<CurveKey, T[], string> {
  return new DataLoader<CurveKey, T[], string>(
    async (keys) => {
      const byWindow = new Map<string, { window: CurveWindow; ids: string[] }>();
      for (const key of keys) {
        const group = byWindow.get(windowKey(key.window)) ?? { window: key.window, ids: [] };
        group.ids.push(key.pointId);
        byWindow.set(windowKey(key.window), group);
      }
      const series = new Map<string, T[]>();
      for (const [wk, { window, ids }] of byWindow) {
        for (const [id, values] of await read(ids, window)) series.set(`${wk}|${id}`, values);
      }
      return keys.map((key) => series.get(seriesKey(key)) ?? []);
    },
    { cacheKeyFn: seriesKey },
  );
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
  measurementStore: MeasurementRepo;
  measurements: DataLoader<CurveKey, SubstationMeasurement[], string>;
  eventStore: EventRepo;
  /** Pages of events of every point asked for with the same window and page, read and logged in one go. */
  events: DataLoader<EventKey, EventPage, string>;
}

export interface EventKey {
  pointId: string;
  window: { fromMs: number; toMs: number };
  page: Page;
}

const windowKey = (window: CurveWindow) => `${window.fromMs}|${window.toMs}|${window.resolution}`;
const eventGroup = (key: EventKey) => `${key.window.fromMs}|${key.window.toMs}|${key.page.limit}|${key.page.afterKey}`;
const seriesKey = (key: CurveKey) => `${windowKey(key.window)}|${key.pointId}`;

export function createMeteringLoaders({ database, identity, requestId }: RequestScope): MeteringLoaders {
  const visibility = meteringPointVisibility(identity);
  const meteringPoints = new MeteringPointRepo(database.db);
  const readings = new ReadingRepo(database.db);
  const restrictToRetailer = visibility.kind === 'retailer' ? visibility.retailerId : null;
  const measurementStore = new MeasurementRepo(database.db);
  const eventStore = new EventRepo(database.db);
  return {
    visibility,
    meteringPoints,
    demand: new DemandRepo(database.db),
    ingest: new ReadingIngestCommand(database),
    meteringPoint: keyedLoader((ids) => meteringPoints.findVisible(ids, visibility), (row) => row.id),
    loadCurve: seriesLoader(async (ids, window) => {
      await readings.recordAccess(identity, requestId, 'loadCurve', ids, window);
      return readings.loadCurves(ids, window, restrictToRetailer);
    }),
    measurementStore,
    measurements: seriesLoader((ids, window) => measurementStore.forSubstations(ids, window)),
    eventStore,
    events: new DataLoader<EventKey, EventPage, string>(
      async (keys) => {
        const groups = new Map<string, { key: EventKey; ids: string[] }>();
        for (const key of keys) {
          const group = groups.get(eventGroup(key)) ?? { key, ids: [] };
          group.ids.push(key.pointId);
          groups.set(eventGroup(key), group);
        }
        const pages = new Map<string, EventPage>();
        for (const [group, { key, ids }] of groups) {
          await readings.recordAccess(identity, requestId, 'events', ids, key.window);
          for (const [id, page] of await eventStore.pages(ids, key.window, key.page, restrictToRetailer)) pages.set(`${group}|${id}`, page);
        }
        return keys.map((key) => pages.get(`${eventGroup(key)}|${key.pointId}`) ?? { rows: [], totalCount: 0 });
      },
      { cacheKeyFn: (key) => `${eventGroup(key)}|${key.pointId}` },
    ),
  };
}

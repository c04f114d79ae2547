import DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import type { Page } from '../kit/connection';
import { recordAccess, type ReadPeriod } from '../kit/access-log';
import { keyedLoader } from '../kit/loader';
import { AuditRepo } from './audit.repo';
import { ConsentRepo } from './consent.repo';
import { DemandQuery } from './demand.query';
import { DemandRepo } from './demand.repo';
import { DisclosureRepo } from './disclosure.repo';
import { MeteringPointRepo, type MeteringPointRow } from './metering-point.repo';
import { EventRepo, type EventPage } from './event.repo';
import { MeasurementRepo } from './measurement.repo';
import type { SubstationMeasurement } from './measurement.type';
import { ReadingIngestCommand } from './reading-ingest.command';
import type { CurveWindow } from './demand.rules';
import type { PointKeys } from './point-keys.sql';
import { ReadingRepo, type CurvePointRow, type SeriesRow } from './reading.repo';

/** A series of one metering point (or substation) over a window. */
export interface CurveKey {
  pointId: string;
  window: CurveWindow;
}

export interface EventKey {
  pointId: string;
  window: { fromMs: number; toMs: number };
  page: Page;
}

/**
 * A DataLoader for per-point fields with arguments: keys asking the same thing (`groupOf`) of
 * different points are read with one call, so a page of points costs one statement per field.
 */
function perPointLoader<K extends { pointId: string }, V>(
  groupOf: (key: K) => string,
  read: (ids: string[], sample: K) => Promise<Map<string, V>>,
  empty: () => V,
): DataLoader<K, V, string> {
  const cacheKey = (key: K) => `${groupOf(key)}|${key.pointId}`;
  return new DataLoader<K, V, string>(
    async (keys) => {
      const groups = new Map<string, { sample: K; ids: string[] }>();
      for (const key of keys) {
        const group = groups.get(groupOf(key)) ?? { sample: key, ids: [] };
        group.ids.push(key.pointId);
        groups.set(groupOf(key), group);
      }
      // Groups are independent reads (another window, another page): side by side, not one after another.
      const values = new Map<string, V>();
      await Promise.all(
        [...groups].map(async ([group, { sample, ids }]) => {
          for (const [id, value] of await read(ids, sample)) values.set(`${group}|${id}`, value);
        }),
      );
      return keys.map((key) => values.get(cacheKey(key)) ?? empty());
    },
    { cacheKeyFn: cacheKey },
  );
}

const windowKey = (key: CurveKey) => `${key.window.fromMs}|${key.window.toMs}|${key.window.resolution}`;
const eventGroup = (key: EventKey) => `${key.window.fromMs}|${key.window.toMs}|${key.page.limit}|${key.page.afterKey}`;

export interface MeteringLoaders {
  meteringPoints: MeteringPointRepo;
  /** Each point's key (readings and events are keyed by it), looked up once per request for every reader. */
  keysOf: PointKeys;
  demand: DemandQuery;
  ingest: ReadingIngestCommand;
  consents: ConsentRepo;
  audit: AuditRepo;
  /** Only points the caller may see; others load as null, exactly like unknown ids. */
  meteringPoint: DataLoader<string, MeteringPointRow | null>;
  /** Every load curve asked for in a request over the same window is read, and logged, in one go. */
  loadCurve: DataLoader<CurveKey, CurvePointRow[], string>;
  /** The same, in the series form (logged as such). */
  loadCurveSeries: DataLoader<CurveKey, SeriesRow | null, string>;
  measurementStore: MeasurementRepo;
  measurements: DataLoader<CurveKey, SubstationMeasurement[], string>;
  eventStore: EventRepo;
  /** Pages of events of every point asked for with the same window and page, read and logged in one go. */
  events: DataLoader<EventKey, EventPage, string>;
}

export function createMeteringLoaders({ database, identity, requestId, settings }: RequestScope): MeteringLoaders {
  const { db } = database;
  const meteringPoints = new MeteringPointRepo(db, identity);
  const pointKey = keyedLoader((ids) => meteringPoints.keys(ids), (row) => row.id);
  const keysOf: PointKeys = async (ids) => {
    const keys = new Map<string, number>();
    for (const row of await pointKey.loadMany(ids)) {
      if (row instanceof Error) throw row;
      if (row) keys.set(row.id, row.key);
    }
    return keys;
  };
  const readings = new ReadingRepo(db, identity, keysOf);
  const measurementStore = new MeasurementRepo(db);
  const eventStore = new EventRepo(db, identity, keysOf);
  /** A per-point read of personal data over a window, logged first (one access-log statement per batch). */
  const logged =
    <K extends { window: ReadPeriod }, V>(field: string, read: (ids: string[], key: K) => Promise<Map<string, V>>) =>
    async (ids: string[], key: K) => {
      await recordAccess(db, identity, requestId, field, ids, key.window);
      return read(ids, key);
    };
  return {
    meteringPoints,
    keysOf,
    demand: new DemandQuery({
      db,
      identity,
      requestId,
      demand: new DemandRepo(db, identity, keysOf),
      disclosure: new DisclosureRepo(db),
      minAggregatePoints: settings.minAggregatePoints,
    }),
    ingest: new ReadingIngestCommand(database, keysOf),
    consents: new ConsentRepo(db),
    audit: new AuditRepo(db),
    meteringPoint: keyedLoader((ids) => meteringPoints.findVisible(ids), (row) => row.id),
    loadCurve: perPointLoader<CurveKey, CurvePointRow[]>(windowKey, logged('loadCurve', (ids, { window }) => readings.loadCurves(ids, window)), () => []),
    loadCurveSeries: perPointLoader<CurveKey, SeriesRow | null>(windowKey, logged('loadCurveSeries', (ids, { window }) => readings.loadSeries(ids, window)), () => null),
    measurementStore,
    measurements: perPointLoader<CurveKey, SubstationMeasurement[]>(windowKey, (ids, { window }) => measurementStore.forSubstations(ids, window), () => []),
    eventStore,
    events: perPointLoader<EventKey, EventPage>(eventGroup, logged('events', (ids, key) => eventStore.pages(ids, key.window, key.page)), () => ({ rows: [], totalCount: 0 })),
  };
}

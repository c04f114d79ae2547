import { asc, eq, sql } from 'drizzle-orm';
import { buses, connections, feeders, lineCodes, lineSegments, secondarySubstations } from '../../schema/tables';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import { groupBy } from '../kit/group';
import { anyText } from '../kit/sql';
import type { LineCode, LvNetwork } from './lv-network';
import { assembleLvNetwork, hasNetworkModel, type ConnectionModelRow } from './network-model.rules';

/**
 * The LV network of each of these secondary substations, as the power flow solves it (see
 * assembleLvNetwork): unknown ids and substations without a network model are absent from the
 * map. Five queries whatever the number of substations, each one scan of an index by substation
 * (the whole demo parish in well under a second). Throws NetworkModelError for a substation whose
 * model is inconsistent (a connected metering point without a bus).
 */
export async function loadLvNetworks(db: Database, secondarySubstationIds: readonly string[]): Promise<Map<string, LvNetwork>> {
  const ids = [...new Set(secondarySubstationIds)];
  const [substationRows, busRows, segmentRows, connectionRows] = await Promise.all([
    db.select().from(secondarySubstations).where(anyText(secondarySubstations.id, ids)),
    db
      .select({ id: buses.id, secondarySubstationId: buses.secondarySubstationId, x: buses.x, y: buses.y })
      .from(buses)
      .where(anyText(buses.secondarySubstationId, ids))
      .orderBy(asc(buses.secondarySubstationId), asc(buses.id)),
    db
      .select({
        id: lineSegments.id,
        secondarySubstationId: lineSegments.secondarySubstationId,
        feederId: lineSegments.feederId,
        fromBusId: lineSegments.fromBusId,
        toBusId: lineSegments.toBusId,
        lengthM: lineSegments.lengthM,
        lineCode: lineSegments.lineCode,
      })
      .from(lineSegments)
      .where(anyText(lineSegments.secondarySubstationId, ids))
      .orderBy(asc(lineSegments.secondarySubstationId), asc(lineSegments.id)),
    db
      .select({ secondarySubstationId: feeders.secondarySubstationId, meteringPointId: connections.meteringPointId, phase: connections.phase, busId: connections.busId })
      .from(connections)
      .innerJoin(feeders, eq(feeders.id, connections.feederId))
      .where(anyText(feeders.secondarySubstationId, ids))
      .orderBy(asc(connections.meteringPointId)),
  ]);
  const modelled = substationRows.filter(hasNetworkModel);
  const codeNames = [...new Set(segmentRows.map((row) => row.lineCode))];
  const codeRows = codeNames.length === 0 ? [] : await db.select().from(lineCodes).where(anyText(lineCodes.name, codeNames));
  const codes = new Map<string, LineCode>(codeRows.map((row) => [row.name, row]));
  const busesOf = groupBy(busRows, (row) => row.secondarySubstationId);
  const segmentsOf = groupBy(segmentRows, (row) => row.secondarySubstationId);
  const connectionsOf = groupBy<string, ConnectionModelRow & { secondarySubstationId: string }>(connectionRows, (row) => row.secondarySubstationId);
  const networks = new Map<string, LvNetwork>();
  for (const substation of modelled) {
    networks.set(
      substation.id,
      assembleLvNetwork({
        substation,
        buses: busesOf.get(substation.id) ?? [],
        segments: segmentsOf.get(substation.id) ?? [],
        lineCodes: codes,
        connections: connectionsOf.get(substation.id) ?? [],
      }),
    );
  }
  return networks;
}

export type LineSegmentRow = typeof lineSegments.$inferSelect;
export type BusRow = typeof buses.$inferSelect;
export type LineCodeRow = typeof lineCodes.$inferSelect;

/** One feeder's page of rows (limit + 1 at most, the extra telling whether more follow) and how many it has. */
export interface FeederPage<R> {
  rows: R[];
  totalCount: number;
}

/**
 * The page of each feeder in one statement: its rows counted, then the first `limit + 1` after
 * the cursor. A feeder has tens of segments (the IEEE feeder 905): counting them all is cheap.
 */
async function pagesByFeeder<R extends { id: string }>(
  db: Database,
  rowsOfFeeders: ReturnType<typeof sql>,
  feederIds: readonly string[],
  page: Page,
): Promise<Map<string, FeederPage<R>>> {
  // A feeder with no row after the cursor still gives one line, with its count and a null id.
  const { rows } = await db.execute<R & { page_feeder: string; page_total: number }>(sql`
    WITH f AS (${rowsOfFeeders}),
    totals AS (SELECT page_feeder_id AS feeder, count(*)::int AS page_total FROM f GROUP BY 1)
    SELECT p.*, totals.feeder AS page_feeder, totals.page_total FROM totals
    LEFT JOIN LATERAL (
      SELECT * FROM f WHERE f.page_feeder_id = totals.feeder AND (${page.afterKey}::text IS NULL OR f.id > ${page.afterKey}) ORDER BY f.id LIMIT ${page.limit + 1}
    ) p ON true
    ORDER BY totals.feeder, p.id`);
  const pages = new Map<string, FeederPage<R>>(feederIds.map((id) => [id, { rows: [], totalCount: 0 }]));
  for (const row of rows) {
    const entry = pages.get(row.page_feeder);
    if (!entry) continue;
    entry.totalCount = row.page_total;
    // execute() types a row as Assume<T, QueryResultRow>, which stays unresolved for a generic T; it is T.
    if (row.id !== null) entry.rows.push(row as R);
  }
  return pages;
}

/** The network model as the API pages it: per feeder, its segments and the buses they feed. */
export class NetworkModelRepo {
  constructor(private readonly db: Database) {}

  lineCodes(names: readonly string[]): Promise<LineCodeRow[]> {
    return this.db.select().from(lineCodes).where(anyText(lineCodes.name, names));
  }

  segmentPages(feederIds: readonly string[], page: Page): Promise<Map<string, FeederPage<LineSegmentRow>>> {
    return pagesByFeeder<LineSegmentRow>(
      this.db,
      sql`SELECT s.id, s.secondary_substation_id AS "secondarySubstationId", s.feeder_id AS "feederId", s.name, s.from_bus_id AS "fromBusId",
            s.to_bus_id AS "toBusId", s.length_m AS "lengthM", s.line_code AS "lineCode", s.feeder_id AS page_feeder_id
          FROM ${lineSegments} s WHERE ${anyText(sql`s.feeder_id`, feederIds)}`,
      feederIds,
      page,
    );
  }

  /** A feeder's buses are those its segments feed: the LV board belongs to the substation, not to a feeder. */
  busPages(feederIds: readonly string[], page: Page): Promise<Map<string, FeederPage<BusRow>>> {
    return pagesByFeeder<BusRow>(
      this.db,
      sql`SELECT b.id, b.secondary_substation_id AS "secondarySubstationId", b.name, b.x, b.y, s.feeder_id AS page_feeder_id
          FROM ${lineSegments} s JOIN ${buses} b ON b.id = s.to_bus_id WHERE ${anyText(sql`s.feeder_id`, feederIds)}`,
      feederIds,
      page,
    );
  }
}

import { sql } from 'drizzle-orm';
import type { Identity } from '../../schema/identity';
import type { PricedPeriod, TariffCycle } from '../../schema/tariffs';
import type { Database } from '../kit/db';
import { accessEdges, mayList, mayReadAt, mayReadPresent } from '../kit/point-access.sql';
import { QUARTER_MS } from '../kit/calendar';
import type { BillScheme, QuarterEnergy, SchemeSpan } from './bill.rules';
import type { TariffWindow } from './tariff-energy.repo';

/** What a bill needs besides the readings, read in one statement. */
export interface BillContext {
  /**
   * The caller may bill the point at all: it may see its present state (a retailer: only a point it
   * supplies now, never a former one), or (another role) list it; false as well when it does not exist.
   */
  known: boolean;
  /** The caller may read the point's data at every instant of the window. */
  throughout: boolean;
  /** Its present contracted power; null when the point does not exist. */
  contractedPowerKva: number | null;
  /** Without a scheme asked for: the point's assignments that overlap the window, oldest first. */
  spans: SchemeSpan[];
  /** The schemes of the spans (drafts too: a point's assigned scheme is its bill's), or the one asked for if the caller may see it, with their events in the window. */
  schemes: Map<string, BillScheme>;
  /** The point's metered import per quarter-hour of the window (metering.point_readings), in no order. */
  readings: QuarterEnergy[];
}

type SchemeJson = { id: string; cycle: TariffCycle | null; power: number; prices: Record<string, number>; events: [number, number][] };

/** `q:wh,q:wh…` (quarter-hours after the window's start, and Wh) as quarter-hours. */
function parseReadings(text: string | null, fromMs: number): QuarterEnergy[] {
  if (!text) return [];
  return text.split(',').map((pair) => {
    const colon = pair.indexOf(':');
    return { startMs: fromMs + Number(pair.slice(0, colon)) * QUARTER_MS, importWh: Number(pair.slice(colon + 1)) };
  });
}

/**
 * The bill's context: whether the caller may read the point's data over the whole window, its
 * contracted power, and (only then) its assignments, their schemes' prices and critical-peak events
 * and its readings, in one statement: a month's bill is a few milliseconds, and each round trip
 * counts. The readings (metering.point_readings) travel as one text value: a month's 3,000 rows
 * took longer to send and parse than to read (6.5 ms against 2.3 ms). The access rule (mayReadAt,
 * kit/point-access.sql.ts) changes its answer only at the point's access edges, so it holds
 * throughout [from, to) when it holds at each of them. Schemes are read as TariffSchemeRepo reads them (published ones, and
 * drafts where `withDrafts`), but only what the bill prices.
 */
export async function billContext(db: Database, identity: Identity, meteringPointId: string, window: TariffWindow, schemeId: string | null, withDrafts: boolean): Promise<BillContext> {
  const from = new Date(window.fromMs);
  const to = new Date(window.toMs);
  const point = sql.raw('p.id');
  // A retailer bills its current customers only ("only within its supply periods" of them): its
  // former points are unknown to it here, exactly like a missing one.
  const mayBill = identity.role === 'retailer' ? mayReadPresent(identity, point, 'tariffs:read') : sql`(${mayList(identity, point)}) OR (${mayReadPresent(identity, point, 'tariffs:read')})`;
  const result = await db.execute<{
    known: boolean;
    throughout: boolean;
    contracted_power_kva: number | null;
    spans: { schemeId: string; fromMs: number; toMs: number | null }[];
    schemes: SchemeJson[];
    readings: string | null;
  }>(sql`
    WITH access AS (
      SELECT p.id, mp.contracted_power_kva,
        mp.metering_point_id IS NOT NULL AND (${mayBill}) AS known,
        NOT EXISTS (
          SELECT 1 FROM ${accessEdges(point, from, to)} edge
          WHERE NOT (${mayReadAt(identity, point, sql.raw('edge.at'), 'tariffs:read')})
        ) AS throughout
      FROM (SELECT ${meteringPointId}::text AS id) p
      LEFT JOIN metering.metering_points_v mp ON mp.metering_point_id = p.id
    ),
    spans AS (
      SELECT a.scheme_id, extract(epoch FROM a.valid_from) * 1000 AS from_ms, extract(epoch FROM a.valid_to) * 1000 AS to_ms
      FROM access JOIN tariffs.assignments a ON a.metering_point_id = access.id
      WHERE access.known AND access.throughout AND ${schemeId}::text IS NULL
        AND a.valid_from < ${to} AND (a.valid_to IS NULL OR a.valid_to > ${from})
    ),
    wanted AS (
      SELECT s.* FROM tariffs.schemes s WHERE s.id IN (SELECT scheme_id FROM spans)
      UNION ALL
      SELECT s.* FROM tariffs.schemes s, access
      WHERE access.known AND access.throughout AND s.id = ${schemeId}::text AND (s.status = 'PUBLISHED' OR ${withDrafts})
    )
    SELECT a.known, a.throughout, a.contracted_power_kva,
      (SELECT coalesce(json_agg(json_build_object('schemeId', scheme_id, 'fromMs', from_ms, 'toMs', to_ms) ORDER BY from_ms), '[]') FROM spans) AS spans,
      (SELECT coalesce(json_agg(json_build_object(
          'id', w.id, 'cycle', w.cycle, 'power', w.power_price_nano_eur_per_kva_day,
          'prices', (SELECT json_object_agg(sp.period, sp.energy_price_nano_eur_per_kwh) FROM tariffs.scheme_prices sp WHERE sp.scheme_id = w.id),
          'events', (SELECT coalesce(json_agg(json_build_array(extract(epoch FROM e.starts_at) * 1000, extract(epoch FROM e.ends_at) * 1000) ORDER BY e.starts_at), '[]')
                     FROM tariffs.critical_peak_events e
                     WHERE w.kind = 'CRITICAL_PEAK' AND e.scheme_id = w.id AND e.starts_at < ${to} AND e.ends_at > ${from}))), '[]')
       FROM wanted w) AS schemes,
      (SELECT string_agg(((extract(epoch FROM r.interval_start) - ${window.fromMs / 1000}) / 900)::int || ':' || r.import_wh, ',')
       FROM metering.point_readings(a.id, ${from}, ${to}) r
       WHERE a.known AND a.throughout) AS readings
    FROM access a`);
  const row = result.rows[0]!;
  return {
    known: row.known,
    throughout: row.throughout,
    contractedPowerKva: row.contracted_power_kva === null ? null : Number(row.contracted_power_kva),
    spans: row.spans.map((span) => ({ schemeId: span.schemeId, fromMs: Number(span.fromMs), toMs: span.toMs === null ? Infinity : Number(span.toMs) })),
    schemes: new Map(
      row.schemes.map((scheme) => [
        scheme.id,
        {
          cycle: scheme.cycle,
          energyNanoEurPerKwh: Object.fromEntries(Object.entries(scheme.prices ?? {}).map(([period, nano]) => [period as PricedPeriod, Number(nano)])),
          powerNanoEurPerKvaDay: Number(scheme.power),
          criticalPeaks: scheme.events.map(([startMs, endMs]) => ({ startMs: Number(startMs), endMs: Number(endMs) })),
        },
      ]),
    ),
    readings: parseReadings(row.readings, window.fromMs),
  };
}

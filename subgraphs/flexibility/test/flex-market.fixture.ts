import { randomUUID } from 'node:crypto';
import type { TestHub } from '../../../tools/testing/hub-fixture';
import { lisbonLocalDay } from '../../kit/calendar';
import { localTimeUtcMs } from '../../hems/flex-availability.rules';

/**
 * What the market's tests share: one feeder with HEMS of our own behind it, each shared with its
 * household's retailer (the seed's HEMS are taken offline, so only ours count), and requests on it.
 *
 * Behind the feeder, by hand (tomorrow 19:00 and 19:15 local, loads held at least 15 minutes):
 * - `retailer` has an EV charger of 7.4 kW (18:00–07:00, 4 h shift, 1 h run) and a water heater of
 *   2 kW (17:00–23:00, 2 h shift, 30 min run): RETAILER_AVAILABLE_KW = 9.4 kW in each ISP;
 * - `rival`, another retailer supplying a point there, an EV charger of 3.7 kW: RIVAL_AVAILABLE_KW.
 * `outsider` is a retailer with no point behind the feeder: no request on it is published to it.
 */

export const RETAILER_AVAILABLE_KW = 9.4;
export const RIVAL_AVAILABLE_KW = 3.7;

export const iso = (ms: number) => new Date(ms).toISOString();
/** Tomorrow at HH:MM, Lisbon local time. */
export const tomorrowAt = (hour: number, minute = 0) => localTimeUtcMs(lisbonLocalDay(Date.now()) + 1, hour * 60 + minute);
/** The ISPs the tests ask for: tomorrow 19:00 and 19:15 local. */
export const ISP_1 = () => tomorrowAt(19);
export const ISP_2 = () => tomorrowAt(19, 15);

/** A grid flexibility need at the feeder over the intervals, written as a power-flow run would: what a request may answer (needId). */
export async function flexibilityNeedAt(t: TestHub, feeder: { feederId: string; secondarySubstationId: string }, intervals: { startMs: number; kw: number }[]): Promise<string> {
  const sql = (text: string, values: unknown[]) => t.database.handle.pool.query(text, values);
  const runId = `run-${randomUUID()}`;
  const needId = `need-${randomUUID()}`;
  await sql(`INSERT INTO grid.power_flow_runs (id, source, start, "end", intervals, requested_by) VALUES ($1, 'FORECAST', now(), now() + interval '1 day', 96, 'dso')`, [runId]);
  await sql(
    `INSERT INTO grid.flexibility_needs (id, run_id, secondary_substation_id, congestion_point_kind, congestion_point_id, feeder_id) VALUES ($1, $2, $3, 'FEEDER', $4, $4)`,
    [needId, runId, feeder.secondarySubstationId, feeder.feederId],
  );
  for (const interval of intervals) {
    await sql(`INSERT INTO grid.flexibility_need_intervals (need_id, interval_start, reduction_kw) VALUES ($1, $2, $3)`, [needId, new Date(interval.startMs), interval.kw]);
  }
  return needId;
}

export interface Party {
  id: string;
  key: string;
}

export interface MarketFixture {
  dsoKey: string;
  feederId: string;
  retailer: Party;
  rival: Party;
  outsider: Party;
  /** A request on the feeder by the DSO (expiring in an hour unless told); its id. */
  createRequest(isps: { startMs: number; minKw: number; maxKw: number }[], expiresAtMs?: number): Promise<string>;
  /** Runs SQL on the test's own connection, to set up what the API cannot (a past expiry). */
  sql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /**
   * Closes every open request, as if by the DSO: a party's live offers to every open request on
   * the feeder count against its one availability, so a test that starts from the whole of it
   * calls this first (in a beforeEach).
   */
  closeOpenRequests(): Promise<void>;
}

interface TestLoad {
  kind: string;
  ratedPowerKw: number;
  window: [number, number];
  maxShiftMinutes: number;
  minRunMinutes: number;
}

const EV = (ratedPowerKw: number): TestLoad => ({ kind: 'EV_CHARGER', ratedPowerKw, window: [18 * 60, 7 * 60], maxShiftMinutes: 240, minRunMinutes: 60 });
const HEATER: TestLoad = { kind: 'WATER_HEATER', ratedPowerKw: 2, window: [17 * 60, 23 * 60], maxShiftMinutes: 120, minRunMinutes: 30 };

export async function marketFixture(t: TestHub): Promise<MarketFixture> {
  const sql = (text: string, values: unknown[] = []) => t.database.handle.pool.query(text, values);
  await sql(`UPDATE hems.systems SET online = false`);
  const { parish } = t;
  const withHems = new Set(parish.hemsSystems.map((hems) => hems.meteringPointId));
  const pointById = new Map(parish.meteringPoints.map((point) => [point.id, point]));

  // A feeder where one retailer has two residential points without a HEMS and another has one.
  const freeByFeeder = new Map<string, Map<string, string[]>>();
  for (const connection of parish.connections) {
    const point = pointById.get(connection.meteringPointId)!;
    if (withHems.has(point.id) || point.usage !== 'RESIDENTIAL' || !point.retailerId) continue;
    const byRetailer = freeByFeeder.get(connection.feederId) ?? new Map<string, string[]>();
    byRetailer.set(point.retailerId, [...(byRetailer.get(point.retailerId) ?? []), point.id]);
    freeByFeeder.set(connection.feederId, byRetailer);
  }
  // ... and some retailer supplies no point behind it at all.
  const retailers = parish.organisations.filter((org) => org.kind === 'retailer').map((org) => org.id);
  const supplying = (feederId: string) => new Set(parish.connections.filter((connection) => connection.feederId === feederId).map((connection) => pointById.get(connection.meteringPointId)!.retailerId));
  const [feederId, byRetailer] = [...freeByFeeder].find(
    ([feeder, free]) => free.size >= 2 && [...free.values()].some((points) => points.length >= 2) && retailers.some((id) => !supplying(feeder).has(id)),
  )!;
  const [retailerId, retailerPoints] = [...byRetailer].find(([, points]) => points.length >= 2)!;
  const [rivalId, rivalPoints] = [...byRetailer].find(([id]) => id !== retailerId)!;
  const outsiderId = retailers.find((id) => !supplying(feederId).has(id))!;

  const household = async (pointId: string, organisationId: string, loads: TestLoad[]) => {
    const hemsId = `FM-${pointId}`;
    await sql(`INSERT INTO hems.systems (id, metering_point_id, vendor, installed_at, online, last_seen_at) VALUES ($1, $2, 'Test', now() - interval '1 year', true, now())`, [hemsId, pointId]);
    for (const [i, load] of loads.entries()) {
      const deviceId = `${hemsId}-D${i + 1}`;
      await sql(`INSERT INTO hems.devices (id, hems_id, kind, rated_power_kw, controllable, state, power_kw, state_at) VALUES ($1, $2, $3, $4, true, 'ON', 0, now())`, [deviceId, hemsId, load.kind, load.ratedPowerKw]);
      await sql(
        `INSERT INTO hems.flexible_loads (id, hems_id, device_id, earliest_start_minute, latest_end_minute, max_shift_minutes, min_run_minutes, priority, opted_out)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, false)`,
        [`FL-${deviceId}`, hemsId, deviceId, load.window[0], load.window[1], load.maxShiftMinutes, load.minRunMinutes],
      );
    }
    await sql(
      `INSERT INTO hub.consents (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
       VALUES ($1, $2, $3, ARRAY['hems:read']::hub.consent_scope[], now() - interval '1 day', now() + interval '30 days', 'test')`,
      [`test-market-${pointId}`, pointId, organisationId],
    );
  };
  await household(retailerPoints[0]!, retailerId, [EV(7.4)]);
  await household(retailerPoints[1]!, retailerId, [HEATER]);
  await household(rivalPoints[0]!, rivalId, [EV(RIVAL_AVAILABLE_KW)]);

  const dsoKey = await t.createKey('dso', 'dso');
  const party = async (id: string): Promise<Party> => ({ id, key: await t.createKey('retailer', id) });
  return {
    dsoKey,
    feederId,
    retailer: await party(retailerId),
    rival: await party(rivalId),
    outsider: await party(outsiderId),
    async createRequest(isps, expiresAtMs = Date.now() + 3_600_000) {
      const { body } = await t.graphql<{ createFlexRequest: { id: string } }>(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
        key: dsoKey,
        variables: { input: { congestionPointId: feederId, isps: isps.map((isp) => ({ start: iso(isp.startMs), minKw: isp.minKw, maxKw: isp.maxKw })), expiresAt: iso(expiresAtMs) } },
      });
      if (!body.data) throw new Error(`createFlexRequest failed: ${JSON.stringify(body.errors)}`);
      return body.data.createFlexRequest.id;
    },
    sql,
    async closeOpenRequests() {
      await sql(`UPDATE flexibility.flex_requests SET status = 'CLOSED', close_reason = 'BY_DSO', closed_at = now(), restored_at = now() WHERE status = 'OPEN'`);
    },
  };
}

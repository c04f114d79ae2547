import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { DeviceKind } from '../../schema/hems';
import { DAY_MS, HOUR_MS, lisbonLocalDay, lisbonWallToUtcMs } from '../../subgraphs/kit/calendar';
import type { DatabaseHandle } from '../../subgraphs/kit/db';
import { postGraphQL } from '../testing/hub-fixture';
import { openBenchHub } from './bench-hub';
import type { Scenario } from './scenario';
import { medianOf, percentile, round, timeOnce } from './stats';

/** Timed rounds: every HEMS reports once per round, as each does once a minute. */
const ROUNDS = 10;
/** Reports per request: 8,000 device rows, about 0.5 MB of JSON (the gateway takes up to 2 MiB). */
const BATCH_REPORTS = 1_000;
/** Requests in flight at once: the retailers' platforms sending side by side. */
const CONCURRENCY = 4;
const AVAILABILITY_WARMUP = 3;
const AVAILABILITY_RUNS = 20;

/** Every bench HEMS has these eight devices (kW rated); EV charger, water heater and heat pump are flexible in the evening. */
const DEVICES: readonly { kind: DeviceKind; ratedPowerKw: number; priority?: number }[] = [
  { kind: 'EV_CHARGER', ratedPowerKw: 7.4, priority: 1 },
  { kind: 'WATER_HEATER', ratedPowerKw: 2, priority: 2 },
  { kind: 'HEAT_PUMP', ratedPowerKw: 3, priority: 3 },
  { kind: 'AIR_CONDITIONER', ratedPowerKw: 2.5 },
  { kind: 'WASHING_MACHINE', ratedPowerKw: 2.2 },
  { kind: 'DISHWASHER', ratedPowerKw: 1.8 },
  { kind: 'PV_INVERTER', ratedPowerKw: 3.3 },
  { kind: 'BATTERY', ratedPowerKw: 5 },
];
const EVENING_START_MINUTE = 18 * 60;
const EVENING_END_MINUTE = 23 * 60;

const REPORT = 'mutation($input: ReportHemsTelemetryInput!) { reportHemsTelemetry(input: $input) { reports devices duplicates } }';
const AVAILABILITY = `query($scope: FlexScopeInput!, $from: DateTime!, $to: DateTime!) {
  availableFlexibility(scope: $scope, from: $from, to: $to) { intervalStart reductionKw hemsCount }
}`;

interface BenchHems {
  id: string;
  retailerId: string;
}

interface Batch {
  retailerId: string;
  round: number;
  body: string;
  reports: number;
}

/**
 * One HEMS with the eight devices behind every metering point supplied now, shared with its
 * retailer (a hems:read consent), and the customers' evening conditions on three of them (one
 * household in ten has opted its EV charger out). The seed's own HEMS are removed first.
 */
async function createFleet(database: DatabaseHandle): Promise<BenchHems[]> {
  const db = database.pool;
  await db.query('TRUNCATE hems.systems CASCADE');
  await db.query(`
    INSERT INTO hems.systems (id, metering_point_id, vendor, protocol, installed_at)
    SELECT 'BH-' || lpad(row_number() OVER (ORDER BY sc.metering_point_id)::text, 5, '0'), sc.metering_point_id, 'Bench', 'MQTT', now() - interval '1 year'
    FROM metering.supply_contracts_v sc
    WHERE sc.valid_from <= now() AND (sc.valid_to IS NULL OR sc.valid_to > now())`);
  await db.query(
    `INSERT INTO hems.devices (id, hems_id, kind, rated_power_kw, controllable)
     SELECT s.id || '-D' || d.n, s.id, d.kind, d.rated, d.kind <> 'PV_INVERTER'
     FROM hems.systems s CROSS JOIN unnest($1::hems.device_kind[], $2::float8[]) WITH ORDINALITY AS d(kind, rated, n)`,
    [DEVICES.map((device) => device.kind), DEVICES.map((device) => device.ratedPowerKw)],
  );
  await db.query(`
    INSERT INTO hub.consents (id, metering_point_id, organisation_id, scopes, valid_from, valid_to, granted_by_key_id)
    SELECT 'bench-share-' || s.id, s.metering_point_id, sc.retailer_id, '{hems:read}', now() - interval '30 days', now() + interval '1 year', 'bench'
    FROM hems.systems s
    JOIN metering.supply_contracts_v sc ON sc.metering_point_id = s.metering_point_id AND sc.valid_from <= now() AND (sc.valid_to IS NULL OR sc.valid_to > now())`);
  const flexible = DEVICES.flatMap((device, i) => (device.priority ? [{ n: i + 1, priority: device.priority }] : []));
  await db.query(
    `INSERT INTO hems.flexible_loads (id, hems_id, device_id, earliest_start_minute, latest_end_minute, max_shift_minutes, min_run_minutes, priority, opted_out)
     SELECT s.id || '-F' || f.n, s.id, s.id || '-D' || f.n, $3, $4, 120, 30, f.priority,
       f.priority = 1 AND right(s.id, 1) = '7'
     FROM hems.systems s CROSS JOIN unnest($1::int[], $2::int[]) AS f(n, priority)`,
    [flexible.map((load) => load.n), flexible.map((load) => load.priority), EVENING_START_MINUTE, EVENING_END_MINUTE],
  );
  await db.query('ANALYZE hems.systems; ANALYZE hems.devices; ANALYZE hems.flexible_loads; ANALYZE hub.consents');
  const { rows } = await db.query<{ id: string; retailer_id: string }>(`
    SELECT s.id, c.organisation_id AS retailer_id FROM hems.systems s JOIN hub.consents c ON c.id = 'bench-share-' || s.id ORDER BY s.id`);
  return rows.map((row) => ({ id: row.id, retailerId: row.retailer_id }));
}

/** A plausible evening state: each device on in one round of three, drawing part of its rating. */
function deviceReading(hems: number, device: number, round: number): { state: 'ON' | 'OFF' | 'STANDBY'; powerKw: number } {
  const turn = (hems + device + round) % 3;
  if (turn !== 0) return { state: turn === 1 ? 'OFF' : 'STANDBY', powerKw: 0 };
  return { state: 'ON', powerKw: round3(DEVICES[device]!.ratedPowerKw * (0.3 + ((hems * 7 + device * 3 + round) % 7) / 10)) };
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** Each retailer's HEMS in batches, round after round; request bodies serialised once, outside the timing. */
function batchesOf(fleet: readonly BenchHems[], roundAtMs: readonly number[]): Batch[] {
  const byRetailer = new Map<string, number[]>();
  fleet.forEach((hems, i) => byRetailer.set(hems.retailerId, [...(byRetailer.get(hems.retailerId) ?? []), i]));
  const batches: Batch[] = [];
  roundAtMs.forEach((atMs, round) => {
    const at = new Date(atMs).toISOString();
    for (const [retailerId, members] of byRetailer) {
      for (let start = 0; start < members.length; start += BATCH_REPORTS) {
        const reports = members.slice(start, start + BATCH_REPORTS).map((h) => ({
          hemsId: fleet[h]!.id,
          at,
          devices: DEVICES.map((_, d) => ({ deviceId: `${fleet[h]!.id}-D${d + 1}`, ...deviceReading(h, d, round) })),
        }));
        batches.push({ retailerId, round, reports: reports.length, body: JSON.stringify({ query: REPORT, variables: { input: { reports } } }) });
      }
    }
  });
  return batches;
}

/** The same device rows as the timed rounds, half a second later (the primary key is device and time), as CSV for the floor's COPY. */
async function writeFloorFile(fleet: readonly BenchHems[], roundAtMs: readonly number[], file: string): Promise<number> {
  const out = createWriteStream(file);
  let rows = 0;
  for (const [round, atMs] of roundAtMs.entries()) {
    const at = new Date(atMs + 500).toISOString();
    let text = '';
    fleet.forEach((hems, h) => {
      DEVICES.forEach((_, d) => {
        const { state, powerKw } = deviceReading(h, d, round);
        text += `${hems.id},${hems.id}-D${d + 1},${at},${state},${powerKw}\n`;
        rows++;
      });
    });
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

async function copyFloor(database: DatabaseHandle, file: string): Promise<void> {
  const client = await database.pool.connect();
  try {
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom('COPY hems.telemetry (hems_id, device_id, at, state, power_kw) FROM STDIN WITH (FORMAT csv)')));
  } finally {
    client.release();
  }
}

/** Sends every batch through the gateway, CONCURRENCY at a time in order; returns each batch's round trip (ms). */
async function sendAll(url: string, keys: ReadonlyMap<string, string>, batches: readonly Batch[]): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const startedMs = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.get(batch.retailerId)}` }, body: batch.body });
      const answer = (await response.json()) as { errors?: { message: string }[]; data?: { reportHemsTelemetry: { reports: number } } };
      latencies.push(performance.now() - startedMs);
      if (answer.errors || answer.data?.reportHemsTelemetry.reports !== batch.reports) throw new Error(`batch refused (HTTP ${response.status}): ${JSON.stringify(answer).slice(0, 400)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return latencies;
}

function availabilityRow(step: string, medianMs: number, peak: { reductionKw: number; hemsCount: number } | undefined) {
  return { step: `${step}: peak ${peak?.reductionKw ?? 0} kW of ${peak?.hemsCount ?? 0} HEMS`, requests: AVAILABILITY_RUNS, reports: '', seconds: round(medianMs / 1000, 4), reportsPerS: '' };
}

/** The secondary substation with the most bench HEMS behind it: the heaviest area a DSO asks about. */
async function busiestSubstation(database: DatabaseHandle): Promise<{ id: string; hems: number }> {
  const { rows } = await database.pool.query<{ id: string; hems: number }>(`
    SELECT c.secondary_substation_id AS id, count(*)::int AS hems
    FROM hems.systems s JOIN grid.metering_point_connections_v c ON c.metering_point_id = s.metering_point_id
    GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`);
  return rows[0]!;
}

/**
 * 14,000 HEMS of eight devices (one behind every point of the parish supplied now) reporting
 * through the gateway as their retailers' platforms would, in batches of 1,000, for ten rounds
 * after an untimed one that brings them all online; next to the floor of the same rows COPYed
 * straight into hems.telemetry. Then availableFlexibility for tomorrow evening behind the
 * busiest secondary substation (DSO) and over the largest retailer's portfolio.
 */
export const hemsTelemetryScenario: Scenario = {
  name: 'hems-telemetry',
  description: 'HEMS telemetry through the gateway in batches vs COPY of the same rows; availableFlexibility for an evening',
  async run({ customers }) {
    const bench = await openBenchHub(customers);
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-hems-'));
    try {
      const { database, hub, createKey } = bench;
      const fleet = await createFleet(database);
      const retailers = [...new Set(fleet.map((hems) => hems.retailerId))].sort();
      const keys = new Map(await Promise.all(retailers.map(async (id) => [id, (await createKey('retailer', id)).key] as const)));

      // Stamped a second apart up to now, all inside HEMS_OFFLINE_AFTER_S: every round keeps every HEMS online.
      const nowMs = Date.now();
      const roundAtMs = Array.from({ length: ROUNDS + 1 }, (_, round) => nowMs - (ROUNDS + 1 - round) * 1000);
      const batches = batchesOf(fleet, roundAtMs);
      const warmup = batches.filter((batch) => batch.round === 0);
      const timed = batches.filter((batch) => batch.round > 0);
      const floorFile = path.join(dir, 'telemetry.csv');
      const floorRows = await writeFloorFile(fleet, roundAtMs.slice(1), floorFile);

      const url = `${hub.url}/graphql`;
      await sendAll(url, keys, warmup);
      let latencies: number[] = [];
      const gatewayMs = await timeOnce(async () => {
        latencies = await sendAll(url, keys, timed);
      });
      const floorMs = await timeOnce(() => copyFloor(database, floorFile));

      const reports = timed.reduce((sum, batch) => sum + batch.reports, 0);
      const reportsPerS = reports / (gatewayMs / 1000);
      const floorReportsPerS = floorRows / DEVICES.length / (floorMs / 1000);

      // Tomorrow evening, local time, per quarter-hour.
      const tomorrow = lisbonLocalDay(Date.now()) + 1;
      const window = {
        from: new Date(lisbonWallToUtcMs(tomorrow * DAY_MS + 18 * HOUR_MS)).toISOString(),
        to: new Date(lisbonWallToUtcMs(tomorrow * DAY_MS + 23 * HOUR_MS)).toISOString(),
      };
      const substation = await busiestSubstation(database);
      const portfolio = retailers.map((id) => ({ id, hems: fleet.filter((hems) => hems.retailerId === id).length })).sort((a, b) => b.hems - a.hems)[0]!;
      const dsoKey = (await createKey('dso', 'dso')).key;
      const peaks = new Map<string, { reductionKw: number; hemsCount: number }>();
      const availability = (name: string, key: string, scope: Record<string, string>) => async () => {
        const { body } = await postGraphQL<{ availableFlexibility: { reductionKw: number; hemsCount: number }[] }>(url, AVAILABILITY, { authorization: `Bearer ${key}` }, { scope, ...window });
        if (body.errors || !body.data) throw new Error(`availableFlexibility (${name}) failed: ${JSON.stringify(body).slice(0, 400)}`);
        const peak = body.data.availableFlexibility.reduce((best, interval) => (interval.reductionKw > best.reductionKw ? interval : best), { reductionKw: 0, hemsCount: 0 });
        peaks.set(name, { reductionKw: peak.reductionKw, hemsCount: peak.hemsCount });
      };
      const measure = (work: () => Promise<void>) => medianOf(work, { warmup: AVAILABILITY_WARMUP, runs: AVAILABILITY_RUNS });
      const availabilitySubstationMs = await measure(availability('substation', dsoKey, { secondarySubstationId: substation.id }));
      const availabilityPortfolioMs = await measure(availability('portfolio', keys.get(portfolio.id)!, { retailerId: portfolio.id }));

      const batchBytes = timed.map((batch) => Buffer.byteLength(batch.body));
      return {
        metrics: {
          reportsPerS: round(reportsPerS, 0),
          floorReportsPerS: round(floorReportsPerS, 0),
          floorRatio: round(reportsPerS / floorReportsPerS, 3),
          batchP50Ms: round(percentile(latencies, 50)),
          batchP99Ms: round(percentile(latencies, 99)),
          availabilitySubstationMs: round(availabilitySubstationMs),
          availabilityPortfolioMs: round(availabilityPortfolioMs),
        },
        table: [
          { step: `gateway: ${ROUNDS} rounds of ${fleet.length} HEMS × ${DEVICES.length} devices`, requests: timed.length, reports, seconds: round(gatewayMs / 1000), reportsPerS: round(reportsPerS, 0) },
          { step: 'floor: one COPY of the same rows', requests: 1, reports: floorRows / DEVICES.length, seconds: round(floorMs / 1000), reportsPerS: round(floorReportsPerS, 0) },
          { step: `batch of ${BATCH_REPORTS} reports: ${round(Math.max(...batchBytes) / 1024)} KiB at most, ${CONCURRENCY} in flight`, requests: timed.length, reports: BATCH_REPORTS, seconds: '', reportsPerS: '' },
          availabilityRow(`availableFlexibility, ${substation.id} (${substation.hems} HEMS), DSO`, availabilitySubstationMs, peaks.get('substation')),
          availabilityRow(`availableFlexibility, ${portfolio.id}'s portfolio (${portfolio.hems} HEMS)`, availabilityPortfolioMs, peaks.get('portfolio')),
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
      await bench.close();
    }
  },
};

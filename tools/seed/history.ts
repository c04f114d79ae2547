import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { DatabaseHandle } from '../../subgraphs/kit/db';
import { DemandScopeKind } from '../../subgraphs/metering/demand.rules';
import { ensurePartitions, lockReadings } from '../../subgraphs/metering/reading-ingest.repo';
import { INTERVAL_MS } from '../../subgraphs/metering/reading.rules';
import { addToPhases, createCurveGenerator, substationMeasurement, type CurvePoint, type IntervalReading, type Triple } from './load-curves';
import type { Parish } from './parish';

const DAY_MS = 86_400_000;
const QUARTERS_PER_DAY = 96;

export interface HistoryOptions {
  /** UTC midnights of the days to write, in the order to write them. */
  dayStartsMs: number[];
  seed?: number;
  /** Stops between days: a day is written whole or not at all. */
  signal?: AbortSignal;
  /** Loads a HEMS held off for a flex order: taken out of their points' readings (seed/flex-market.ts). */
  heldOff?: readonly HeldOffLoad[];
}

/**
 * A load held off the grid at a metering point for [startMs, endMs) (on quarter-hours): its
 * energy leaves the point's net consumption in those intervals, and so its readings, the DTC
 * measurement above it and the rollups.
 */
export interface HeldOffLoad {
  meteringPointId: string;
  startMs: number;
  endMs: number;
  kw: number;
}

/** A rollup row's scope as the first two COPY columns. */
const rollupKey = (kind: DemandScopeKind, id: string) => `${kind}\t${id}`;

/** The last UTC midnight: history ends there so every interval written is over. */
export const lastMidnightMs = (nowMs = Date.now()) => Math.floor(nowMs / DAY_MS) * DAY_MS;

/** The days of [endMs - days, endMs) that hold no readings yet, newest first. */
export async function missingHistoryDays(handle: DatabaseHandle, days: number, endMs = lastMidnightMs()): Promise<number[]> {
  const { rows } = await handle.pool.query<{ day: Date }>(
    `SELECT DISTINCT date_trunc('day', interval_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day
     FROM metering.demand_rollups WHERE scope_kind = $1 AND scope_id = '' AND interval_start >= $2 AND interval_start < $3`,
    [DemandScopeKind.Network, new Date(endMs - days * DAY_MS), new Date(endMs)],
  );
  const present = new Set(rows.map((row) => row.day.getTime()));
  return Array.from({ length: days }, (_, i) => endMs - (i + 1) * DAY_MS).filter((day) => !present.has(day));
}

/**
 * 15-minute readings of every metering point, DTC measurements of every secondary substation
 * consistent with the meters below it, and the demand rollups, one day per transaction. The days
 * must not hold readings yet (see missingHistoryDays). `onDay` reports progress.
 */
export async function writeHistory(handle: DatabaseHandle, parish: Parish, options: HistoryOptions, onDay?: (done: number, total: number) => void): Promise<void> {
  const days = options.dayStartsMs;
  if (days.length === 0) return;
  const points = parish.meteringPoints;
  // The rows' text columns hold the curve's closed sets (customer class, usage) by construction.
  const curvePoints = points.map((point): CurvePoint => ({ ...(point as CurvePoint), homeCharger: parish.homeChargers.get(point.id) }));
  const curves = createCurveGenerator(curvePoints, options.seed);
  const connectionOf = new Map(parish.connections.map((c) => [c.meteringPointId, c]));
  const substationOfFeeder = new Map(parish.feeders.map((f) => [f.id, f.secondarySubstationId]));
  const substations = parish.secondarySubstations;
  const pointIndex = new Map(points.map((point, i) => [point.id, i]));
  const heldOffAt = new Map<number, HeldOffLoad[]>();
  for (const load of options.heldOff ?? []) {
    const p = pointIndex.get(load.meteringPointId);
    if (p === undefined) throw new Error(`held-off load at ${load.meteringPointId}: no such metering point in the parish`);
    heldOffAt.set(p, [...(heldOffAt.get(p) ?? []), load]);
  }
  /** The reading less the loads held off in its interval: net consumption falls, into export once the import is gone. */
  const holdOff = (reading: IntervalReading, loads: readonly HeldOffLoad[], intervalStartMs: number) => {
    let wh = 0;
    // kW over an interval of INTERVAL_MS: kW × 1000 × INTERVAL_MS / 3,600,000 Wh.
    for (const load of loads) if (intervalStartMs >= load.startMs && intervalStartMs < load.endMs) wh += (load.kw * INTERVAL_MS) / 3_600;
    if (wh === 0) return;
    const net = reading.importWh - reading.exportWh - Math.round(wh);
    reading.importWh = Math.max(0, net);
    reading.exportWh = Math.max(0, -net);
  };
  const substationIndex = new Map(substations.map((s, i) => [s.id, i]));
  const primaryOf = new Map(substations.map((s) => [s.id, s.primarySubstationId]));
  const contractsOf = new Map<string, Parish['supplyContracts']>();
  for (const contract of parish.supplyContracts) contractsOf.set(contract.meteringPointId, [...(contractsOf.get(contract.meteringPointId) ?? []), contract]);
  const placement = points.map((point) => {
    const connection = connectionOf.get(point.id)!;
    const secondary = substationOfFeeder.get(connection.feederId)!;
    return {
      substation: substationIndex.get(secondary)!,
      phase: connection.phase as 'A' | 'B' | 'C' | 'ABC',
      areas: [
        rollupKey(DemandScopeKind.Network, ''),
        rollupKey(DemandScopeKind.PrimarySubstation, primaryOf.get(secondary)!),
        rollupKey(DemandScopeKind.SecondarySubstation, secondary),
        rollupKey(DemandScopeKind.Feeder, connection.feederId),
      ],
      contracts: (contractsOf.get(point.id) ?? []).map((c) => ({ fromMs: c.validFrom.getTime(), toMs: c.validTo?.getTime() ?? Infinity, scope: rollupKey(DemandScopeKind.Retailer, c.retailerId) })),
    };
  });

  await ensurePartitions(handle.pool, days);
  for (const [done, dayStartMs] of days.entries()) {
    if (options.signal?.aborted) return;
    // Per substation, interval and phase: the meters' net energy, for the DTC measurement.
    const phaseTotals: Triple[][] = substations.map(() => Array.from({ length: QUARTERS_PER_DAY }, (): Triple => [0, 0, 0]));
    const reading: IntervalReading = { importWh: 0, exportWh: 0 };
    // The demand rollups of the day, summed here as the readings are made: the same totals the
    // ingest path keeps, without a second pass over a million rows in SQL.
    const rollups = new Map<string, { importWh: number; exportWh: number; count: number }[]>();
    const addToRollup = (scope: string, q: number) => {
      let series = rollups.get(scope);
      if (!series) rollups.set(scope, (series = Array.from({ length: QUARTERS_PER_DAY }, () => ({ importWh: 0, exportWh: 0, count: 0 }))));
      const cell = series[q]!;
      cell.importWh += reading.importWh;
      cell.exportWh += reading.exportWh;
      cell.count += 1;
    };

    function* readingLines(): Generator<string> {
      for (let p = 0; p < points.length; p++) {
        const key = points[p]!.key;
        const { substation, phase, areas, contracts } = placement[p]!;
        const heldOff = heldOffAt.get(p);
        let chunk = '';
        for (let q = 0; q < QUARTERS_PER_DAY; q++) {
          const intervalStartMs = dayStartMs + q * INTERVAL_MS;
          curves.readingInto(p, intervalStartMs, reading);
          if (heldOff) holdOff(reading, heldOff, intervalStartMs);
          addToPhases(phaseTotals[substation]![q]!, phase, reading.importWh - reading.exportWh);
          for (const area of areas) addToRollup(area, q);
          const contract = contracts.find((c) => intervalStartMs >= c.fromMs && intervalStartMs < c.toMs);
          if (contract) addToRollup(contract.scope, q);
          chunk += `${key}\t${new Date(intervalStartMs).toISOString()}\t${reading.importWh}\t${reading.exportWh}\t0\t0\n`;
        }
        yield chunk;
      }
    }

    function* rollupLines(): Generator<string> {
      for (const [scope, series] of rollups) {
        let chunk = '';
        series.forEach((cell, q) => {
          if (cell.count > 0) chunk += `${scope}\t${new Date(dayStartMs + q * INTERVAL_MS).toISOString()}\t${cell.importWh}\t${cell.exportWh}\t${cell.count}\n`;
        });
        yield chunk;
      }
    }

    function* measurementLines(): Generator<string> {
      for (let s = 0; s < substations.length; s++) {
        const substation = substations[s]!;
        let chunk = '';
        for (let q = 0; q < QUARTERS_PER_DAY; q++) {
          const intervalStartMs = dayStartMs + q * INTERVAL_MS;
          const m = substationMeasurement({ ratedPowerKva: substation.ratedPowerKva, phaseEnergyWh: phaseTotals[s]![q]!, key: s + 1, intervalStartMs }, options.seed);
          chunk += [substation.id, new Date(intervalStartMs).toISOString(), ...m.activePowerKw, ...m.reactivePowerKvar, ...m.voltageV].join('\t') + '\n';
        }
        yield chunk;
      }
    }

    const client = await handle.pool.connect();
    try {
      await client.query('BEGIN');
      await lockReadings(client);
      await pipeline(
        Readable.from(readingLines()),
        client.query(copyFrom('COPY metering.readings (metering_point_key, interval_start, import_wh, export_wh, quality, revision) FROM STDIN')),
      );
      await pipeline(
        Readable.from(measurementLines()),
        client.query(
          copyFrom(`COPY metering.substation_measurements (secondary_substation_id, interval_start,
            active_power_a_kw, active_power_b_kw, active_power_c_kw, reactive_power_a_kvar, reactive_power_b_kvar, reactive_power_c_kvar,
            voltage_a_v, voltage_b_v, voltage_c_v) FROM STDIN`),
        ),
      );
      await pipeline(
        Readable.from(rollupLines()),
        client.query(copyFrom('COPY metering.demand_rollups (scope_kind, scope_id, interval_start, import_wh, export_wh, reading_count) FROM STDIN')),
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    onDay?.(done + 1, days.length);
  }
}

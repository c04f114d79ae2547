import { sql } from 'drizzle-orm';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';
import type { CurveWindow } from './demand.rules';
import type { MeasurementRow } from './measurement.rules';
import { Phase, type SubstationMeasurement } from './measurement.type';

interface Row extends Record<string, unknown> {
  secondary_substation_id: string;
  interval_start: string;
  active_power_a_kw: number;
  active_power_b_kw: number;
  active_power_c_kw: number;
  reactive_power_a_kvar: number;
  reactive_power_b_kvar: number;
  reactive_power_c_kvar: number;
  voltage_a_v: number;
  voltage_b_v: number;
  voltage_c_v: number;
}

const toMeasurement = (row: Row): SubstationMeasurement => ({
  intervalStart: new Date(row.interval_start),
  phases: [
    { phase: Phase.A, activePowerKw: row.active_power_a_kw, reactivePowerKvar: row.reactive_power_a_kvar, voltageV: row.voltage_a_v },
    { phase: Phase.B, activePowerKw: row.active_power_b_kw, reactivePowerKvar: row.reactive_power_b_kvar, voltageV: row.voltage_b_v },
    { phase: Phase.C, activePowerKw: row.active_power_c_kw, reactivePowerKvar: row.reactive_power_c_kvar, voltageV: row.voltage_c_v },
  ],
});

export class MeasurementRepo {
  constructor(private readonly db: Database) {}

  /** Measurements of many substations over one window, in one statement. */
  async forSubstations(ids: readonly string[], window: CurveWindow): Promise<Map<string, SubstationMeasurement[]>> {
    const result = await this.db.execute<Row>(sql`
      SELECT * FROM metering.substation_measurements
      WHERE ${anyText(sql.raw('secondary_substation_id'), ids)}
        AND interval_start >= ${new Date(window.fromMs)} AND interval_start < ${new Date(window.toMs)}
      ORDER BY secondary_substation_id, interval_start`);
    const byId = new Map<string, SubstationMeasurement[]>(ids.map((id) => [id, []]));
    for (const row of result.rows) byId.get(row.secondary_substation_id)?.push(toMeasurement(row));
    return byId;
  }

  /** Which of `ids` are secondary substations, from grid's published view. */
  async knownSubstations(ids: readonly string[]): Promise<Set<string>> {
    const result = await this.db.execute<{ id: string }>(sql`
      SELECT secondary_substation_id AS id FROM grid.substations_v WHERE ${anyText(sql.raw('secondary_substation_id'), ids)}`);
    return new Set(result.rows.map((row) => row.id));
  }

  /** Upserts a validated batch in one statement, with an audit line when anything changed; returns how many rows were new or changed. */
  async upsert(rows: readonly MeasurementRow[], actor: Actor): Promise<number> {
    const column = (phase: number, pick: (p: MeasurementRow['phases'][number]) => number) => sql.param(rows.map((row) => pick(row.phases[phase]!)));
    return this.db.transaction(async (tx) => {
      const result = await tx.execute(sql`
      INSERT INTO metering.substation_measurements AS m (secondary_substation_id, interval_start,
        active_power_a_kw, active_power_b_kw, active_power_c_kw, reactive_power_a_kvar, reactive_power_b_kvar, reactive_power_c_kvar,
        voltage_a_v, voltage_b_v, voltage_c_v)
      SELECT * FROM unnest(${sql.param(rows.map((row) => row.secondarySubstationId))}::text[], ${sql.param(rows.map((row) => new Date(row.intervalStartMs)))}::timestamptz[],
        ${column(0, (p) => p.activePowerKw)}::real[], ${column(1, (p) => p.activePowerKw)}::real[], ${column(2, (p) => p.activePowerKw)}::real[],
        ${column(0, (p) => p.reactivePowerKvar)}::real[], ${column(1, (p) => p.reactivePowerKvar)}::real[], ${column(2, (p) => p.reactivePowerKvar)}::real[],
        ${column(0, (p) => p.voltageV)}::real[], ${column(1, (p) => p.voltageV)}::real[], ${column(2, (p) => p.voltageV)}::real[])
      ON CONFLICT (secondary_substation_id, interval_start) DO UPDATE SET
        active_power_a_kw = excluded.active_power_a_kw, active_power_b_kw = excluded.active_power_b_kw, active_power_c_kw = excluded.active_power_c_kw,
        reactive_power_a_kvar = excluded.reactive_power_a_kvar, reactive_power_b_kvar = excluded.reactive_power_b_kvar, reactive_power_c_kvar = excluded.reactive_power_c_kvar,
        voltage_a_v = excluded.voltage_a_v, voltage_b_v = excluded.voltage_b_v, voltage_c_v = excluded.voltage_c_v
      WHERE (m.active_power_a_kw, m.active_power_b_kw, m.active_power_c_kw, m.reactive_power_a_kvar, m.reactive_power_b_kvar, m.reactive_power_c_kvar, m.voltage_a_v, m.voltage_b_v, m.voltage_c_v)
        IS DISTINCT FROM (excluded.active_power_a_kw, excluded.active_power_b_kw, excluded.active_power_c_kw, excluded.reactive_power_a_kvar, excluded.reactive_power_b_kvar, excluded.reactive_power_c_kvar, excluded.voltage_a_v, excluded.voltage_b_v, excluded.voltage_c_v)`);
      const written = result.rowCount ?? 0;
      // A batch of repeats changed nothing: nothing to audit.
      if (written > 0) await recordMutation(tx, actor, 'ingestSubstationMeasurements', `${rows.length} measurements`, `${written} new or changed DTC measurements`);
      return written;
    });
  }
}

import type { RejectedRow } from '../../schema/errors';
import { INTERVAL_MS, REJECT_REASONS } from './reading.rules';

export const MAX_BATCH_MEASUREMENTS = 10_000;
/** Anything outside is a broken sensor or a unit error (kV, mV), not an LV voltage. */
export const VOLTAGE_RANGE_V = [0, 500] as const;
/** A secondary substation's transformer is at most a few MVA: beyond, a unit error (W for kW). */
export const MAX_POWER_PER_PHASE = 100_000;

export interface MeasurementRow {
  secondarySubstationId: string;
  intervalStartMs: number;
  phases: { activePowerKw: number; reactivePowerKvar: number; voltageV: number }[];
}

/** Every invalid DTC measurement of a batch, by index; `isKnownSubstation` says which exist. */
export function measurementRejections(rows: readonly MeasurementRow[], nowMs: number, isKnownSubstation: (id: string) => boolean): RejectedRow[] {
  const seen = new Set<string>();
  const rejected: RejectedRow[] = [];
  rows.forEach((row, index) => {
    const key = `${row.secondarySubstationId}\u0000${row.intervalStartMs}`;
    let reason: string | null = null;
    if (!isKnownSubstation(row.secondarySubstationId)) reason = 'unknown secondary substation';
    else if (row.intervalStartMs % INTERVAL_MS !== 0) reason = REJECT_REASONS.misaligned;
    else if (row.intervalStartMs + INTERVAL_MS > nowMs) reason = REJECT_REASONS.future;
    else if (row.phases.length !== 3) reason = 'exactly three phases (A, B, C) are required';
    else if (row.phases.some((p) => ![p.activePowerKw, p.reactivePowerKvar, p.voltageV].every(Number.isFinite))) reason = 'values must be finite numbers';
    else if (row.phases.some((p) => p.voltageV < VOLTAGE_RANGE_V[0] || p.voltageV > VOLTAGE_RANGE_V[1])) reason = `voltage outside ${VOLTAGE_RANGE_V[0]}-${VOLTAGE_RANGE_V[1]} V`;
    else if (row.phases.some((p) => Math.abs(p.activePowerKw) > MAX_POWER_PER_PHASE || Math.abs(p.reactivePowerKvar) > MAX_POWER_PER_PHASE)) reason = `power beyond ±${MAX_POWER_PER_PHASE} kW (kvar) per phase`;
    else if (seen.has(key)) reason = REJECT_REASONS.duplicate;
    seen.add(key);
    if (reason) rejected.push({ index, reason });
  });
  return rejected;
}

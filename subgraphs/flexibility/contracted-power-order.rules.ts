/** Pure rules of emergency contracted-power orders. */
import { parseArea, type AreaFields } from '../kit/area.rules';

export interface OrderDraft {
  area: AreaFields;
  reductionPercent: number;
  startMs: number;
  expectedEndMs: number;
  reason: string;
}

export const MAX_REASON_LENGTH = 500;

/** Everything wrong with an order before the area is looked up; empty when it may be issued. */
export function orderProblems(draft: OrderDraft): string[] {
  const problems: string[] = [];
  if (!(draft.reductionPercent >= 1 && draft.reductionPercent <= 100)) problems.push('reductionPercent must be from 1 to 100');
  if (!Number.isFinite(draft.startMs) || !Number.isFinite(draft.expectedEndMs)) problems.push('start and expectedEnd must be valid times');
  else if (draft.expectedEndMs <= draft.startMs) problems.push('expectedEnd must be after start');
  const reason = draft.reason.trim();
  if (reason.length === 0 || reason.length > MAX_REASON_LENGTH) problems.push(`reason must be 1 to ${MAX_REASON_LENGTH} characters`);
  const area = parseArea(draft.area);
  if (typeof area === 'string') problems.push(area);
  return problems;
}

/**
 * The cap during the order. Contracted power is apparent power (kVA); the cap is stated in kW at
 * unity power factor, which is how the smart meter's power limiter compares it.
 */
export function temporaryMaxPowerKw(contractedPowerKva: number, reductionPercent: number): number {
  return Math.round(contractedPowerKva * (1 - reductionPercent / 100) * 1000) / 1000;
}

export type OrderStatusName = 'ISSUED' | 'ACTIVE' | 'RESTORED' | 'CANCELLED';

/** ACTIVE is not stored: an issued order is active from its start until restored. */
export function orderStatus(stored: string, startMs: number, nowMs: number): OrderStatusName {
  if (stored === 'ISSUED' && nowMs >= startMs) return 'ACTIVE';
  return stored as OrderStatusName;
}

export interface IntervalEnergy {
  intervalStartMs: number;
  importWh: number;
}

/** Average power over a quarter-hour, kW. */
const quarterHourKw = (importWh: number) => (importWh * 4) / 1000;

/**
 * Whether a point kept to its cap: the quarter-hours of the window whose average import power
 * exceeded it, and the highest average power seen.
 */
export function complianceOf(readings: readonly IntervalEnergy[], capKw: number): { intervalsAbove: number; maxObservedKw: number } {
  let intervalsAbove = 0;
  let maxObservedKw = 0;
  for (const reading of readings) {
    const kw = quarterHourKw(reading.importWh);
    if (kw > capKw) intervalsAbove++;
    if (kw > maxObservedKw) maxObservedKw = kw;
  }
  return { intervalsAbove, maxObservedKw };
}

/** Pure rules of emergency contracted-power orders. */

export interface AreaFields {
  primarySubstationId?: string | null;
  secondarySubstationIds?: string[] | null;
  feederIds?: string[] | null;
}

export type Area = { kind: 'primary'; id: string } | { kind: 'secondary'; ids: string[] } | { kind: 'feeders'; ids: string[] };

export interface OrderDraft {
  area: AreaFields;
  reductionPercent: number;
  startMs: number;
  expectedEndMs: number;
  reason: string;
}

export const MAX_AREA_IDS = 500;
export const MAX_REASON_LENGTH = 500;

/** The area, or what is wrong with it: exactly one way of naming it, with at least one id. */
export function parseArea(fields: AreaFields): Area | string {
  const named = [fields.primarySubstationId != null, fields.secondarySubstationIds != null, fields.feederIds != null].filter(Boolean).length;
  if (named !== 1) return 'name the area with exactly one of primarySubstationId, secondarySubstationIds, feederIds';
  if (fields.primarySubstationId != null) return fields.primarySubstationId ? { kind: 'primary', id: fields.primarySubstationId } : 'primarySubstationId is empty';
  const ids = [...new Set(fields.secondarySubstationIds ?? fields.feederIds ?? [])];
  if (ids.length === 0 || ids.length > MAX_AREA_IDS) return `the area must list 1 to ${MAX_AREA_IDS} ids`;
  return fields.secondarySubstationIds ? { kind: 'secondary', ids } : { kind: 'feeders', ids };
}

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

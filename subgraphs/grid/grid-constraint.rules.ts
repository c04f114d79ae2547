/** Pure rules of grid constraints: what may be declared, what a power-flow run may record, how severe each is. */
import type { GridAssetKind, GridConstraintKind, GridConstraintUnit } from '../../schema/grid-constraints';

export const SEVERITIES = ['WARNING', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The kinds the DSO declares; the others are found by power-flow runs only. */
export const OPERATOR_KINDS = ['PLANNED_MAINTENANCE', 'ASSET_FAILURE'] as const satisfies readonly GridConstraintKind[];
export type OperatorKind = (typeof OPERATOR_KINDS)[number];
export type PowerFlowKind = Exclude<GridConstraintKind, OperatorKind>;
export const isOperatorKind = (kind: GridConstraintKind): kind is OperatorKind => (OPERATOR_KINDS as readonly GridConstraintKind[]).includes(kind);

const DAY_MS = 86_400_000;
/** The longest window a query or a declaration may span. */
export const MAX_WINDOW_DAYS = 366;
export const MAX_DESCRIPTION_LENGTH = 500;
/** An operator's limit and value are loadings in % of the asset's rating; a loading above this is a typo. */
export const MAX_OPERATOR_PERCENT = 1_000;

/**
 * The units a power-flow finding may be stated in: loadings in % of the rating or as the current
 * or apparent power itself, voltages in volts or per unit, unbalance in % (negative- to
 * positive-sequence voltage).
 */
export const UNITS: Readonly<Record<PowerFlowKind, readonly GridConstraintUnit[]>> = {
  TRANSFORMER_OVERLOAD: ['PERCENT', 'KILOVOLT_AMPERE'],
  LINE_OVERLOAD: ['PERCENT', 'AMPERE'],
  UNDERVOLTAGE: ['VOLT', 'PER_UNIT'],
  OVERVOLTAGE: ['VOLT', 'PER_UNIT'],
  PHASE_UNBALANCE: ['PERCENT'],
};
/** The DSO states a declaration's limit (capacity left) and value (loading expected) in % of the asset's rating. */
export const OPERATOR_UNIT: GridConstraintUnit = 'PERCENT';

/**
 * Where CRITICAL begins, as a multiple of the limit (every unit above is proportional, so the
 * multiple holds in any of a kind's units):
 * - overloads: 120 % of the thermal limit, the short-time emergency loading DSOs commonly allow
 *   LV cables and distribution transformers;
 * - undervoltage: EN 50160's absolute floor of −15 %, i.e. 0.85 / 0.90 of the −10 % limit
 *   (195.5 V against 207 V);
 * - overvoltage: +15 %, i.e. 1.15 / 1.10 of the +10 % limit (264.5 V against 253 V), where
 *   EN 50549-1's stage-2 overvoltage protection disconnects generation at once;
 * - phase unbalance: 1.5 times the limit (3 % against EN 50160's 2 %, the level the standard
 *   says areas with many single-phase connections reach).
 */
export const CRITICAL_FACTOR: Readonly<Record<PowerFlowKind, number>> = {
  TRANSFORMER_OVERLOAD: 1.2,
  LINE_OVERLOAD: 1.2,
  UNDERVOLTAGE: 0.85 / 0.9,
  OVERVOLTAGE: 1.15 / 1.1,
  PHASE_UNBALANCE: 1.5,
};

/** Floating point: 207 × 0.85 / 0.9 is not exactly 195.5, and a value on a bound counts as reaching it. */
const RELATIVE_TOLERANCE = 1e-9;
const atLeast = (value: number, bound: number) => value >= bound - RELATIVE_TOLERANCE * Math.abs(bound);

/** Whether the value goes beyond the limit: below it for undervoltage, above it for the others. */
function beyond(kind: PowerFlowKind, limit: number, value: number): boolean {
  return kind === 'UNDERVOLTAGE' ? value < limit : value > limit;
}

/**
 * How bad a constraint is. An asset failure is CRITICAL; planned maintenance is CRITICAL when
 * the loading expected (value) exceeds the capacity left (limit), else WARNING. A power-flow
 * constraint is CRITICAL from CRITICAL_FACTOR × limit on (at or below it for undervoltage),
 * WARNING between the limit and there.
 */
export function severityOf(kind: GridConstraintKind, limit: number, value: number): Severity {
  switch (kind) {
    case 'ASSET_FAILURE':
      return 'CRITICAL';
    case 'PLANNED_MAINTENANCE':
      return value > limit ? 'CRITICAL' : 'WARNING';
    case 'UNDERVOLTAGE':
      return atLeast(limit * CRITICAL_FACTOR[kind], value) ? 'CRITICAL' : 'WARNING';
    default:
      return atLeast(value, limit * CRITICAL_FACTOR[kind]) ? 'CRITICAL' : 'WARNING';
  }
}

/** What is wrong with a query's window, or null: from before to, at most MAX_WINDOW_DAYS. */
export function windowProblem(fromMs: number, toMs: number): string | null {
  if (!(toMs > fromMs)) return 'to must be after from';
  if (toMs - fromMs > MAX_WINDOW_DAYS * DAY_MS) return `the window may span at most ${MAX_WINDOW_DAYS} days`;
  return null;
}

export interface Problem {
  /** The input field at fault, as the client named it. */
  field: string;
  message: string;
}

export interface DeclarationDraft {
  kind: GridConstraintKind;
  startMs: number;
  endMs: number;
  limit: number | null;
  value: number | null;
  description: string;
}

/** A declaration as stored: an operator's kind, limit and value defaulted, description trimmed. */
export interface Declaration {
  kind: OperatorKind;
  limit: number;
  value: number;
  description: string;
}

/** Capacity left when not given: the asset is out of service. */
export const DEFAULT_LIMIT_PERCENT = 0;
/** Loading expected when not given: not known. */
export const DEFAULT_VALUE_PERCENT = 0;

/** The declaration, or everything wrong with it, before the area is looked up. */
export function parseDeclaration(draft: DeclarationDraft): Declaration | Problem[] {
  const problems: Problem[] = [];
  const limit = draft.limit ?? DEFAULT_LIMIT_PERCENT;
  const value = draft.value ?? DEFAULT_VALUE_PERCENT;
  const description = draft.description.trim();
  const kind = isOperatorKind(draft.kind) ? draft.kind : null;
  if (!kind) problems.push({ field: 'kind', message: `kind must be one of ${OPERATOR_KINDS.join(', ')}: power-flow runs find the others` });
  if (!(draft.endMs > draft.startMs)) problems.push({ field: 'end', message: 'end must be after start' });
  else if (draft.endMs - draft.startMs > MAX_WINDOW_DAYS * DAY_MS) problems.push({ field: 'end', message: `a constraint may last at most ${MAX_WINDOW_DAYS} days` });
  if (!(limit >= 0 && limit <= 100)) problems.push({ field: 'limit', message: "limit is the capacity left, from 0 to 100 % of the asset's rating" });
  if (!(value >= 0 && value <= MAX_OPERATOR_PERCENT)) problems.push({ field: 'value', message: `value is the loading expected, from 0 to ${MAX_OPERATOR_PERCENT} % of the asset's rating` });
  if (description.length === 0 || description.length > MAX_DESCRIPTION_LENGTH) problems.push({ field: 'description', message: `description must be 1 to ${MAX_DESCRIPTION_LENGTH} characters` });
  return kind && problems.length === 0 ? { kind, limit, value, description } : problems;
}

/** The asset a declaration is on: the feeder when one is named, else the substation's transformer. */
export function declaredAsset(secondarySubstationId: string, feederId: string | null): { kind: GridAssetKind; id: string } {
  return feederId ? { kind: 'FEEDER', id: feederId } : { kind: 'TRANSFORMER', id: secondarySubstationId };
}

export interface PowerFlowFinding {
  kind: PowerFlowKind;
  startMs: number;
  endMs: number;
  limit: number;
  value: number;
  unit: GridConstraintUnit;
}

/** What is wrong with a power-flow run's finding (a bug in the run, not a user's input), or null. */
export function findingProblem(finding: PowerFlowFinding): string | null {
  if (!UNITS[finding.kind].includes(finding.unit)) return `${finding.kind} is stated in ${UNITS[finding.kind].join(' or ')}, not ${finding.unit}`;
  if (!(finding.endMs > finding.startMs)) return 'end must be after start';
  if (!Number.isFinite(finding.limit) || !Number.isFinite(finding.value)) return 'limit and value must be finite';
  if (!beyond(finding.kind, finding.limit, finding.value)) return `value ${finding.value} is not beyond limit ${finding.limit}: no ${finding.kind}`;
  return null;
}

const UNIT_SYMBOL: Readonly<Record<GridConstraintUnit, string>> = { PERCENT: ' %', PER_UNIT: ' pu', VOLT: ' V', AMPERE: ' A', KILOVOLT_AMPERE: ' kVA' };
const WHAT: Readonly<Record<PowerFlowKind, string>> = {
  TRANSFORMER_OVERLOAD: 'Transformer loading',
  LINE_OVERLOAD: 'Line loading',
  UNDERVOLTAGE: 'Voltage',
  OVERVOLTAGE: 'Voltage',
  PHASE_UNBALANCE: 'Voltage unbalance',
};

/** A power-flow finding in words, for its description: "Line loading 134.2 % above the limit of 100 %". */
export function describeFinding(kind: PowerFlowKind, limit: number, value: number, unit: GridConstraintUnit): string {
  const number = (x: number) => `${Number(x.toPrecision(4))}${UNIT_SYMBOL[unit]}`;
  return `${WHAT[kind]} ${number(value)} ${kind === 'UNDERVOLTAGE' ? 'below' : 'above'} the limit of ${number(limit)}`;
}

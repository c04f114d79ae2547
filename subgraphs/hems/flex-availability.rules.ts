/**
 * Available flexibility: per quarter-hour, how many kW the HEMS of a scope could take off the grid
 * and for how long, under every condition the customers set. Pure: the repo reads the candidate
 * loads in one statement (flex-availability.repo.ts), everything is decided here.
 *
 * A load (a device with the customer's conditions, hems.flexible_loads) contributes in the
 * quarter-hour [t, t + 15 min) when all of these hold:
 * - the device is controllable and of a reducible kind (REDUCIBLE_DEVICE_KINDS: curtailing a PV
 *   inverter adds load, it does not take it off);
 * - its present state (the newest report) is not FAULT, and its HEMS is online now: the present
 *   stands for the whole window, there being no better guess of a device's state tomorrow;
 * - the customer has not opted it out;
 * - t lies in the load's window in Lisbon local time (earliest start .. latest end, over midnight
 *   when the end is not after the start; equal is all day, a window without end);
 * - it can be held off from t for at least `minDurationMinutes` (15, the shortest useful shift,
 *   unless asked for longer), its hold being min(maxShift, window end − minRun − t): it must be
 *   able to run its minimum once let go before the window (the occurrence that contains t) ends;
 * - it is not already committed over the quarter-hour: a SHIFT or CURTAIL command to the device
 *   (or to its whole HEMS) that is SENT, ACKNOWLEDGED or EXECUTED, overlaps it, and was not
 *   ended before by a RESTORE of the same order, issued no earlier than it, to the device or to
 *   the whole HEMS (a RESTORE ends the commitment from its start).
 * What it contributes is its rated power (a battery's rated discharge power): the customer
 * declared the load, and no HEMS reports a forecast of what it would draw.
 *
 * Each quarter-hour is decided on its own: a load free in two quarter-hours is offered in both,
 * and what a caller may actually dispatch is the hold of each load from where it starts. A
 * quarter-hour's maxDurationMinutes is the longest hold among its loads.
 *
 * Who sees what (flexView): the DSO the totals of every HEMS in a feeder, a secondary substation
 * or a retailer's portfolio (the points the retailer supplies now), shared or not, never which
 * loads; a retailer or an aggregator only the HEMS shared with it (hems-access.sql.ts
 * mayViewHems) and the loads that make them up; a retailer's portfolio only to that retailer
 * (and the DSO); anyone else nothing.
 *
 * DST: local days of 23 and 25 hours have 92 and 100 quarter-hours. A window's start or end that
 * falls in the skipped spring hour is the jump; one in the repeated autumn hour is its first
 * occurrence, and the window stays open through the repetition (localTimeUtcMs).
 */
import { REDUCIBLE_DEVICE_KINDS, type DeviceKind, type DeviceState, type HemsCommandKind, type HemsCommandStatus } from '../../schema/hems';
import type { Role } from '../../schema/identity';
import { DAY_MS, MINUTE_MS, QUARTER_MS, lisbonOffsetMs, lisbonWallToUtcMs, summerTime } from '../kit/calendar';
import { TIME_RANGE_DAYS, timeInRange } from '../kit/time-range';
import type { FlexibleLoadConditions } from './flexible-load.rules';

/** A week of quarter-hours: the horizon offers are built for. */
export const MAX_FLEX_DAYS = 7;
export const MAX_FLEX_INTERVALS = (MAX_FLEX_DAYS * DAY_MS) / QUARTER_MS;
/** The shortest hold worth offering: one quarter-hour. */
export const MIN_HOLD_MINUTES = 15;
export const MAX_HOLD_MINUTES = DAY_MS / MINUTE_MS;
/** Commands that hold a device: the HEMS has it or was asked for it; REJECTED and EXPIRED hold nothing. */
export const COMMITTING_STATUSES: readonly HemsCommandStatus[] = ['SENT', 'ACKNOWLEDGED', 'EXECUTED'];

const MINUTES_PER_DAY = DAY_MS / MINUTE_MS;
const REDUCIBLE = new Set<DeviceKind>(REDUCIBLE_DEVICE_KINDS);

// ---------------------------------------------------------------------------------------------
// What is asked, and who asks

export type FlexScope = { kind: 'feeder'; id: string } | { kind: 'secondarySubstation'; id: string } | { kind: 'retailer'; id: string };

export interface FlexScopeFields {
  feederId?: string | null;
  secondarySubstationId?: string | null;
  retailerId?: string | null;
}

const SCOPE_FIELDS = { feederId: 'feeder', secondarySubstationId: 'secondarySubstation', retailerId: 'retailer' } as const;

/** The scope, or what is wrong with it: exactly one of its ids, not empty. */
export function parseFlexScope(fields: FlexScopeFields): FlexScope | string {
  const given = (Object.keys(SCOPE_FIELDS) as (keyof typeof SCOPE_FIELDS)[]).filter((field) => fields[field] != null);
  if (given.length !== 1) return 'give exactly one of feederId, secondarySubstationId, retailerId';
  const field = given[0]!;
  const id = fields[field]!;
  if (id === '') return `${field} is empty`;
  return { kind: SCOPE_FIELDS[field], id };
}

/** What is wrong with the window [fromMs, toMs), or null. */
export function flexWindowProblem(fromMs: number, toMs: number): string | null {
  if (!timeInRange(fromMs) || !timeInRange(toMs)) return `from and to must lie between ${TIME_RANGE_DAYS[0]} and ${TIME_RANGE_DAYS[1]}`;
  if (fromMs % QUARTER_MS !== 0 || toMs % QUARTER_MS !== 0) return 'from and to must be aligned to 15 minutes';
  if (toMs <= fromMs) return 'to must be after from';
  if ((toMs - fromMs) / QUARTER_MS > MAX_FLEX_INTERVALS) return `a window covers at most ${MAX_FLEX_DAYS} days (${MAX_FLEX_INTERVALS} quarter-hours)`;
  return null;
}

export function minDurationProblem(minutes: number): string | null {
  return Number.isInteger(minutes) && minutes >= MIN_HOLD_MINUTES && minutes <= MAX_HOLD_MINUTES ? null : `must be a whole number of minutes from ${MIN_HOLD_MINUTES} to ${MAX_HOLD_MINUTES}`;
}

/**
 * What the caller gets: `totals` counts every HEMS in the scope and names none (the DSO, which
 * plans the grid with it); `shared` counts only the HEMS shared with the caller, and lists the
 * loads that make it up (a retailer or an aggregator, which offers them). `forbidden`: why not.
 */
export type FlexView = 'totals' | 'shared';

export function flexView(caller: { role: Role; organisationId: string }, scope: FlexScope): FlexView | { forbidden: string } {
  switch (caller.role) {
    case 'dso':
      return 'totals';
    case 'retailer':
      return scope.kind === 'retailer' && scope.id !== caller.organisationId ? { forbidden: "A retailer's portfolio is for that retailer and the DSO" } : 'shared';
    case 'aggregator':
      return scope.kind === 'retailer' ? { forbidden: "A retailer's portfolio is for that retailer and the DSO; an aggregator asks by feeder or secondary substation" } : 'shared';
    default:
      return { forbidden: 'availableFlexibility is for the DSO (area and portfolio totals) and for retailers and aggregators (the HEMS shared with them)' };
  }
}

// ---------------------------------------------------------------------------------------------
// The candidates

/** A command to the load's HEMS: to one of its devices or, deviceId null, to the whole HEMS. */
export interface HemsCommandSpan {
  kind: HemsCommandKind;
  status: HemsCommandStatus;
  /** Null: the whole HEMS. */
  deviceId: string | null;
  orderId: string;
  startMs: number;
  endMs: number;
  issuedAtMs: number;
}

/** A device with the customer's conditions for it, with its HEMS's present state and commands. */
export interface CandidateLoad extends FlexibleLoadConditions {
  flexibleLoadId: string;
  hemsId: string;
  kind: DeviceKind;
  ratedPowerKw: number;
  controllable: boolean;
  state: DeviceState | null;
  hemsOnline: boolean;
  commands: readonly HemsCommandSpan[];
}

/** Whether the load may be offered at all, whatever the time. */
export function isOfferable(load: CandidateLoad): boolean {
  return load.controllable && REDUCIBLE.has(load.kind) && load.state !== 'FAULT' && load.hemsOnline && !load.optedOut && load.maxShiftMinutes >= MIN_HOLD_MINUTES;
}

/** What holding the load off takes off the grid: its rated power, a battery's rated discharge power. */
export const reductionKwOf = (load: Pick<CandidateLoad, 'ratedPowerKw'>): number => load.ratedPowerKw;

/** The spans [startMs, endMs) over which the device is committed by its HEMS's commands, RESTOREs applied. */
export function committedSpans(deviceId: string, commands: readonly HemsCommandSpan[]): [number, number][] {
  // Most loads have none: no closures for them (this runs once per load of a portfolio).
  if (commands.length === 0) return [];
  const applies = (command: HemsCommandSpan) => COMMITTING_STATUSES.includes(command.status) && (command.deviceId === null || command.deviceId === deviceId);
  const restores = commands.filter((command) => command.kind === 'RESTORE' && applies(command));
  const spans: [number, number][] = [];
  for (const command of commands) {
    if (command.kind === 'RESTORE' || !applies(command)) continue;
    let endMs = command.endMs;
    for (const restore of restores) {
      if (restore.orderId === command.orderId && restore.issuedAtMs >= command.issuedAtMs) endMs = Math.min(endMs, restore.startMs);
    }
    if (endMs > command.startMs) spans.push([command.startMs, endMs]);
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Local time

/**
 * The UTC instant the local clock first shows `minute` of `localDay`, or passes it: a time in the
 * skipped spring hour never shows, so a window starts or ends at the jump; one in the repeated
 * autumn hour is its first occurrence.
 */
export function localTimeUtcMs(localDay: number, minute: number): number {
  const wallMs = localDay * DAY_MS + minute * MINUTE_MS;
  const utcMs = lisbonWallToUtcMs(wallMs);
  return utcMs + lisbonOffsetMs(utcMs) === wallMs ? utcMs : summerTime(new Date(utcMs).getUTCFullYear())[0];
}

/** Local times as UTC instants by local day and minute, computed once per request: loads share a few windows. */
type LocalTimes = Map<number, number>;

function cachedLocalTime(times: LocalTimes, localDay: number, minute: number): number {
  const key = localDay * MINUTES_PER_DAY + minute;
  let utcMs = times.get(key);
  if (utcMs === undefined) times.set(key, (utcMs = localTimeUtcMs(localDay, minute)));
  return utcMs;
}

/**
 * The occurrences [startMs, endMs) of the load's window that reach into [fromMs, toMs): one per
 * local day, starting on the day it opens (the day before the window's, for one over midnight);
 * an all-day window is one occurrence without start or end.
 */
export function windowOccurrences(load: Pick<CandidateLoad, 'earliestStartMinute' | 'latestEndMinute'>, fromMs: number, toMs: number, times: LocalTimes = new Map()): [number, number][] {
  const start = load.earliestStartMinute;
  const end = load.latestEndMinute;
  if (start === end) return [[-Infinity, Infinity]];
  const overMidnight = end < start ? 1 : 0;
  const occurrences: [number, number][] = [];
  // Local days begin at most an hour before UTC days: a day either side of the window's covers every occurrence.
  for (let day = Math.floor(fromMs / DAY_MS) - 1; day <= Math.floor(toMs / DAY_MS) + 1; day++) {
    const startMs = cachedLocalTime(times, day, start);
    const endMs = cachedLocalTime(times, day + overMidnight, end);
    // A window inside the skipped spring hour does not open that day.
    if (startMs < toMs && endMs > fromMs && endMs > startMs) occurrences.push([startMs, endMs]);
  }
  return occurrences;
}

// ---------------------------------------------------------------------------------------------
// Per quarter-hour

export interface FlexLoadShare {
  hemsId: string;
  deviceId: string;
  flexibleLoadId: string;
  deviceKind: DeviceKind;
  priority: number;
  reductionKw: number;
  maxDurationMinutes: number;
}

export interface FlexPriorityShare {
  priority: number;
  reductionKw: number;
  hemsCount: number;
}

export interface FlexInterval {
  intervalStartMs: number;
  /** The sum of the contributing loads' reductions, to the watt. */
  reductionKw: number;
  /** HEMS with at least one contributing load. */
  hemsCount: number;
  loadCount: number;
  /** The longest hold of any contributing load from this quarter-hour; 0 when none contributes. */
  maxDurationMinutes: number;
  /** Per priority present, 1 (touched first) first. */
  byPriority: FlexPriorityShare[];
  /** The contributing loads, by priority, HEMS and device; null unless asked for. */
  loads: FlexLoadShare[] | null;
}

export interface FlexOptions {
  /** Only loads that can be held at least this long count (MIN_HOLD_MINUTES or more). */
  minDurationMinutes: number;
  /** Whether to list the contributing loads (for a caller that may see them). */
  listLoads: boolean;
}

const toWatt = (kw: number) => Math.round(kw * 1000) / 1000;

/** Running sums per quarter-hour of a window, for all loads or for one priority. */
class Tally {
  readonly reductionKw: Float64Array;
  readonly hemsCount: Int32Array;
  /** The last HEMS counted in each quarter-hour, by group number: its loads are visited together, so it counts once. */
  private readonly lastHems: Int32Array;

  constructor(count: number) {
    this.reductionKw = new Float64Array(count);
    this.hemsCount = new Int32Array(count);
    this.lastHems = new Int32Array(count).fill(-1);
  }

  add(i: number, kw: number, hemsGroup: number): void {
    this.reductionKw[i] += kw;
    if (this.lastHems[i] !== hemsGroup) {
      this.lastHems[i] = hemsGroup;
      this.hemsCount[i]!++;
    }
  }
}

/** Whether one of the spans overlaps [startMs, endMs). */
function overlapsAny(spans: readonly [number, number][], startMs: number, endMs: number): boolean {
  for (const [spanStartMs, spanEndMs] of spans) if (spanStartMs < endMs && spanEndMs > startMs) return true;
  return false;
}

/** The flexibility of `candidates` per quarter-hour of [fromMs, toMs) (a window flexWindowProblem accepts). */
export function availableFlexibility(candidates: readonly CandidateLoad[], window: { fromMs: number; toMs: number }, options: FlexOptions): FlexInterval[] {
  const { fromMs, toMs } = window;
  // Locals: the hot loop below runs once per load and quarter-hour, a portfolio's 20,000 loads included.
  const quarterMs = QUARTER_MS;
  const minuteMs = MINUTE_MS;
  const minDuration = options.minDurationMinutes;
  const count = (toMs - fromMs) / quarterMs;
  const times: LocalTimes = new Map();
  const total = new Tally(count);
  const loadCount = new Int32Array(count);
  const maxHold = new Int32Array(count);
  const byPriority = new Map<number, Tally>();
  const listed: FlexLoadShare[][] | null = options.listLoads ? Array.from({ length: count }, () => []) : null;

  const offered = candidates.filter(isOfferable).sort((a, b) => compare(a.hemsId, b.hemsId) || a.priority - b.priority || compare(a.deviceId, b.deviceId));
  let group = -1;
  let previousHems: string | null = null;
  for (const load of offered) {
    if (load.hemsId !== previousHems) {
      group++;
      previousHems = load.hemsId;
    }
    const spans = committedSpans(load.deviceId, load.commands);
    const kw = reductionKwOf(load);
    let priority = byPriority.get(load.priority);
    if (!priority) byPriority.set(load.priority, (priority = new Tally(count)));
    for (const [openMs, closeMs] of windowOccurrences(load, fromMs, toMs, times)) {
      // Quarter-hours starting inside the occurrence; the hold then keeps each one inside it.
      for (let i = Math.max(0, Math.ceil((openMs - fromMs) / quarterMs)); i < count; i++) {
        const startMs = fromMs + i * quarterMs;
        if (startMs >= closeMs) break;
        const hold = Math.min(load.maxShiftMinutes, (closeMs - startMs) / minuteMs - load.minRunMinutes);
        if (hold < minDuration || (spans.length > 0 && overlapsAny(spans, startMs, startMs + quarterMs))) continue;
        total.add(i, kw, group);
        priority.add(i, kw, group);
        loadCount[i]!++;
        if (hold > maxHold[i]!) maxHold[i] = hold;
        listed?.[i]!.push({ hemsId: load.hemsId, deviceId: load.deviceId, flexibleLoadId: load.flexibleLoadId, deviceKind: load.kind, priority: load.priority, reductionKw: kw, maxDurationMinutes: hold });
      }
    }
  }

  const priorities = [...byPriority].sort(([a], [b]) => a - b);
  return Array.from({ length: count }, (_, i) => ({
    intervalStartMs: fromMs + i * quarterMs,
    reductionKw: toWatt(total.reductionKw[i]!),
    hemsCount: total.hemsCount[i]!,
    loadCount: loadCount[i]!,
    maxDurationMinutes: maxHold[i]!,
    byPriority: priorities
      .filter(([, tally]) => tally.hemsCount[i]! > 0)
      .map(([priority, tally]) => ({ priority, reductionKw: toWatt(tally.reductionKw[i]!), hemsCount: tally.hemsCount[i]! })),
    loads: listed ? listed[i]!.sort((a, b) => a.priority - b.priority || compare(a.hemsId, b.hemsId) || compare(a.deviceId, b.deviceId)) : null,
  }));
}

/** The most contributions listed in one answer (every quarter-hour's loads together): about 10 MB of JSON. */
export const MAX_LISTED_LOADS = 50_000;

/** Why the loads of `intervals` cannot be listed in one answer, or null. */
export function listingProblem(intervals: readonly FlexInterval[]): string | null {
  const total = intervals.reduce((sum, interval) => sum + interval.loadCount, 0);
  return total <= MAX_LISTED_LOADS ? null : `listing the loads would give ${total} contributions, over ${MAX_LISTED_LOADS}: ask for a shorter window or a smaller scope, or leave out loads`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);


/** Pure rules of a customer's flexibility conditions: local-time windows, durations, priorities, which devices. */

export const MINUTES_PER_DAY = 1440;
/** A household has a handful of devices; a longer list is a client's mistake, not a house. */
export const MAX_FLEXIBLE_LOADS = 32;
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 99;

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of `HH:MM` (00:00 to 23:59, two digits each), or null. */
export function minuteOfDay(text: string): number | null {
  const match = HH_MM.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** `HH:MM` of a minute after local midnight (0..1439). */
export function formatMinuteOfDay(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** How long the window is: over midnight when the end is not after the start; equal is all day. */
export function windowMinutes(startMinute: number, endMinute: number): number {
  return endMinute > startMinute ? endMinute - startMinute : endMinute + MINUTES_PER_DAY - startMinute;
}

/** One load as the client sent it. */
export interface FlexibleLoadDraft {
  deviceId: string;
  earliestStart: string;
  latestEnd: string;
  maxShiftMinutes: number;
  minRunMinutes: number;
  priority: number;
  optedOut: boolean;
}

/** What the rules need of a device of the HEMS. */
export interface ConditionedDevice {
  controllable: boolean;
}

/** One load as stored: the window in minutes after local midnight. */
export interface FlexibleLoadConditions {
  deviceId: string;
  earliestStartMinute: number;
  latestEndMinute: number;
  maxShiftMinutes: number;
  minRunMinutes: number;
  priority: number;
  optedOut: boolean;
}

export interface Problem {
  /** The input at fault as the client named it: `loads[1].earliestStart`. */
  field: string;
  /** The load at fault; null for the set as a whole. */
  index: number | null;
  message: string;
}

const isDuration = (minutes: number) => Number.isInteger(minutes) && minutes >= 0 && minutes <= MINUTES_PER_DAY;

/**
 * The HEMS's whole new set of loads, or everything wrong with it. `devices` are the HEMS's own,
 * by id: a device of another HEMS is as unknown as one that does not exist.
 */
export function parseFlexibleLoads(drafts: readonly FlexibleLoadDraft[], devices: ReadonlyMap<string, ConditionedDevice>): { loads: FlexibleLoadConditions[]; problems: Problem[] } {
  const problems: Problem[] = [];
  if (drafts.length > MAX_FLEXIBLE_LOADS) problems.push({ field: 'loads', index: null, message: `at most ${MAX_FLEXIBLE_LOADS} loads` });
  const firstIndex = new Map<string, number>();
  const loads = drafts.map((draft, index): FlexibleLoadConditions => {
    const problem = (name: keyof FlexibleLoadDraft, message: string) => problems.push({ field: `loads[${index}].${name}`, index, message });
    const device = devices.get(draft.deviceId);
    const earlier = firstIndex.get(draft.deviceId);
    if (!device) problem('deviceId', `no device ${draft.deviceId} in this HEMS`);
    else if (!device.controllable) problem('deviceId', `device ${draft.deviceId} cannot be controlled by the HEMS`);
    if (earlier !== undefined) problem('deviceId', `device ${draft.deviceId} is already listed at loads[${earlier}]`);
    else firstIndex.set(draft.deviceId, index);
    const earliestStartMinute = minuteOfDay(draft.earliestStart);
    const latestEndMinute = minuteOfDay(draft.latestEnd);
    if (earliestStartMinute === null) problem('earliestStart', 'must be local time HH:MM, 00:00 to 23:59');
    if (latestEndMinute === null) problem('latestEnd', 'must be local time HH:MM, 00:00 to 23:59');
    if (!isDuration(draft.maxShiftMinutes)) problem('maxShiftMinutes', `must be a whole number of minutes from 0 to ${MINUTES_PER_DAY}`);
    if (!isDuration(draft.minRunMinutes)) problem('minRunMinutes', `must be a whole number of minutes from 0 to ${MINUTES_PER_DAY}`);
    else if (earliestStartMinute !== null && latestEndMinute !== null && draft.minRunMinutes > windowMinutes(earliestStartMinute, latestEndMinute)) {
      problem('minRunMinutes', `${draft.minRunMinutes} minutes do not fit in the window ${draft.earliestStart}–${draft.latestEnd} (${windowMinutes(earliestStartMinute, latestEndMinute)} minutes)`);
    }
    if (!(Number.isInteger(draft.priority) && draft.priority >= MIN_PRIORITY && draft.priority <= MAX_PRIORITY)) problem('priority', `must be from ${MIN_PRIORITY} (touched first) to ${MAX_PRIORITY}`);
    const { deviceId, maxShiftMinutes, minRunMinutes, priority, optedOut } = draft;
    // A window that did not parse is already a problem: the load is not returned then.
    return { deviceId, earliestStartMinute: earliestStartMinute ?? 0, latestEndMinute: latestEndMinute ?? 0, maxShiftMinutes, minRunMinutes, priority, optedOut };
  });
  return { loads: problems.length > 0 ? [] : loads, problems };
}

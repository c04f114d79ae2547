import fc from 'fast-check';
import { DEVICE_KINDS, DEVICE_STATES, HEMS_COMMAND_STATUSES } from '../../schema/hems';
import { HOUR_MS, MINUTE_MS, QUARTER_MS, epochDay, lisbonMidnightUtcMs, lisbonWallToUtcMs, quartersInLocalDay } from '../kit/calendar';
import {
  MAX_FLEX_INTERVALS,
  MAX_LISTED_LOADS,
  availableFlexibility,
  committedSpans,
  flexView,
  flexWindowProblem,
  listingProblem,
  localTimeUtcMs,
  minDurationProblem,
  parseFlexScope,
  windowOccurrences,
  type CandidateLoad,
  type FlexInterval,
  type HemsCommandSpan,
} from './flex-availability.rules';

/** Lisbon wall-clock time as a UTC instant (June: UTC+1). */
const local = (year: number, month: number, day: number, hour: number, minute = 0) => lisbonWallToUtcMs(Date.UTC(year, month - 1, day, hour, minute));
const hhmm = (hour: number, minute = 0) => hour * 60 + minute;

function load(overrides: Partial<CandidateLoad> = {}): CandidateLoad {
  return {
    flexibleLoadId: 'FL-H1-D1',
    hemsId: 'H1',
    deviceId: 'H1-D1',
    kind: 'EV_CHARGER',
    ratedPowerKw: 7.4,
    controllable: true,
    state: 'ON',
    hemsOnline: true,
    earliestStartMinute: hhmm(18),
    latestEndMinute: hhmm(7),
    maxShiftMinutes: 240,
    minRunMinutes: 60,
    priority: 1,
    optedOut: false,
    commands: [],
    ...overrides,
  };
}

function command(overrides: Partial<HemsCommandSpan> = {}): HemsCommandSpan {
  return {
    kind: 'SHIFT',
    status: 'SENT',
    deviceId: 'H1-D1',
    orderId: 'order-1',
    startMs: local(2025, 6, 10, 19),
    endMs: local(2025, 6, 10, 20),
    issuedAtMs: local(2025, 6, 10, 12),
    ...overrides,
  };
}

const TOTALS = { minDurationMinutes: 15, listLoads: false };
const LISTED = { minDurationMinutes: 15, listLoads: true };

/** A June evening and night, 17:00 to 07:00 local. */
const EVENING = { fromMs: local(2025, 6, 10, 17), toMs: local(2025, 6, 11, 7) };

const at = (intervals: readonly FlexInterval[], ms: number) => intervals.find((interval) => interval.intervalStartMs === ms)!;
/** Local start times (HH:MM) of the quarter-hours with something to offer. */
const offeredStarts = (intervals: readonly FlexInterval[]) =>
  intervals.filter((interval) => interval.loadCount > 0).map((interval) => new Date(interval.intervalStartMs + HOUR_MS).toISOString().slice(11, 16));

describe('availableFlexibility: windows', () => {
  it('offers a window over midnight from its start to the last quarter-hour that leaves its minimum run', () => {
    const intervals = availableFlexibility([load({ earliestStartMinute: hhmm(22), latestEndMinute: hhmm(2), minRunMinutes: 0 })], EVENING, TOTALS);
    const starts = offeredStarts(intervals);
    expect(starts).toHaveLength(16);
    expect(starts[0]).toBe('22:00');
    expect(starts.at(-1)).toBe('01:45');
    expect(at(intervals, local(2025, 6, 10, 22)).maxDurationMinutes).toBe(240);
    expect(at(intervals, local(2025, 6, 11, 0)).maxDurationMinutes).toBe(120);
    expect(at(intervals, local(2025, 6, 11, 1, 45)).maxDurationMinutes).toBe(15);
  });

  it('stops offering a load a quarter-hour plus its minimum run before the window ends', () => {
    const heater = load({ kind: 'WATER_HEATER', ratedPowerKw: 2, earliestStartMinute: hhmm(17), latestEndMinute: hhmm(23), maxShiftMinutes: 120, minRunMinutes: 30 });
    const intervals = availableFlexibility([heater], EVENING, TOTALS);
    expect(offeredStarts(intervals).at(-1)).toBe('22:15');
    expect(at(intervals, local(2025, 6, 10, 22, 15)).maxDurationMinutes).toBe(15);
    // Held from 20:00 it could wait 150 minutes before its last run, but the customer allows 120.
    expect(at(intervals, local(2025, 6, 10, 20)).maxDurationMinutes).toBe(120);
    expect(at(intervals, local(2025, 6, 10, 21, 30)).maxDurationMinutes).toBe(60);
  });

  it('counts only loads that can be held at least minDurationMinutes', () => {
    const heater = load({ earliestStartMinute: hhmm(17), latestEndMinute: hhmm(23), maxShiftMinutes: 120, minRunMinutes: 30 });
    expect(offeredStarts(availableFlexibility([heater], EVENING, { ...TOTALS, minDurationMinutes: 60 })).at(-1)).toBe('21:30');
    expect(offeredStarts(availableFlexibility([heater], EVENING, { ...TOTALS, minDurationMinutes: 121 }))).toEqual([]);
  });

  it('never offers a load whose longest shift is under a quarter-hour', () => {
    expect(offeredStarts(availableFlexibility([load({ maxShiftMinutes: 14 })], EVENING, TOTALS))).toEqual([]);
  });

  it('starts at the first whole quarter-hour inside a window that starts off the quarter', () => {
    const intervals = availableFlexibility([load({ earliestStartMinute: hhmm(17, 50), latestEndMinute: hhmm(19), minRunMinutes: 0 })], EVENING, TOTALS);
    expect(offeredStarts(intervals)).toEqual(['18:00', '18:15', '18:30', '18:45']);
  });

  it('finds the window of a local day that starts before its UTC day, at the end of the asked window', () => {
    const afterMidnight = load({ earliestStartMinute: 0, latestEndMinute: hhmm(6), minRunMinutes: 0 });
    const intervals = availableFlexibility([afterMidnight], { fromMs: local(2025, 6, 10, 23), toMs: local(2025, 6, 11, 0, 45) }, TOTALS);
    expect(offeredStarts(intervals)).toEqual(['00:00', '00:15', '00:30']);
  });

  it('offers an all-day window (start equal to end) in every quarter-hour, held for its longest shift', () => {
    const intervals = availableFlexibility([load({ earliestStartMinute: hhmm(8), latestEndMinute: hhmm(8), maxShiftMinutes: 45, minRunMinutes: 600 })], EVENING, TOTALS);
    expect(intervals.every((interval) => interval.loadCount === 1 && interval.maxDurationMinutes === 45)).toBe(true);
  });
});

describe('availableFlexibility: summer time', () => {
  const day = (year: number, month: number, date: number) => {
    const localDay = epochDay(year, month, date);
    return { fromMs: lisbonMidnightUtcMs(localDay), toMs: lisbonMidnightUtcMs(localDay + 1) };
  };
  const allDay = load({ earliestStartMinute: 0, latestEndMinute: 0 });

  it('has 92 quarter-hours on the spring day and 100 on the autumn day, each offered by an all-day window', () => {
    const spring = availableFlexibility([allDay], day(2025, 3, 30), TOTALS);
    const autumn = availableFlexibility([allDay], day(2025, 10, 26), TOTALS);
    expect(spring).toHaveLength(92);
    expect(autumn).toHaveLength(100);
    expect(spring.every((interval) => interval.loadCount === 1)).toBe(true);
    expect(autumn.every((interval) => interval.loadCount === 1)).toBe(true);
  });

  it('offers a night window for the hours the clock really runs: 7 h in spring, 9 h in autumn, 8 h otherwise', () => {
    const night = load({ earliestStartMinute: hhmm(22), latestEndMinute: hhmm(6), minRunMinutes: 0, maxShiftMinutes: 600 });
    const nightOf = (year: number, month: number, date: number) => ({ fromMs: local(year, month, date, 20), toMs: local(year, month, date + 1, 8) });
    const offered = (window: { fromMs: number; toMs: number }) => availableFlexibility([night], window, TOTALS).filter((interval) => interval.loadCount > 0);
    expect(offered(nightOf(2025, 3, 29))).toHaveLength(28);
    expect(offered(nightOf(2025, 10, 25))).toHaveLength(36);
    expect(offered(nightOf(2025, 6, 10))).toHaveLength(32);
    // Held from its start, it could wait until the window's end: 7 hours that spring night.
    expect(offered(nightOf(2025, 3, 29))[0]!.maxDurationMinutes).toBe(420);
  });

  it('ends a window whose end falls in the skipped spring hour when the clock jumps past it', () => {
    expect(localTimeUtcMs(epochDay(2025, 3, 30), hhmm(1, 30))).toBe(Date.UTC(2025, 2, 30, 1));
    const night = load({ earliestStartMinute: hhmm(22), latestEndMinute: hhmm(1, 30), minRunMinutes: 0 });
    const intervals = availableFlexibility([night], { fromMs: local(2025, 3, 29, 20), toMs: local(2025, 3, 30, 8) }, TOTALS);
    const offered = intervals.filter((interval) => interval.loadCount > 0);
    expect(offered).toHaveLength(12);
    expect(offered.at(-1)!.intervalStartMs).toBe(Date.UTC(2025, 2, 30, 0, 45));
  });

  it('keeps a window that starts in the repeated autumn hour open through the repetition', () => {
    const window = load({ earliestStartMinute: hhmm(1, 30), latestEndMinute: hhmm(3), minRunMinutes: 0 });
    expect(windowOccurrences(window, Date.UTC(2025, 9, 25, 23), Date.UTC(2025, 9, 26, 6))).toEqual([[Date.UTC(2025, 9, 26, 0, 30), Date.UTC(2025, 9, 26, 3)]]);
    const offered = availableFlexibility([window], { fromMs: Date.UTC(2025, 9, 25, 23), toMs: Date.UTC(2025, 9, 26, 6) }, TOTALS).filter((interval) => interval.loadCount > 0);
    expect(offered).toHaveLength(10);
  });
});

describe('availableFlexibility: which loads', () => {
  const window = { fromMs: local(2025, 6, 10, 19), toMs: local(2025, 6, 10, 19, 15) };
  const only = (candidate: CandidateLoad) => availableFlexibility([candidate], window, TOTALS)[0]!;

  it('takes each load at its rated power, a battery at its rated discharge power', () => {
    expect(only(load()).reductionKw).toBe(7.4);
    expect(only(load({ kind: 'BATTERY', ratedPowerKw: 5 })).reductionKw).toBe(5);
  });

  it('offers no PV inverter: curtailing it adds load', () => {
    expect(only(load({ kind: 'PV_INVERTER', ratedPowerKw: 3 })).loadCount).toBe(0);
  });

  it('leaves out a load opted out, a device in FAULT or not controllable, and every load of a HEMS offline', () => {
    expect(only(load({ optedOut: true })).loadCount).toBe(0);
    expect(only(load({ state: 'FAULT' })).loadCount).toBe(0);
    expect(only(load({ controllable: false })).loadCount).toBe(0);
    expect(only(load({ hemsOnline: false })).loadCount).toBe(0);
  });

  it('offers a device off, on standby or not yet reported', () => {
    for (const state of ['OFF', 'STANDBY', null] as const) expect(only(load({ state })).loadCount).toBe(1);
  });

  it('counts a HEMS once however many of its loads contribute, and sums to the watt', () => {
    const candidates = [
      load({ deviceId: 'H1-D1', ratedPowerKw: 0.1 }),
      load({ deviceId: 'H1-D2', ratedPowerKw: 0.2, priority: 2 }),
      load({ hemsId: 'H2', deviceId: 'H2-D1', ratedPowerKw: 3.7 }),
    ];
    const interval = availableFlexibility(candidates, window, TOTALS)[0]!;
    expect(interval).toMatchObject({ reductionKw: 4, hemsCount: 2, loadCount: 3 });
  });

  it('splits the reduction by priority, 1 first, and lists the loads by priority for a caller that may see them', () => {
    const candidates = [
      load({ hemsId: 'H2', deviceId: 'H2-D1', flexibleLoadId: 'FL-H2-D1', kind: 'WATER_HEATER', ratedPowerKw: 2, priority: 2, earliestStartMinute: hhmm(17), latestEndMinute: hhmm(23), maxShiftMinutes: 120, minRunMinutes: 30 }),
      load(),
      load({ hemsId: 'H2', deviceId: 'H2-D2', flexibleLoadId: 'FL-H2-D2', ratedPowerKw: 3.7 }),
    ];
    const interval = availableFlexibility(candidates, window, LISTED)[0]!;
    expect(interval.byPriority).toEqual([
      { priority: 1, reductionKw: 11.1, hemsCount: 2 },
      { priority: 2, reductionKw: 2, hemsCount: 1 },
    ]);
    expect(interval.loads!.map((share) => [share.deviceId, share.priority, share.maxDurationMinutes])).toEqual([
      ['H1-D1', 1, 240],
      ['H2-D2', 1, 240],
      ['H2-D1', 2, 120],
    ]);
    expect(interval.maxDurationMinutes).toBe(240);
    expect(availableFlexibility(candidates, window, TOTALS)[0]!.loads).toBeNull();
  });
});

describe('availableFlexibility: loads already committed', () => {
  const window = { fromMs: local(2025, 6, 10, 18), toMs: local(2025, 6, 10, 21) };
  const offered = (commands: HemsCommandSpan[], candidate: Partial<CandidateLoad> = {}) => offeredStarts(availableFlexibility([load({ commands, ...candidate })], window, TOTALS));
  const evening = ['18:00', '18:15', '18:30', '18:45', '19:00', '19:15', '19:30', '19:45', '20:00', '20:15', '20:30', '20:45'];

  it('leaves out the quarter-hours a SENT, ACKNOWLEDGED or EXECUTED SHIFT or CURTAIL of the device overlaps', () => {
    for (const status of ['SENT', 'ACKNOWLEDGED', 'EXECUTED'] as const) {
      expect(offered([command({ status })])).toEqual(['18:00', '18:15', '18:30', '18:45', '20:00', '20:15', '20:30', '20:45']);
    }
    expect(offered([command({ kind: 'CURTAIL', startMs: local(2025, 6, 10, 18, 50), endMs: local(2025, 6, 10, 19, 5) })])).toEqual(evening.filter((s) => s !== '18:45' && s !== '19:00'));
  });

  it('ignores commands REJECTED or EXPIRED, and those to another device', () => {
    expect(offered([command({ status: 'REJECTED' }), command({ status: 'EXPIRED' }), command({ deviceId: 'H1-D2' })])).toEqual(evening);
  });

  it('holds every device of the HEMS under a command to the whole HEMS', () => {
    expect(offered([command({ kind: 'CURTAIL', deviceId: null })], { deviceId: 'H1-D7' })).toHaveLength(8);
  });

  it('frees the device from the start of a later RESTORE of the same order, to it or to the whole HEMS', () => {
    const restoreAt = (deviceId: string | null) => command({ kind: 'RESTORE', deviceId, startMs: local(2025, 6, 10, 19, 30), endMs: local(2025, 6, 10, 19, 31), issuedAtMs: local(2025, 6, 10, 19, 29) });
    const freed = evening.filter((s) => s !== '19:00' && s !== '19:15');
    expect(offered([command(), restoreAt('H1-D1')])).toEqual(freed);
    expect(offered([command(), restoreAt(null)])).toEqual(freed);
  });

  it('keeps the commitment under a RESTORE of another order, one issued before it, or one to another device', () => {
    const restore = command({ kind: 'RESTORE', startMs: local(2025, 6, 10, 18), issuedAtMs: local(2025, 6, 10, 13) });
    expect(committedSpans('H1-D1', [command(), { ...restore, orderId: 'order-2' }])).toHaveLength(1);
    expect(committedSpans('H1-D1', [command(), { ...restore, issuedAtMs: local(2025, 6, 10, 11) }])).toHaveLength(1);
    expect(committedSpans('H1-D1', [command({ deviceId: null }), { ...restore, deviceId: 'H1-D2' }])).toHaveLength(1);
    expect(committedSpans('H1-D1', [command(), restore])).toEqual([]);
  });

  it('takes a RESTORE issued with the command, in one batch, as later', () => {
    const restore = command({ kind: 'RESTORE', startMs: local(2025, 6, 10, 19, 30) });
    expect(committedSpans('H1-D1', [command(), restore])).toEqual([[local(2025, 6, 10, 19), local(2025, 6, 10, 19, 30)]]);
  });

  it('does not take a REJECTED RESTORE as freeing the device', () => {
    const restore = command({ kind: 'RESTORE', status: 'REJECTED', startMs: local(2025, 6, 10, 18), issuedAtMs: local(2025, 6, 10, 13) });
    expect(committedSpans('H1-D1', [command(), restore])).toEqual([[local(2025, 6, 10, 19), local(2025, 6, 10, 20)]]);
  });
});

describe('what is asked, and who asks', () => {
  it('takes exactly one of the scope ids', () => {
    expect(parseFlexScope({ secondarySubstationId: 'PT0407' })).toEqual({ kind: 'secondarySubstation', id: 'PT0407' });
    expect(parseFlexScope({ feederId: 'F1', retailerId: null })).toEqual({ kind: 'feeder', id: 'F1' });
    expect(parseFlexScope({})).toMatch(/exactly one/);
    expect(parseFlexScope({ feederId: 'F1', retailerId: 'ret-a' })).toMatch(/exactly one/);
    expect(parseFlexScope({ retailerId: '' })).toBe('retailerId is empty');
  });

  it('takes a quarter-hour aligned window of at most 7 days', () => {
    const from = Date.UTC(2025, 5, 10, 17);
    expect(flexWindowProblem(from, from + MAX_FLEX_INTERVALS * QUARTER_MS)).toBeNull();
    expect(flexWindowProblem(from, from + (MAX_FLEX_INTERVALS + 1) * QUARTER_MS)).toMatch(/at most 7 days \(672 quarter-hours\)/);
    expect(flexWindowProblem(from + MINUTE_MS, from + HOUR_MS)).toMatch(/aligned/);
    expect(flexWindowProblem(from, from)).toMatch(/after/);
    expect(flexWindowProblem(Date.UTC(1999, 0, 1), from)).toMatch(/between 2000-01-01/);
    expect(minDurationProblem(15)).toBeNull();
    expect(minDurationProblem(14)).toMatch(/from 15 to 1440/);
    expect(minDurationProblem(30.5)).toMatch(/whole number/);
  });

  it('gives the DSO totals of any scope, a retailer or aggregator what is shared with it, and nobody else anything', () => {
    const area = { kind: 'secondarySubstation', id: 'PT0407' } as const;
    const portfolio = { kind: 'retailer', id: 'ret-a' } as const;
    expect(flexView({ role: 'dso', organisationId: 'dso' }, portfolio)).toBe('totals');
    expect(flexView({ role: 'retailer', organisationId: 'ret-a' }, portfolio)).toBe('shared');
    expect(flexView({ role: 'retailer', organisationId: 'ret-b' }, area)).toBe('shared');
    expect(flexView({ role: 'retailer', organisationId: 'ret-b' }, portfolio)).toEqual({ forbidden: expect.stringMatching(/for that retailer and the DSO/) });
    expect(flexView({ role: 'aggregator', organisationId: 'agg' }, area)).toBe('shared');
    expect(flexView({ role: 'aggregator', organisationId: 'agg' }, portfolio)).toEqual({ forbidden: expect.stringMatching(/for that retailer/) });
    for (const role of ['customer', 'regulator', 'tso', 'researcher', 'developer', 'hems'] as const) expect(flexView({ role, organisationId: 'x' }, area)).toEqual({ forbidden: expect.stringMatching(/is for the DSO/) });
  });

  it('refuses to list more than MAX_LISTED_LOADS contributions in one answer', () => {
    const intervals = (loadCount: number) => [{ loadCount } as FlexInterval, { loadCount } as FlexInterval];
    expect(listingProblem(intervals(MAX_LISTED_LOADS / 2))).toBeNull();
    expect(listingProblem(intervals(MAX_LISTED_LOADS / 2 + 1))).toMatch(/leave out loads/);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const candidateArb = fc.record({
  flexibleLoadId: fc.constant(''),
  hemsId: fc.constantFrom('H1', 'H2', 'H3'),
  deviceId: fc.constant(''),
  kind: fc.constantFrom(...DEVICE_KINDS),
  ratedPowerKw: fc.integer({ min: 1, max: 110 }).map((tenths) => tenths / 10),
  controllable: fc.boolean(),
  state: fc.constantFrom(...DEVICE_STATES, null),
  hemsOnline: fc.boolean(),
  earliestStartMinute: fc.integer({ min: 0, max: 1439 }),
  latestEndMinute: fc.integer({ min: 0, max: 1439 }),
  maxShiftMinutes: fc.integer({ min: 0, max: 1440 }),
  minRunMinutes: fc.integer({ min: 0, max: 600 }),
  priority: fc.integer({ min: 1, max: 4 }),
  optedOut: fc.boolean(),
  commands: fc.array(
    fc.record({
      kind: fc.constantFrom('SHIFT', 'CURTAIL', 'RESTORE' as const),
      status: fc.constantFrom(...HEMS_COMMAND_STATUSES),
      deviceId: fc.constantFrom(null, 'own', 'other'),
      orderId: fc.constantFrom('o1', 'o2'),
      startQuarter: fc.integer({ min: 0, max: 200 }),
      quarters: fc.integer({ min: 1, max: 40 }),
      issuedAtMs: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 3 },
  ),
});

/** Around the autumn change, so windows cross a 25-hour day. */
const BASE_MS = Date.UTC(2025, 9, 25, 12);

const candidatesArb = fc.array(candidateArb, { maxLength: 8 }).map((drafts) =>
  drafts.map((draft, i): CandidateLoad => {
    const deviceId = `${draft.hemsId}-D${i}`;
    return {
      ...draft,
      flexibleLoadId: `FL-${deviceId}`,
      deviceId,
      commands: draft.commands.map((c) => ({
        kind: c.kind,
        status: c.status,
        deviceId: c.deviceId === 'own' ? deviceId : c.deviceId === 'other' ? `${deviceId}-x` : null,
        orderId: c.orderId,
        startMs: BASE_MS + c.startQuarter * QUARTER_MS,
        endMs: BASE_MS + (c.startQuarter + c.quarters) * QUARTER_MS,
        issuedAtMs: c.issuedAtMs,
      })),
    };
  }),
);

const windowArb = fc.record({ startQuarter: fc.integer({ min: 0, max: 96 }), quarters: fc.integer({ min: 2, max: 200 }) }).map(({ startQuarter, quarters }) => ({
  fromMs: BASE_MS + startQuarter * QUARTER_MS,
  toMs: BASE_MS + (startQuarter + quarters) * QUARTER_MS,
}));

describe('availableFlexibility: properties', () => {
  it('adds up: totals are the listed loads, by priority too, every hold at least the minimum asked', () => {
    const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
    fc.assert(
      fc.property(candidatesArb, windowArb, fc.integer({ min: 15, max: 300 }), (candidates, window, minDurationMinutes) =>
        availableFlexibility(candidates, window, { minDurationMinutes, listLoads: true }).every((interval) => {
          const loads = interval.loads!;
          return (
            interval.loadCount === loads.length &&
            interval.hemsCount === new Set(loads.map((share) => share.hemsId)).size &&
            close(interval.reductionKw, loads.reduce((sum, share) => sum + share.reductionKw, 0)) &&
            close(interval.reductionKw, interval.byPriority.reduce((sum, share) => sum + share.reductionKw, 0)) &&
            interval.maxDurationMinutes === Math.max(0, ...loads.map((share) => share.maxDurationMinutes)) &&
            loads.every((share) => share.maxDurationMinutes >= minDurationMinutes)
          );
        }),
      ),
    );
  });

  it('gives each quarter-hour the same answer whatever window it is asked in', () => {
    fc.assert(
      fc.property(candidatesArb, windowArb, fc.integer({ min: 1, max: 199 }), (candidates, window, cut) => {
        const splitMs = Math.min(window.fromMs + cut * QUARTER_MS, window.toMs - QUARTER_MS);
        const whole = availableFlexibility(candidates, window, LISTED);
        const parts = [...availableFlexibility(candidates, { fromMs: window.fromMs, toMs: splitMs }, LISTED), ...availableFlexibility(candidates, { fromMs: splitMs, toMs: window.toMs }, LISTED)];
        expect(parts).toEqual(whole);
      }),
    );
  });

  it('never offers more for a longer minimum hold, or after a load is opted out', () => {
    fc.assert(
      fc.property(candidatesArb, windowArb, fc.integer({ min: 15, max: 300 }), fc.nat(), (candidates, window, longer, which) => {
        const base = availableFlexibility(candidates, window, TOTALS);
        const stricter = availableFlexibility(candidates, window, { ...TOTALS, minDurationMinutes: longer });
        const optedOut = candidates.map((candidate, i) => (i === which % Math.max(1, candidates.length) ? { ...candidate, optedOut: true } : candidate));
        const fewer = availableFlexibility(optedOut, window, TOTALS);
        return base.every(
          (interval, i) => stricter[i]!.reductionKw <= interval.reductionKw && fewer[i]!.reductionKw <= interval.reductionKw && fewer[i]!.hemsCount <= interval.hemsCount,
        );
      }),
    );
  });

  it('offers an all-day load in every quarter-hour of any local day, 92, 96 or 100 of them', () => {
    fc.assert(
      fc.property(fc.integer({ min: epochDay(2024, 1, 1), max: epochDay(2027, 12, 31) }), (localDay) => {
        const window = { fromMs: lisbonMidnightUtcMs(localDay), toMs: lisbonMidnightUtcMs(localDay + 1) };
        const intervals = availableFlexibility([load({ earliestStartMinute: 300, latestEndMinute: 300 })], window, TOTALS);
        return intervals.length === quartersInLocalDay(localDay) && intervals.every((interval) => interval.loadCount === 1);
      }),
    );
  });

  it('offers a load of an ordinary window in exactly the quarter-hours that fit between its local start and its end less its minimum run', () => {
    fc.assert(
      fc.property(fc.integer({ min: epochDay(2024, 1, 1), max: epochDay(2027, 12, 31) }), fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 95 }), (localDay, startQuarter, quarters) => {
        const endQuarter = Math.min(96, startQuarter + quarters);
        fc.pre(endQuarter < 96 && endQuarter > startQuarter);
        const window = { fromMs: lisbonMidnightUtcMs(localDay), toMs: lisbonMidnightUtcMs(localDay + 1) };
        const candidate = load({ earliestStartMinute: startQuarter * 15, latestEndMinute: endQuarter * 15, minRunMinutes: 15, maxShiftMinutes: 1440 });
        const opensMs = localTimeUtcMs(localDay, startQuarter * 15);
        const closesMs = localTimeUtcMs(localDay, endQuarter * 15);
        return availableFlexibility([candidate], window, TOTALS).every((interval) => {
          const fits = interval.intervalStartMs >= opensMs && interval.intervalStartMs + 2 * QUARTER_MS <= closesMs;
          return interval.loadCount === (fits ? 1 : 0);
        });
      }),
    );
  });
});

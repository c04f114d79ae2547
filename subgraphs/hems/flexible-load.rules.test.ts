import fc from 'fast-check';
import { formatMinuteOfDay, MAX_FLEXIBLE_LOADS, minuteOfDay, parseFlexibleLoads, windowMinutes, type FlexibleLoadDraft } from './flexible-load.rules';

const devices = new Map([
  ['D1', { controllable: true }],
  ['D2', { controllable: true }],
  ['D3', { controllable: false }],
]);

const load = (overrides: Partial<FlexibleLoadDraft> = {}): FlexibleLoadDraft => ({
  deviceId: 'D1',
  earliestStart: '18:00',
  latestEnd: '23:00',
  maxShiftMinutes: 60,
  minRunMinutes: 30,
  priority: 1,
  optedOut: false,
  ...overrides,
});

const fields = (drafts: FlexibleLoadDraft[]) => parseFlexibleLoads(drafts, devices).problems.map((problem) => problem.field);

describe('minuteOfDay', () => {
  it('reads HH:MM from 00:00 to 23:59 and nothing else', () => {
    expect(minuteOfDay('00:00')).toBe(0);
    expect(minuteOfDay('07:05')).toBe(425);
    expect(minuteOfDay('23:59')).toBe(1439);
    for (const text of ['24:00', '7:05', '07:5', '07:60', '0705', '07:05:00', ' 07:05', '07:05 ', '', '-1:00', '１２:00']) expect(minuteOfDay(text)).toBeNull();
  });

  it('round-trips every minute of the day through formatMinuteOfDay', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1439 }), (minute) => minuteOfDay(formatMinuteOfDay(minute)) === minute));
  });
});

describe('windowMinutes', () => {
  it('runs over midnight when the end is not after the start, and all day when they are equal', () => {
    expect(windowMinutes(18 * 60, 23 * 60)).toBe(300);
    expect(windowMinutes(22 * 60, 6 * 60)).toBe(480);
    expect(windowMinutes(0, 0)).toBe(1440);
    expect(windowMinutes(600, 600)).toBe(1440);
    expect(windowMinutes(1439, 0)).toBe(1);
  });
});

describe('parseFlexibleLoads', () => {
  it('stores windows as minutes after local midnight, over midnight as given', () => {
    const { loads, problems } = parseFlexibleLoads([load(), load({ deviceId: 'D2', earliestStart: '22:30', latestEnd: '06:00', minRunMinutes: 450, optedOut: true, priority: 99 })], devices);
    expect(problems).toEqual([]);
    expect(loads).toEqual([
      { deviceId: 'D1', earliestStartMinute: 1080, latestEndMinute: 1380, maxShiftMinutes: 60, minRunMinutes: 30, priority: 1, optedOut: false },
      { deviceId: 'D2', earliestStartMinute: 1350, latestEndMinute: 360, maxShiftMinutes: 60, minRunMinutes: 450, priority: 99, optedOut: true },
    ]);
  });

  it('accepts an empty set: no flexible loads', () => {
    expect(parseFlexibleLoads([], devices)).toEqual({ loads: [], problems: [] });
  });

  it('refuses a device that is not the HEMS’s or cannot be controlled, and one listed twice', () => {
    expect(fields([load({ deviceId: 'ELSEWHERE' })])).toEqual(['loads[0].deviceId']);
    expect(fields([load({ deviceId: 'D3' })])).toEqual(['loads[0].deviceId']);
    expect(fields([load(), load({ deviceId: 'D2' }), load()])).toEqual(['loads[2].deviceId']);
    expect(parseFlexibleLoads([load(), load()], devices).problems[0]!.message).toContain('loads[0]');
  });

  it('refuses windows that are not HH:MM', () => {
    expect(fields([load({ earliestStart: '24:00', latestEnd: '7:00' })])).toEqual(['loads[0].earliestStart', 'loads[0].latestEnd']);
  });

  it('refuses durations outside 0..1440 minutes and priorities outside 1..99', () => {
    expect(fields([load({ maxShiftMinutes: -1 })])).toEqual(['loads[0].maxShiftMinutes']);
    expect(fields([load({ maxShiftMinutes: 1441 })])).toEqual(['loads[0].maxShiftMinutes']);
    expect(fields([load({ minRunMinutes: -5 })])).toEqual(['loads[0].minRunMinutes']);
    expect(fields([load({ priority: 0 })])).toEqual(['loads[0].priority']);
    expect(fields([load({ priority: 100 })])).toEqual(['loads[0].priority']);
    expect(fields([load({ priority: 1.5 })])).toEqual(['loads[0].priority']);
    expect(fields([load({ maxShiftMinutes: 0, minRunMinutes: 0, earliestStart: '00:00', latestEnd: '00:00' })])).toEqual([]);
    expect(fields([load({ maxShiftMinutes: 1440, minRunMinutes: 1440, earliestStart: '05:00', latestEnd: '05:00' })])).toEqual([]);
  });

  it('refuses a minimum run longer than the window, over midnight included', () => {
    expect(fields([load({ minRunMinutes: 301 })])).toEqual(['loads[0].minRunMinutes']);
    expect(fields([load({ minRunMinutes: 300 })])).toEqual([]);
    expect(fields([load({ earliestStart: '23:00', latestEnd: '01:00', minRunMinutes: 121 })])).toEqual(['loads[0].minRunMinutes']);
    expect(fields([load({ earliestStart: '23:00', latestEnd: '01:00', minRunMinutes: 120 })])).toEqual([]);
  });

  it('lists every problem of the set, by item, and returns no loads then', () => {
    const { loads, problems } = parseFlexibleLoads([load(), load({ deviceId: 'D2', earliestStart: '25:00', priority: 0 }), load({ deviceId: 'NOPE' })], devices);
    expect(loads).toEqual([]);
    expect(problems.map(({ field, index }) => [field, index])).toEqual([
      ['loads[1].earliestStart', 1],
      ['loads[1].priority', 1],
      ['loads[2].deviceId', 2],
    ]);
  });

  it(`refuses more than ${MAX_FLEXIBLE_LOADS} loads`, () => {
    const many = new Map(Array.from({ length: MAX_FLEXIBLE_LOADS + 1 }, (_, i) => [`D${i}`, { controllable: true }]));
    const drafts = [...many.keys()].map((deviceId) => load({ deviceId }));
    expect(parseFlexibleLoads(drafts, many).problems).toEqual([{ field: 'loads', index: null, message: `at most ${MAX_FLEXIBLE_LOADS} loads` }]);
    expect(parseFlexibleLoads(drafts.slice(1), many).problems).toEqual([]);
  });
});

import { epochDay } from '../kit/calendar';
import { localDayText, parseLocalDay } from '../kit/local-day';
import { dayBeforeAt, isLocalMidnight, nextLocalMidnight, parseLocalWindow } from './local-time.rules';

describe('local days and windows', () => {
  it('reads local dates strictly', () => {
    expect(parseLocalDay('2026-10-25', 'day')).toBe(epochDay(2026, 10, 25));
    expect(parseLocalDay('2026-02-30', 'day')).toBe('day 2026-02-30 is not a calendar date');
    expect(parseLocalDay('25/10/2026', 'day')).toBe('day must be a local date, YYYY-MM-DD');
    expect(localDayText(epochDay(2026, 3, 29))).toBe('2026-03-29');
  });

  it('turns a wall-clock window into UTC in summer and winter time', () => {
    expect(parseLocalWindow('2026-07-15', '18:00', '21:00')).toEqual({ localDay: epochDay(2026, 7, 15), startMs: Date.UTC(2026, 6, 15, 17), endMs: Date.UTC(2026, 6, 15, 20) });
    expect(parseLocalWindow('2026-12-15', '18:00', '24:00')).toEqual({ localDay: epochDay(2026, 12, 15), startMs: Date.UTC(2026, 11, 15, 18), endMs: Date.UTC(2026, 11, 16, 0) });
  });

  it('holds both occurrences of the repeated autumn hour in a window over it', () => {
    const window = parseLocalWindow('2026-10-25', '00:00', '03:00');
    expect(window).toEqual({ localDay: epochDay(2026, 10, 25), startMs: Date.UTC(2026, 9, 24, 23), endMs: Date.UTC(2026, 9, 25, 3) });
  });

  it('refuses windows off the quarter-hour, reversed or empty', () => {
    expect(parseLocalWindow('2026-07-15', '18:10', '21:00')).toBe('start 18:10 is not on the quarter-hour');
    expect(parseLocalWindow('2026-07-15', '21:00', '18:00')).toBe('end 18:00 must be after start 21:00');
    expect(parseLocalWindow('2026-07-15', '25:00', '26:00')).toBe('start must be a local time, HH:MM');
  });

  it('finds local midnights and the notice cut-off the day before', () => {
    expect(isLocalMidnight(Date.UTC(2026, 6, 14, 23))).toBe(true);
    expect(isLocalMidnight(Date.UTC(2026, 6, 15, 0))).toBe(false);
    expect(nextLocalMidnight(Date.UTC(2026, 9, 25, 12))).toBe(Date.UTC(2026, 9, 26, 0));
    expect(dayBeforeAt(epochDay(2026, 7, 15), 18)).toBe(Date.UTC(2026, 6, 14, 17));
  });
});

import {
  HOUR_MS,
  SATURDAY,
  SUNDAY_HOLIDAY,
  WORKING,
  dayType,
  easterSunday,
  epochDay,
  lisbonMidnightUtcMs,
  lisbonOffsetMs,
  lisbonQuarter,
  lisbonWallToUtcMs,
  portugueseHolidays,
  quartersInLocalDay,
} from './calendar';

describe('Lisbon time', () => {
  it('is UTC+1 from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October', () => {
    expect(lisbonOffsetMs(Date.UTC(2023, 2, 26, 0, 59))).toBe(0);
    expect(lisbonOffsetMs(Date.UTC(2023, 2, 26, 1))).toBe(HOUR_MS);
    expect(lisbonOffsetMs(Date.UTC(2023, 9, 29, 0, 59))).toBe(HOUR_MS);
    expect(lisbonOffsetMs(Date.UTC(2023, 9, 29, 1))).toBe(0);
    expect(lisbonOffsetMs(Date.UTC(2024, 2, 31, 1))).toBe(HOUR_MS);
  });

  it('has a 23-hour day in March and a 25-hour day in October', () => {
    expect(quartersInLocalDay(epochDay(2023, 3, 26))).toBe(92);
    expect(quartersInLocalDay(epochDay(2023, 10, 29))).toBe(100);
    expect(quartersInLocalDay(epochDay(2023, 7, 1))).toBe(96);
    expect(lisbonMidnightUtcMs(epochDay(2023, 10, 29))).toBe(Date.UTC(2023, 9, 28, 23));
    expect(lisbonMidnightUtcMs(epochDay(2023, 3, 26))).toBe(Date.UTC(2023, 2, 26));
  });

  it('maps both occurrences of the repeated autumn hour to the same local quarter-hour', () => {
    const first = lisbonQuarter(Date.UTC(2023, 9, 29, 0) / 900_000);
    const second = lisbonQuarter(Date.UTC(2023, 9, 29, 1) / 900_000);
    expect(first).toBe(second);
    expect(first - epochDay(2023, 10, 29) * 96).toBe(4);
  });

  it('reads a wall-clock time in the skipped spring hour as winter time', () => {
    expect(lisbonWallToUtcMs(Date.UTC(2023, 2, 26, 1, 30))).toBe(Date.UTC(2023, 2, 26, 1, 30));
    expect(lisbonWallToUtcMs(Date.UTC(2023, 6, 1, 12))).toBe(Date.UTC(2023, 6, 1, 11));
  });
});

describe('day types', () => {
  it('finds Easter', () => {
    expect(easterSunday(2023)).toBe(epochDay(2023, 4, 9));
    expect(easterSunday(2024)).toBe(epochDay(2024, 3, 31));
    expect(easterSunday(2025)).toBe(epochDay(2025, 4, 20));
  });

  it('lists the days the 2023 profiles shape as Sundays: national holidays and Carnival', () => {
    const expected = [
      [1, 1], [2, 21], [4, 7], [4, 9], [4, 25], [5, 1], [6, 8], [6, 10], [8, 15], [10, 5], [11, 1], [12, 1], [12, 8], [12, 25],
    ].map(([month, day]) => epochDay(2023, month, day));
    expect([...portugueseHolidays(2023)].sort((a, b) => a - b)).toEqual(expected);
  });

  it('treats a holiday on a Saturday as a Sunday and Lisbon\'s municipal holiday as a working day', () => {
    expect(dayType(epochDay(2023, 6, 10))).toBe(SUNDAY_HOLIDAY);
    expect(dayType(epochDay(2023, 6, 17))).toBe(SATURDAY);
    expect(dayType(epochDay(2023, 6, 13))).toBe(WORKING);
    expect(dayType(epochDay(2023, 6, 18))).toBe(SUNDAY_HOLIDAY);
  });
});

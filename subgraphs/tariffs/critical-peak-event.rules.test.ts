import { epochDay } from '../kit/calendar';
import { announcementAudience, announcementWindow, earliestDay, noticeCutOffMs, overlapProblem, schemeProblem, type SchemeFacts } from './critical-peak-event.rules';

const utc = (text: string) => Date.parse(text);
const announce = (day: string, start: string, end: string, now: string, noticeHour = 18) => announcementWindow({ day, start, end }, utc(now), noticeHour);
const window = (day: string, startIso: string, endIso: string) => ({ localDay: epochDay(...(day.split('-').map(Number) as [number, number, number])), startMs: utc(startIso), endMs: utc(endIso) });

describe('the notice cut-off', () => {
  it('is 18:00 Lisbon time the day before: 17:00 UTC in summer, 18:00 UTC in winter', () => {
    expect(noticeCutOffMs(epochDay(2026, 7, 15), 18)).toBe(utc('2026-07-14T17:00:00Z'));
    expect(noticeCutOffMs(epochDay(2026, 12, 15), 18)).toBe(utc('2026-12-14T18:00:00Z'));
  });

  it('follows the clock change between the day before and the day: the evening of the change day is already in the new time', () => {
    // Spring (29 March 2026): the day before the change is still winter time; the change day's evening is summer time.
    expect(noticeCutOffMs(epochDay(2026, 3, 29), 18)).toBe(utc('2026-03-28T18:00:00Z'));
    expect(noticeCutOffMs(epochDay(2026, 3, 30), 18)).toBe(utc('2026-03-29T17:00:00Z'));
    // Autumn (25 October 2026): the other way round.
    expect(noticeCutOffMs(epochDay(2026, 10, 25), 18)).toBe(utc('2026-10-24T17:00:00Z'));
    expect(noticeCutOffMs(epochDay(2026, 10, 26), 18)).toBe(utc('2026-10-25T18:00:00Z'));
  });

  it('accepts an announcement up to the cut-off itself and refuses one a millisecond later, naming the cut-off and the earliest day left', () => {
    expect(announce('2026-07-15', '18:00', '21:00', '2026-07-14T17:00:00.000Z')).toEqual(window('2026-07-15', '2026-07-15T17:00:00Z', '2026-07-15T20:00:00Z'));
    expect(announce('2026-07-15', '18:00', '21:00', '2026-07-14T17:00:00.001Z')).toEqual({
      field: 'day',
      message:
        'too short notice: an event on 2026-07-15 must be announced by 2026-07-14 18:00 local time (2026-07-14T17:00:00.000Z); the earliest day you may announce now is 2026-07-16',
    });
  });

  it('is late at 17:30 UTC on the spring change day for the next day (18:00 summer time has passed), and in time in autumn', () => {
    expect(announce('2026-03-30', '19:00', '21:00', '2026-03-29T17:30:00Z')).toMatchObject({ field: 'day', message: expect.stringContaining('too short notice') });
    expect(announce('2026-10-26', '19:00', '21:00', '2026-10-25T17:30:00Z')).toEqual(window('2026-10-26', '2026-10-26T19:00:00Z', '2026-10-26T21:00:00Z'));
  });

  it('takes another notice hour, midnight included', () => {
    expect(announce('2026-07-15', '18:00', '21:00', '2026-07-13T22:59:00Z', 0)).toEqual(window('2026-07-15', '2026-07-15T17:00:00Z', '2026-07-15T20:00:00Z'));
    expect(announce('2026-07-15', '18:00', '21:00', '2026-07-13T23:00:01Z', 0)).toMatchObject({ message: expect.stringContaining('by 2026-07-14 00:00 local time') });
  });

  it('refuses a past day as such, and today as too short notice', () => {
    expect(announce('2026-07-13', '18:00', '21:00', '2026-07-14T10:00:00Z')).toEqual({ field: 'day', message: 'day 2026-07-13 is in the past (today is 2026-07-14)' });
    expect(announce('2026-07-14', '18:00', '21:00', '2026-07-14T10:00:00Z')).toMatchObject({ field: 'day', message: expect.stringContaining('too short notice') });
  });

  it('finds the earliest day still open: tomorrow before the cut-off, the day after once it passed', () => {
    expect(earliestDay(utc('2026-07-14T16:00:00Z'), 18)).toBe(epochDay(2026, 7, 15));
    expect(earliestDay(utc('2026-07-14T17:00:01Z'), 18)).toBe(epochDay(2026, 7, 16));
    expect(earliestDay(utc('2026-07-14T23:30:00Z'), 18)).toBe(epochDay(2026, 7, 16));
  });
});

describe('the event window', () => {
  const now = '2026-01-02T12:00:00Z';

  it('passes on what is wrong with the day or the times, with the field', () => {
    expect(announce('2026-02-30', '18:00', '21:00', now)).toEqual({ field: 'day', message: 'day 2026-02-30 is not a calendar date' });
    expect(announce('2026-07-15', '18:10', '21:00', now)).toEqual({ field: 'start', message: 'start 18:10 is not on the quarter-hour' });
    expect(announce('2026-07-15', '18:00', '21:05', now)).toEqual({ field: 'end', message: 'end 21:05 is not on the quarter-hour' });
    expect(announce('2026-07-15', '21:00', '18:00', now)).toEqual({ field: 'end', message: 'end 18:00 must be after start 21:00' });
    expect(announce('2026-07-15', '18:00', '18:00', now)).toEqual({ field: 'end', message: 'end 18:00 must be after start 18:00' });
    expect(announce('2026-07-15', '6pm', '21:00', now)).toEqual({ field: 'start', message: 'start must be a local time, HH:MM' });
  });

  it("refuses a day beyond the hub's time range, a typo rather than a plan", () => {
    expect(announce('2100-01-01', '18:00', '21:00', now)).toEqual({ field: 'day', message: 'day 2100-01-01 is not between 2000-01-01 and 2100-01-01' });
  });

  it('ends at the next midnight with 24:00', () => {
    expect(announce('2026-07-15', '20:00', '24:00', now)).toEqual(window('2026-07-15', '2026-07-15T19:00:00Z', '2026-07-15T23:00:00Z'));
  });

  it('refuses times the spring change skips (01:00 to 02:00 does not exist on 29 March 2026)', () => {
    expect(announce('2026-03-29', '01:00', '03:00', now)).toEqual({ field: 'start', message: 'start 01:00 does not exist on 2026-03-29: the clocks go forward from 01:00 to 02:00 that night' });
    expect(announce('2026-03-29', '00:00', '01:30', now)).toMatchObject({ field: 'end', message: expect.stringContaining('end 01:30 does not exist') });
    // 00:00 to 02:00 on the wall clock is one real hour.
    expect(announce('2026-03-29', '00:00', '02:00', now)).toEqual(window('2026-03-29', '2026-03-29T00:00:00Z', '2026-03-29T01:00:00Z'));
  });

  it('holds both runs of the repeated autumn hour', () => {
    expect(announce('2026-10-25', '01:00', '02:00', now)).toEqual(window('2026-10-25', '2026-10-25T00:00:00Z', '2026-10-25T02:00:00Z'));
  });

  it('lasts at most 12 real hours, which on the clock-change days is 11 or 13 on the wall', () => {
    expect(announce('2026-07-15', '08:00', '20:00', now)).toEqual(window('2026-07-15', '2026-07-15T07:00:00Z', '2026-07-15T19:00:00Z'));
    expect(announce('2026-07-15', '08:00', '20:15', now)).toEqual({ field: 'end', message: 'a critical-peak event lasts at most 12 h; 08:00-20:15 on 2026-07-15 is 12.25 h' });
    expect(announce('2026-10-25', '00:00', '12:00', now)).toMatchObject({ field: 'end', message: expect.stringContaining('is 13 h') });
    expect(announce('2026-03-29', '00:00', '12:45', now)).toEqual(window('2026-03-29', '2026-03-29T00:00:00Z', '2026-03-29T11:45:00Z'));
  });
});

describe('the scheme and the other events', () => {
  const scheme: SchemeFacts = { id: 'CPP-1', kind: 'CRITICAL_PEAK', status: 'PUBLISHED', validFrom: '2026-07-01', validTo: '2026-08-01' };

  it('takes a published critical-peak scheme on a day it applies', () => {
    expect(schemeProblem(scheme, epochDay(2026, 7, 1))).toBeNull();
    expect(schemeProblem(scheme, epochDay(2026, 7, 31))).toBeNull();
    expect(schemeProblem({ ...scheme, validTo: null }, epochDay(2030, 1, 1))).toBeNull();
  });

  it('refuses another kind, a draft, and a day outside its validity (validTo is the first day it no longer applies)', () => {
    expect(schemeProblem({ ...scheme, kind: 'TIME_OF_USE' }, epochDay(2026, 7, 15))).toEqual({ field: 'schemeId', message: 'scheme CPP-1 is TIME_OF_USE: critical-peak events are announced on CRITICAL_PEAK schemes only' });
    expect(schemeProblem({ ...scheme, status: 'DRAFT' }, epochDay(2026, 7, 15))).toEqual({ field: 'schemeId', message: 'scheme CPP-1 is a draft: publish it before announcing its events' });
    expect(schemeProblem(scheme, epochDay(2026, 8, 1))).toEqual({ field: 'day', message: 'scheme CPP-1 applies from 2026-07-01 until 2026-08-01, not on 2026-08-01' });
    expect(schemeProblem(scheme, epochDay(2026, 6, 30))).toMatchObject({ field: 'day' });
  });

  it('refuses a window overlapping another event of the scheme, not one touching it', () => {
    const existing = [{ startMs: utc('2026-07-15T17:00:00Z'), endMs: utc('2026-07-15T20:00:00Z') }];
    expect(overlapProblem({ startMs: utc('2026-07-15T20:00:00Z'), endMs: utc('2026-07-15T21:00:00Z') }, existing)).toBeNull();
    expect(overlapProblem({ startMs: utc('2026-07-15T16:00:00Z'), endMs: utc('2026-07-15T17:00:00Z') }, existing)).toBeNull();
    expect(overlapProblem({ startMs: utc('2026-07-15T19:45:00Z'), endMs: utc('2026-07-15T21:00:00Z') }, existing)).toEqual({
      field: 'start',
      message: 'the scheme already has a critical-peak event from 2026-07-15T17:00:00.000Z to 2026-07-15T20:00:00.000Z overlapping this one',
    });
    expect(overlapProblem({ startMs: utc('2026-07-15T18:00:00Z'), endMs: utc('2026-07-15T19:00:00Z') }, existing)).not.toBeNull();
  });
});

describe('the audience', () => {
  it('names each retailer and each customer (its metering point) once', () => {
    expect(announcementAudience(['ret-b', 'ret-a', 'ret-b'], ['PT2', 'PT1', 'PT2'])).toEqual(['ret-a', 'ret-b', 'PT1', 'PT2']);
  });

  it('is empty when nobody is on the scheme (the event type then reaches the DSO alone)', () => {
    expect(announcementAudience([], [])).toEqual([]);
  });
});

import {
  batchSizeProblem,
  foreignReportPaths,
  MAX_TELEMETRY_DEVICE_ROWS,
  MAX_TELEMETRY_REPORTS,
  presenceSweepIntervalMs,
  rejectionMessage,
  statusEvents,
  TELEMETRY_CLOCK_SKEW_MS,
  TELEMETRY_MAX_AGE_MS,
  telemetryRejections,
  utcDaysOf,
  type HemsReport,
  type TelemetryCatalogue,
} from './telemetry.rules';

const NOW = Date.parse('2026-03-10T18:00:00Z');

const catalogue: TelemetryCatalogue = {
  mayReport: (id) => id === 'H1' || id === 'H2',
  device: (id) =>
    ({
      'H1-EV': { hemsId: 'H1', ratedPowerKw: 7.4 },
      'H1-WH': { hemsId: 'H1', ratedPowerKw: 2 },
      'H2-EV': { hemsId: 'H2', ratedPowerKw: 11 },
    })[id],
};

const report = (overrides: Partial<HemsReport> = {}): HemsReport => ({
  hemsId: 'H1',
  atMs: NOW - 60_000,
  devices: [
    { deviceId: 'H1-EV', state: 'ON', powerKw: 7.4 },
    { deviceId: 'H1-WH', state: 'OFF', powerKw: 0 },
  ],
  ...overrides,
});

const problems = (reports: HemsReport[]) => telemetryRejections(reports, NOW, catalogue).map((row) => [row.index, row.path, row.reason]);

describe('telemetry batches', () => {
  it('accept reports of HEMS the caller may report for, at full rated power and at zero, heartbeats included', () => {
    expect(problems([report(), report({ hemsId: 'H2', devices: [{ deviceId: 'H2-EV', state: 'STANDBY', powerKw: 0.1 }] }), report({ devices: [], atMs: NOW })])).toEqual([]);
  });

  it('accept the same HEMS at two times, and a report stamped within the clock skew', () => {
    expect(problems([report(), report({ atMs: NOW + TELEMETRY_CLOCK_SKEW_MS })])).toEqual([]);
  });

  it('name a HEMS the caller may not report for once, whatever its devices', () => {
    expect(problems([report(), report({ hemsId: 'H9', devices: [{ deviceId: 'H9-EV', state: 'ON', powerKw: 99 }] })])).toEqual([[1, 'reports[1].hemsId', 'no HEMS H9 that you may report for']]);
  });

  it('name an unknown device, and a device of another HEMS, by their path', () => {
    expect(
      problems([
        report({
          devices: [
            { deviceId: 'H1-EV', state: 'ON', powerKw: 1 },
            { deviceId: 'NOPE', state: 'ON', powerKw: 1 },
            { deviceId: 'H2-EV', state: 'ON', powerKw: 1 },
          ],
        }),
      ]),
    ).toEqual([
      [0, 'reports[0].devices[1].deviceId', 'no device NOPE on HEMS H1'],
      [0, 'reports[0].devices[2].deviceId', 'no device H2-EV on HEMS H1'],
    ]);
  });

  it('refuse powers above the rating or below zero', () => {
    expect(
      problems([
        report({
          devices: [
            { deviceId: 'H1-EV', state: 'ON', powerKw: 7.41 },
            { deviceId: 'H1-WH', state: 'ON', powerKw: -0.01 },
          ],
        }),
        report({ atMs: NOW - 120_000, devices: [{ deviceId: 'H1-EV', state: 'ON', powerKw: Number.NaN }] }),
      ]),
    ).toEqual([
      [0, 'reports[0].devices[0].powerKw', "7.41 kW is above the device's rated power of 7.4 kW"],
      [0, 'reports[0].devices[1].powerKw', 'negative'],
      [1, 'reports[1].devices[0].powerKw', 'negative'],
    ]);
  });

  it('refuse a time beyond the clock skew or older than a day, and accept one just inside', () => {
    expect(
      problems([
        report({ atMs: NOW + TELEMETRY_CLOCK_SKEW_MS + 1 }),
        report({ atMs: NOW - TELEMETRY_MAX_AGE_MS - 1 }),
        report({ atMs: NOW - TELEMETRY_MAX_AGE_MS }),
        report({ atMs: Number.NaN }),
      ]),
    ).toEqual([
      [0, 'reports[0].at', "in the future (more than 60 s ahead of the hub's clock)"],
      [1, 'reports[1].at', 'older than 24 hours'],
      [3, 'reports[3].at', 'not a valid time'],
    ]);
  });

  it('refuse a device twice in one report, and a HEMS twice at the same time', () => {
    const twice = report({
      devices: [
        { deviceId: 'H1-EV', state: 'ON', powerKw: 1 },
        { deviceId: 'H1-EV', state: 'ON', powerKw: 2 },
      ],
    });
    expect(problems([twice, report()])).toEqual([
      [0, 'reports[0].devices[1].deviceId', 'repeats devices[0] of this report'],
      [1, 'reports[1].at', 'repeats reports[0] (the same HEMS and time)'],
    ]);
  });

  it('list every problem of the batch, not only the first', () => {
    const bad = Array.from({ length: 8 }, (_, i) => report({ atMs: NOW - i * 1000, devices: [{ deviceId: 'H1-EV', state: 'ON', powerKw: 100 }] }));
    const rejected = telemetryRejections(bad, NOW, catalogue);
    expect(rejected).toHaveLength(8);
    expect(rejectionMessage(rejected)).toMatch(/^8 problems in the batch; nothing was written: reports\[0\]\.devices\[0\]\.powerKw: 100 kW is above .*; and 3 more \(extensions\.rejected lists them all\)$/);
    expect(rejectionMessage(rejected.slice(0, 1))).toBe("1 problem in the batch; nothing was written: reports[0].devices[0].powerKw: 100 kW is above the device's rated power of 7.4 kW");
  });

  it('are bounded in reports and device rows before anything is looked up', () => {
    expect(batchSizeProblem([])).toBe('a batch holds at least one report');
    expect(batchSizeProblem(Array.from({ length: MAX_TELEMETRY_REPORTS }, () => report({ devices: [] })))).toBeNull();
    expect(batchSizeProblem(Array.from({ length: MAX_TELEMETRY_REPORTS + 1 }, () => report({ devices: [] })))).toBe('a batch holds at most 2,000 reports; send 2,001 in smaller batches');
    const device = { deviceId: 'H1-EV', state: 'ON' as const, powerKw: 1 };
    const wide = report({ devices: Array.from({ length: MAX_TELEMETRY_DEVICE_ROWS / 2 + 1 }, () => device) });
    expect(batchSizeProblem([wide, wide])).toBe('a batch holds at most 20,000 device reports; send 20,002 in smaller batches');
  });

  it("name the reports of other HEMS a HEMS's own key may not send", () => {
    expect(foreignReportPaths([report(), report({ hemsId: 'H2' }), report({ hemsId: 'H1', atMs: NOW })], 'H1')).toEqual(['reports[1].hemsId']);
  });
});

describe('telemetry partitions', () => {
  it('are the UTC days of the reports, each once, in order', () => {
    expect(utcDaysOf([Date.parse('2026-03-10T23:59:59Z'), Date.parse('2026-03-09T00:00:00Z'), Date.parse('2026-03-10T00:00:00Z')])).toEqual([
      Date.parse('2026-03-09T00:00:00Z'),
      Date.parse('2026-03-10T00:00:00Z'),
    ]);
  });
});

describe('HEMS presence', () => {
  it('is swept every tenth of the offline threshold, between 1 s and 30 s', () => {
    expect(presenceSweepIntervalMs(300)).toBe(30_000);
    expect(presenceSweepIntervalMs(3_600)).toBe(30_000);
    expect(presenceSweepIntervalMs(60)).toBe(6_000);
    expect(presenceSweepIntervalMs(2)).toBe(1_000);
  });

  it('changes are announced to the parties each HEMS is shared with, and not at all for a HEMS shared with nobody', () => {
    const lastSeenAt = new Date(NOW);
    const audience = new Map([['H1', ['ret-a', 'agg-b']]]);
    expect(statusEvents('OFFLINE', [{ hemsId: 'H1', lastSeenAt }, { hemsId: 'H2', lastSeenAt }], audience)).toEqual([
      { audience: ['ret-a', 'agg-b'], payload: { kind: 'OFFLINE', hemsId: 'H1', lastSeenAt: '2026-03-10T18:00:00.000Z' } },
    ]);
  });
});

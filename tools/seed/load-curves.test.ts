import { addToPhases, createCurveGenerator, homeChargerAnnualKwh, substationMeasurement, type CurvePoint, type HomeCharger, type IntervalReading, type Triple } from './load-curves';

const QUARTER_MS = 900_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const YEAR_2023_MS = Date.UTC(2023, 0, 1);
const QUARTERS_2023 = 365 * 96;

const household = (key: number, overrides: Partial<CurvePoint> = {}): CurvePoint => ({
  key,
  customerClass: 'BTN_C',
  usage: 'RESIDENTIAL',
  annualConsumptionKwh: 2_500,
  pvCapacityKwp: 0,
  contractedPowerKva: 6.9,
  ...overrides,
});

const evStation = (key: number, kva: number): CurvePoint => ({
  key,
  customerClass: 'BTN_A',
  usage: 'EV_CHARGING',
  annualConsumptionKwh: 900 * kva,
  pvCapacityKwp: 0,
  contractedPowerKva: kva,
});

const POINTS: CurvePoint[] = [
  household(11),
  household(12, { customerClass: 'BTN_B', annualConsumptionKwh: 9_000, contractedPowerKva: 10.35 }),
  household(13, { customerClass: 'BTN_A', usage: 'COMMERCIAL', annualConsumptionKwh: 30_000, contractedPowerKva: 27.6 }),
  household(14, { pvCapacityKwp: 3, annualConsumptionKwh: 3_000 }),
  household(15, { usage: 'PUBLIC_LIGHTING', annualConsumptionKwh: 17_000 }),
  evStation(16, 41.4),
  evStation(17, 50),
];

/** Sum of one field of a point's readings over every quarter-hour of 2023. */
function sumYear(generator: ReturnType<typeof createCurveGenerator>, index: number, field: keyof IntervalReading = 'importWh'): number {
  const out = { importWh: 0, exportWh: 0 };
  let total = 0;
  for (let q = 0; q < QUARTERS_2023; q++) total += generator.readingInto(index, YEAR_2023_MS + q * QUARTER_MS, out)[field];
  return total;
}

/** UTC ms of a Lisbon wall-clock time on a 2023 date outside the summer-time switch days. */
const lisbon = (month: number, day: number, hour: number, minute = 0): number => {
  const summer = month > 3 && month < 10;
  return Date.UTC(2023, month - 1, day, hour, minute) - (summer ? HOUR_MS : 0);
};

describe('createCurveGenerator', () => {
  it('gives the same readings for the same points and seed, in whatever order they are asked', () => {
    const intervals = Array.from({ length: 200 }, (_, k) => Date.UTC(2023, 5, 1) + k * 7 * QUARTER_MS);
    const forward = createCurveGenerator(POINTS, 7);
    const expected = POINTS.map((_, i) => intervals.map((t) => forward.reading(i, t)));

    const again = createCurveGenerator(POINTS, 7);
    for (let k = intervals.length - 1; k >= 0; k--) {
      for (let i = POINTS.length - 1; i >= 0; i--) expect(again.reading(i, intervals[k])).toEqual(expected[i][k]);
    }
    // One point alone, in a generator of its own, reads the same as among the others.
    const alone = createCurveGenerator([POINTS[5]], 7);
    expect(intervals.map((t) => alone.reading(0, t))).toEqual(expected[5]);
    expect(forward.reading(0, intervals[3])).toEqual(forward.reading(0, intervals[3]));
  });

  it('gives other readings under another seed', () => {
    const a = createCurveGenerator(POINTS, 1);
    const b = createCurveGenerator(POINTS, 2);
    const t = lisbon(1, 10, 19);
    expect(POINTS.map((_, i) => a.reading(i, t))).not.toEqual(POINTS.map((_, i) => b.reading(i, t)));
  });

  it('returns non-negative whole Wh and never imports above the contracted power', () => {
    const heavy = household(21, { annualConsumptionKwh: 40_000, contractedPowerKva: 3.45 });
    const generator = createCurveGenerator([...POINTS, heavy], 3);
    const out = { importWh: 0, exportWh: 0 };
    let capped = 0;
    for (let q = 0; q < 96 * 28; q++) {
      const t = Date.UTC(2023, 0, 2) + q * QUARTER_MS;
      [...POINTS, heavy].forEach((point, i) => {
        generator.readingInto(i, t, out);
        expect(Number.isInteger(out.importWh) && out.importWh >= 0).toBe(true);
        expect(Number.isInteger(out.exportWh) && out.exportWh >= 0).toBe(true);
        expect(out.importWh).toBeLessThanOrEqual(point.contractedPowerKva * 250);
        if (i === POINTS.length && out.importWh === Math.floor(3.45 * 250)) capped++;
      });
    }
    expect(capped).toBeGreaterThan(0);
  });

  it("meets a point's annual consumption within 10 % over a year of every quarter-hour", () => {
    const generator = createCurveGenerator(POINTS, 5);
    for (const index of [0, 1, 2, 4]) {
      const kwh = sumYear(generator, index) / 1000;
      expect(Math.abs(kwh / POINTS[index].annualConsumptionKwh - 1)).toBeLessThan(0.1);
    }
  });

  it('peaks in the evening rather than at 4 am for BTN C households', () => {
    const points = Array.from({ length: 50 }, (_, k) => household(100 + k));
    const generator = createCurveGenerator(points, 9);
    let evening = 0;
    let night = 0;
    for (let day = 2; day <= 31; day++) {
      for (let i = 0; i < points.length; i++) {
        evening += generator.reading(i, lisbon(1, day, 20)).importWh;
        night += generator.reading(i, lisbon(1, day, 4)).importWh;
      }
    }
    expect(evening).toBeGreaterThan(2 * night);
  });

  it('exports around midday in summer and imports at night for a PV prosumer', () => {
    const generator = createCurveGenerator(POINTS, 4);
    const prosumer = 3;
    let middayExport = 0;
    let nightImport = 0;
    for (let day = 1; day <= 31; day++) {
      const midday = generator.reading(prosumer, lisbon(7, day, 13, 30));
      const night = generator.reading(prosumer, lisbon(7, day, 3));
      middayExport += midday.exportWh;
      nightImport += night.importWh;
      expect(midday.importWh).toBe(0);
      expect(night.exportWh).toBe(0);
      expect(night.importWh).toBeGreaterThan(0);
    }
    expect(middayExport / 31).toBeGreaterThan(200);
    expect(nightImport / 31).toBeGreaterThan(10);
  });

  it('never exports at night, and yields 1,500-1,700 kWh per kWp a year', () => {
    const panels = Array.from({ length: 5 }, (_, k) => household(200 + k, { annualConsumptionKwh: 0, pvCapacityKwp: 1 }));
    const generator = createCurveGenerator(panels, 11);
    const out = { importWh: 0, exportWh: 0 };
    for (let i = 0; i < panels.length; i++) {
      let yieldWh = 0;
      for (let q = 0; q < QUARTERS_2023; q++) {
        const t = YEAR_2023_MS + q * QUARTER_MS;
        generator.readingInto(i, t, out);
        yieldWh += out.exportWh;
        // 21:00-05:00 UTC is night in Lisbon all year.
        const utcHour = new Date(t).getUTCHours();
        if (utcHour >= 21 || utcHour < 5) expect(out.exportWh).toBe(0);
      }
      expect(yieldWh / 1000).toBeGreaterThanOrEqual(1_500);
      expect(yieldWh / 1000).toBeLessThanOrEqual(1_700);
    }
  });

  it('lights public lighting at night and not at noon', () => {
    const generator = createCurveGenerator(POINTS, 1);
    const lamp = 4;
    const power = (17_000 * 1000) / 4_200 / 4; // Wh per quarter-hour at the lamps' power
    for (const month of [1, 6, 12]) {
      expect(generator.reading(lamp, lisbon(month, 15, 23)).importWh).toBeGreaterThan(0.8 * power);
      expect(generator.reading(lamp, lisbon(month, 15, 12)).importWh).toBeLessThan(0.05 * power);
    }
  });

  it('charges at EV stations in 3-8 sessions of 7-50 kWh a day, up to the station power', () => {
    const generator = createCurveGenerator(POINTS, 8);
    for (const [index, stationKw] of [
      [5, 22],
      [6, 50],
    ]) {
      const out = { importWh: 0, exportWh: 0 };
      for (let day = 0; day < 60; day++) {
        let dayWh = 0;
        let charging = 0;
        for (let q = 0; q < 96; q++) {
          generator.readingInto(index, lisbon(3, 1, 0) + day * DAY_MS + q * QUARTER_MS, out);
          dayWh += out.importWh;
          if (out.importWh > 100) charging++;
          expect(out.importWh).toBeLessThanOrEqual(stationKw * 250);
        }
        // A day's own sessions, give or take what runs past midnight either way.
        expect(dayWh / 1000).toBeGreaterThan(3 * 7 - 50);
        expect(dayWh / 1000).toBeLessThan(8 * 50 + 50);
        expect(charging).toBeGreaterThan(0);
      }
      const yearKwh = sumYear(generator, index) / 1000;
      expect(yearKwh).toBeGreaterThan(0.8 * POINTS[index].annualConsumptionKwh);
      expect(yearKwh).toBeLessThan(1.2 * POINTS[index].annualConsumptionKwh);
    }
  });

  it('reads a 23-hour and a 25-hour day in local time', () => {
    const generator = createCurveGenerator([household(31, { customerClass: 'BTN_A', usage: 'COMMERCIAL', annualConsumptionKwh: 50_000, contractedPowerKva: 41.4 })], 2);
    const dayWh = (firstUtcMs: number, quarters: number): number => {
      let total = 0;
      for (let q = 0; q < quarters; q++) total += generator.reading(0, firstUtcMs + q * QUARTER_MS).importWh;
      return total;
    };
    // 26 March 2023 runs 00:00Z-23:00Z; 29 October 2023 runs 23:00Z on the 28th to 24:00Z.
    const spring = dayWh(Date.UTC(2023, 2, 26), 92);
    const autumn = dayWh(Date.UTC(2023, 9, 28, 23), 100);
    expect(spring).toBeGreaterThan(0);
    expect(autumn).toBeGreaterThan(spring);
  });

  it("adds a home charger's session to the household every evening at the same local hours", () => {
    // 7.4 kW from 19:10 to 22:50 Lisbon time: 5 minutes of the 19:00 quarter-hour (616.7 Wh), all
    // of the quarter-hours from 19:15 to 22:30 (1,850 Wh), 5 minutes of the 22:45 one.
    const charger: HomeCharger = { powerKw: 7.4, startMinute: 19 * 60 + 10, durationMinutes: 220 };
    const withCar = household(41, { contractedPowerKva: 13.8, annualConsumptionKwh: 2_500 + homeChargerAnnualKwh(charger), homeCharger: charger });
    const generator = createCurveGenerator([household(41, { contractedPowerKva: 13.8 }), withCar], 3);
    const added = (utcMs: number) => generator.reading(1, utcMs).importWh - generator.reading(0, utcMs).importWh;
    // A winter and a summer evening (Lisbon one hour ahead of UTC), a weekday and a Sunday.
    for (const [month, day] of [[1, 18], [7, 9]] as const) {
      expect(added(lisbon(month, day, 18, 45))).toBe(0);
      expect(added(lisbon(month, day, 19))).toBeCloseTo(616.7, -0.5);
      for (let quarter = lisbon(month, day, 19, 15); quarter <= lisbon(month, day, 22, 30); quarter += QUARTER_MS) expect(Math.abs(added(quarter) - 1_850)).toBeLessThanOrEqual(1);
      expect(added(lisbon(month, day, 22, 45))).toBeCloseTo(616.7, -0.5);
      expect(added(lisbon(month, day, 23))).toBe(0);
    }
    // 7.4 kW × 220/60 h = 27.13 kWh a day, × 365.
    expect(homeChargerAnnualKwh(charger)).toBeCloseTo(9_903.7, 1);
  });

  it('rejects a home charging session past midnight, or an annual consumption without its energy', () => {
    const late: HomeCharger = { powerKw: 7.4, startMinute: 22 * 60, durationMinutes: 180 };
    expect(() => createCurveGenerator([household(1, { annualConsumptionKwh: 20_000, homeCharger: late })])).toThrow(/within one local day/);
    const evening: HomeCharger = { powerKw: 7.4, startMinute: 19 * 60, durationMinutes: 180 };
    expect(() => createCurveGenerator([household(1, { homeCharger: evening })])).toThrow(/include the home charger/);
  });

  it('rejects an interval that does not start on a quarter-hour and an unknown point', () => {
    const generator = createCurveGenerator(POINTS);
    expect(() => generator.reading(0, YEAR_2023_MS + 60_000)).toThrow(RangeError);
    expect(() => generator.reading(POINTS.length, YEAR_2023_MS)).toThrow(RangeError);
    expect(() => createCurveGenerator([household(1, { annualConsumptionKwh: -1 })])).toThrow(/annualConsumptionKwh/);
  });

});

describe('substationMeasurement', () => {
  const base = { ratedPowerKva: 630, key: 3, intervalStartMs: lisbon(1, 16, 19) };

  it('reports the meters downstream plus 2-4 % losses, per phase', () => {
    const phaseEnergyWh: Triple = [30_000, 25_000, 35_000];
    const measured = substationMeasurement({ ...base, phaseEnergyWh });
    measured.activePowerKw.forEach((kw, phase) => {
      const metersKw = (phaseEnergyWh[phase] * 4) / 1000;
      expect(kw / metersKw).toBeGreaterThanOrEqual(1.02);
      expect(kw / metersKw).toBeLessThanOrEqual(1.04);
    });
  });

  it('adds lagging reactive power at a power factor of 0.95-0.97', () => {
    const measured = substationMeasurement({ ...base, phaseEnergyWh: [20_000, 20_000, 20_000] });
    measured.activePowerKw.forEach((kw, phase) => {
      const powerFactor = kw / Math.hypot(kw, measured.reactivePowerKvar[phase]);
      expect(powerFactor).toBeGreaterThanOrEqual(0.949);
      expect(powerFactor).toBeLessThanOrEqual(0.971);
    });
  });

  it('keeps voltages within 207-253 V, lower under load and higher under reverse flow', () => {
    const at = (wh: number) => substationMeasurement({ ...base, phaseEnergyWh: [wh, wh, wh] }).voltageV;
    const rated = (630 / 3) * 250; // Wh per phase per quarter-hour at the rating
    for (const wh of [0, rated / 2, rated, 3 * rated, -rated, -3 * rated]) {
      for (const volts of at(wh)) {
        expect(volts).toBeGreaterThanOrEqual(207);
        expect(volts).toBeLessThanOrEqual(253);
      }
    }
    const mean = (v: Triple) => (v[0] + v[1] + v[2]) / 3;
    expect(mean(at(rated))).toBeLessThan(mean(at(0)) - 3);
    expect(mean(at(-rated))).toBeGreaterThan(mean(at(0)) + 3);
  });

  it('is deterministic per substation and interval', () => {
    const input = { ...base, phaseEnergyWh: [1_000, 2_000, 3_000] as const };
    expect(substationMeasurement(input, 5)).toEqual(substationMeasurement(input, 5));
    expect(substationMeasurement(input, 5)).not.toEqual(substationMeasurement({ ...input, intervalStartMs: input.intervalStartMs + QUARTER_MS }, 5));
  });
});

describe('addToPhases', () => {
  it('puts single-phase meters on their phase and splits three-phase meters equally', () => {
    const totals: Triple = [0, 0, 0];
    addToPhases(totals, 'B', 300);
    addToPhases(totals, 'ABC', 900);
    addToPhases(totals, 'A', -100);
    expect(totals).toEqual([200, 600, 300]);
  });
});

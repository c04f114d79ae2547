import { deviceReading } from './device-model';

describe('the demo fleet device model', () => {
  const session = { powerKw: 7.4, startMinute: 19 * 60 + 15, durationMinutes: 90 };

  it("charges the car at the wallbox's power during the session its load curve has, and only then", () => {
    const charger = { kind: 'EV_CHARGER' as const, ratedPowerKw: 7.4, session };
    expect(deviceReading(charger, 19 * 60 + 15, 12)).toEqual({ state: 'ON', powerKw: 7.4 });
    expect(deviceReading(charger, 20 * 60 + 44, 12)).toEqual({ state: 'ON', powerKw: 7.4 });
    expect(deviceReading(charger, 20 * 60 + 45, 12)).toEqual({ state: 'STANDBY', powerKw: 0 });
    expect(deviceReading(charger, 19 * 60 + 14, 12)).toEqual({ state: 'STANDBY', powerKw: 0 });
  });

  it('never reports more than the rated power, nor less than nothing, at any minute of any month', () => {
    const kinds = ['EV_CHARGER', 'WATER_HEATER', 'HEAT_PUMP', 'AIR_CONDITIONER', 'WASHING_MACHINE', 'DISHWASHER', 'PV_INVERTER', 'BATTERY', 'OTHER'] as const;
    for (const kind of kinds) {
      for (let month = 1; month <= 12; month++) {
        for (let minute = 0; minute < 1440; minute += 7) {
          const { powerKw } = deviceReading({ kind, ratedPowerKw: 3, session }, minute, month);
          expect(powerKw).toBeGreaterThanOrEqual(0);
          expect(powerKw).toBeLessThanOrEqual(3);
        }
      }
    }
  });

  it('produces PV only in daylight, most at solar noon', () => {
    const pv = { kind: 'PV_INVERTER' as const, ratedPowerKw: 4 };
    expect(deviceReading(pv, 3 * 60, 6)).toEqual({ state: 'OFF', powerKw: 0 });
    expect(deviceReading(pv, 13 * 60 + 30, 6).powerKw).toBeCloseTo(3.2, 1);
    expect(deviceReading(pv, 9 * 60, 6).powerKw).toBeLessThan(deviceReading(pv, 13 * 60, 6).powerKw);
  });
});

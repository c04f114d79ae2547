import type { DeviceKind, DeviceState } from '../../schema/hems';
import type { HomeCharger } from '../seed/load-curves';

/**
 * What a demo household's device is doing at a Lisbon local minute of the day, as its HEMS would
 * report it. The car follows the session its load curve was drawn with (tools/seed/hems.ts), so
 * telemetry and readings tell the same story; the rest follow the usual daily routines.
 */
export interface DeviceModel {
  kind: DeviceKind;
  ratedPowerKw: number;
  /** The household's car session, for an EV charger. */
  session?: HomeCharger;
}

export interface DeviceReading {
  state: DeviceState;
  powerKw: number;
}

const within = (minute: number, from: number, to: number) => minute >= from && minute < to;
const round3 = (kw: number) => Math.round(kw * 1000) / 1000;

/** `minuteOfDay` is local (0..1439); `month` 1..12 decides heating against cooling. */
export function deviceReading(device: DeviceModel, minuteOfDay: number, month: number): DeviceReading {
  const on = (share: number): DeviceReading => ({ state: 'ON', powerKw: round3(device.ratedPowerKw * share) });
  const standby: DeviceReading = { state: 'STANDBY', powerKw: 0 };
  const winter = month <= 3 || month >= 11;
  switch (device.kind) {
    case 'EV_CHARGER': {
      const session = device.session;
      return session && within(minuteOfDay, session.startMinute, session.startMinute + session.durationMinutes) ? on(1) : standby;
    }
    case 'WATER_HEATER':
      return within(minuteOfDay, 6 * 60 + 30, 7 * 60 + 30) || within(minuteOfDay, 19 * 60, 20 * 60) ? on(1) : standby;
    case 'HEAT_PUMP':
      return winter && (within(minuteOfDay, 7 * 60, 9 * 60) || within(minuteOfDay, 18 * 60, 23 * 60)) ? on(0.6) : standby;
    case 'AIR_CONDITIONER':
      return !winter && within(minuteOfDay, 14 * 60, 19 * 60) ? on(0.8) : { state: 'OFF', powerKw: 0 };
    case 'WASHING_MACHINE':
      return within(minuteOfDay, 21 * 60, 22 * 60 + 30) ? on(0.5) : { state: 'OFF', powerKw: 0 };
    case 'DISHWASHER':
      return within(minuteOfDay, 22 * 60, 23 * 60 + 30) ? on(0.6) : { state: 'OFF', powerKw: 0 };
    case 'BATTERY':
      // Discharging through the evening peak, what it reports is the power it delivers.
      return within(minuteOfDay, 18 * 60, 22 * 60) ? on(0.5) : standby;
    case 'PV_INVERTER': {
      // A clear-sky bell between sunrise and sunset, shorter in winter.
      const [sunrise, sunset] = winter ? [8 * 60, 17 * 60 + 30] : [6 * 60 + 30, 20 * 60 + 30];
      if (!within(minuteOfDay, sunrise, sunset)) return { state: 'OFF', powerKw: 0 };
      return on(0.8 * Math.sin((Math.PI * (minuteOfDay - sunrise)) / (sunset - sunrise)));
    }
    case 'OTHER':
      return on(0.1);
  }
}

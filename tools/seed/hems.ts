import type { DeviceKind } from '../../schema/hems';
import type { consents, devices, flexibleLoads } from '../../schema/tables';
import type { HomeCharger } from './load-curves';
import type { Random } from './parish';

export type HemsDeviceRow = typeof devices.$inferSelect;
export type FlexibleLoadRow = typeof flexibleLoads.$inferSelect;
export type ConsentRow = typeof consents.$inferSelect;

/**
 * What a HEMS household has behind its meter, and what its customer allows: the devices the HEMS
 * controls, the customer's conditions for each (the evening loads flexible, some opted out), and
 * the sharing of the HEMS with the retailer. An EV charger is a real load: its daily session is
 * drawn here and goes into the household's load curve (history.ts), so the curve shows the car.
 */

const NON_PV_DEVICES: readonly DeviceKind[] = ['WATER_HEATER', 'EV_CHARGER', 'HEAT_PUMP', 'AIR_CONDITIONER', 'BATTERY', 'WASHING_MACHINE', 'DISHWASHER'];

/** A 7.4 kW wallbox needs at least 6.9 kVA contracted to run alongside the house. */
const WALLBOX_MIN_KVA = 6.9;

function ratedPowerOf(kind: DeviceKind, pvKwp: number, kva: number, random: Random): number {
  switch (kind) {
    case 'HEAT_PUMP':
      return Math.round(random.range(1.5, 3.5) * 10) / 10;
    case 'WATER_HEATER':
      return random.pick([1.5, 2, 2.5, 3]);
    case 'EV_CHARGER':
      return kva >= WALLBOX_MIN_KVA ? random.pick([3.7, 7.4]) : 3.7;
    case 'AIR_CONDITIONER':
      return random.pick([0.9, 1.2, 1.8]);
    case 'BATTERY':
      return random.pick([2.5, 3, 3.6, 5]);
    case 'PV_INVERTER':
      return pvKwp;
    case 'WASHING_MACHINE':
    case 'DISHWASHER':
      return Math.round(random.range(1.8, 2.2) * 10) / 10;
    case 'OTHER':
      return 1;
  }
}

/** The HEMS's devices: a PV inverter where there is PV, and two to five others. */
export function drawDevices(hemsId: string, pvKwp: number, kva: number, random: Random): HemsDeviceRow[] {
  const count = random.int(2, 5);
  const kinds: DeviceKind[] = pvKwp > 0 ? ['PV_INVERTER'] : [];
  const pool = [...NON_PV_DEVICES];
  while (kinds.length < count && pool.length > 0) kinds.push(...pool.splice(Math.floor(random.next() * pool.length), 1));
  return kinds.map((kind, i) => ({
    id: `${hemsId}-D${i + 1}`,
    hemsId,
    kind,
    ratedPowerKw: ratedPowerOf(kind, pvKwp, kva, random),
    // Older appliances and some inverters are monitored only.
    controllable: kind === 'PV_INVERTER' ? random.chance(0.3) : random.chance(0.95),
    state: null,
    powerKw: null,
    stateAt: null,
  }));
}

/** The car's daily session at the charger's power: plugged in between 18:30 and 21:00, one to two hours. */
export function drawChargingSession(charger: HemsDeviceRow, random: Random): HomeCharger {
  return { powerKw: charger.ratedPowerKw, startMinute: 18 * 60 + 30 + random.int(0, 10) * 15, durationMinutes: random.int(4, 8) * 15 };
}

interface Conditions {
  /** Local minutes of the day. */
  window: [number, number];
  maxShiftMinutes: number;
  minRunMinutes: number;
  priority: number;
}

/**
 * Typical conditions per kind: the car may wait through the evening and night, the water heater's
 * tank rides through the evening peak, the rest allow less. Null: nothing the customer offers.
 */
const CONDITIONS: Partial<Record<DeviceKind, Conditions>> = {
  EV_CHARGER: { window: [18 * 60, 7 * 60], maxShiftMinutes: 240, minRunMinutes: 60, priority: 1 },
  WATER_HEATER: { window: [17 * 60, 23 * 60], maxShiftMinutes: 120, minRunMinutes: 30, priority: 2 },
  BATTERY: { window: [18 * 60, 22 * 60], maxShiftMinutes: 120, minRunMinutes: 0, priority: 2 },
  HEAT_PUMP: { window: [17 * 60, 22 * 60], maxShiftMinutes: 45, minRunMinutes: 30, priority: 3 },
  AIR_CONDITIONER: { window: [14 * 60, 20 * 60], maxShiftMinutes: 30, minRunMinutes: 15, priority: 4 },
  WASHING_MACHINE: { window: [8 * 60, 23 * 60], maxShiftMinutes: 240, minRunMinutes: 90, priority: 3 },
  DISHWASHER: { window: [8 * 60, 23 * 60 + 30], maxShiftMinutes: 240, minRunMinutes: 120, priority: 3 },
};

/** The customer's conditions for the controllable devices; about one in eight opted out. */
export function drawFlexibleLoads(hemsDevices: readonly HemsDeviceRow[], updatedAt: Date, random: Random): FlexibleLoadRow[] {
  const loads: FlexibleLoadRow[] = [];
  for (const device of hemsDevices) {
    const conditions = CONDITIONS[device.kind];
    if (!device.controllable || !conditions) continue;
    loads.push({
      id: `FL-${device.id}`,
      hemsId: device.hemsId,
      deviceId: device.id,
      earliestStartMinute: conditions.window[0],
      latestEndMinute: conditions.window[1],
      maxShiftMinutes: conditions.maxShiftMinutes,
      minRunMinutes: conditions.minRunMinutes,
      priority: conditions.priority,
      optedOut: random.chance(0.12),
      updatedAt,
    });
  }
  return loads;
}

/** Ten years, the longest a consent may run. */
const SHARING_MS = 3_650 * 86_400_000;

/** Most customers share their HEMS with their retailer (a hems:read consent), from the later of installation and contract. */
export function drawSharing(meteringPointId: string, retailerId: string, from: Date, random: Random): ConsentRow | null {
  if (!random.chance(0.85)) return null;
  return {
    id: `cns-${uuidFrom(random)}`,
    meteringPointId,
    organisationId: retailerId,
    scopes: ['hems:read'],
    validFrom: from,
    validTo: new Date(from.getTime() + SHARING_MS),
    grantedAt: from,
    grantedByKeyId: 'seed',
    revokedAt: null,
    revokedByKeyId: null,
  };
}

/** A version-4-shaped UUID from the seeded stream, so the parish stays reproducible. */
function uuidFrom(random: Random): string {
  const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}


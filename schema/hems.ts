/**
 * The vocabulary of home energy management, shared by its tables (schema/tables/hems.ts), its
 * hub events (schema/events.ts) and the HEMS subgraph's rules and types.
 */

export const DEVICE_KINDS = ['EV_CHARGER', 'WATER_HEATER', 'HEAT_PUMP', 'AIR_CONDITIONER', 'WASHING_MACHINE', 'DISHWASHER', 'PV_INVERTER', 'BATTERY', 'OTHER'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** What a device reports it is doing; FAULT takes it out of every flexibility offer. */
export const DEVICE_STATES = ['ON', 'OFF', 'STANDBY', 'FAULT'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** How the HEMS talks to its devices and to the retailer's platform. */
export const HEMS_PROTOCOLS = ['EEBUS', 'OPENADR', 'MODBUS_TCP', 'MQTT'] as const;
export type HemsProtocol = (typeof HEMS_PROTOCOLS)[number];

/** SHIFT a load out of a window, CURTAIL it to a power, RESTORE it to the customer's own control. */
export const HEMS_COMMAND_KINDS = ['SHIFT', 'CURTAIL', 'RESTORE'] as const;
export type HemsCommandKind = (typeof HEMS_COMMAND_KINDS)[number];

/** SENT by the retailer; the HEMS ACKNOWLEDGED it, EXECUTED it or REJECTED it; EXPIRED when no outcome came in time. */
export const HEMS_COMMAND_STATUSES = ['SENT', 'ACKNOWLEDGED', 'EXECUTED', 'REJECTED', 'EXPIRED'] as const;
export type HemsCommandStatus = (typeof HEMS_COMMAND_STATUSES)[number];

/** Why a command was sent: the order it serves. */
export const HEMS_COMMAND_REASONS = ['FLEX_ORDER', 'CONTRACTED_POWER_ORDER'] as const;
export type HemsCommandReason = (typeof HEMS_COMMAND_REASONS)[number];

/** Device kinds whose flexibility is less consumption (or, for a battery, discharge); a PV inverter's curtailment is more. */
export const REDUCIBLE_DEVICE_KINDS: readonly DeviceKind[] = DEVICE_KINDS.filter((kind) => kind !== 'PV_INVERTER');

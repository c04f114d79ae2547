import { Directive, Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DEVICE_KINDS, DEVICE_STATES, HEMS_PROTOCOLS } from '../../schema/hems';
import { ConnectionType } from '../kit/connection';
import { enumOf } from '../kit/enum';
import { MeteringPoint } from './metering-point.type';

export const DeviceKind = enumOf(DEVICE_KINDS);
registerEnumType(DeviceKind, { name: 'DeviceKind' });

export const DeviceState = enumOf(DEVICE_STATES);
registerEnumType(DeviceState, { name: 'DeviceState', description: 'As the HEMS last reported it; FAULT takes the device out of every flexibility offer' });

export const HemsProtocol = enumOf(HEMS_PROTOCOLS);
registerEnumType(HemsProtocol, { name: 'HemsProtocol' });

@ObjectType({ description: 'A device the HEMS sees and, when controllable, can switch or modulate' })
export class Device {
  @Field(() => ID)
  id!: string;

  @Field(() => DeviceKind)
  kind!: keyof typeof DeviceKind;

  @Field(() => Float)
  ratedPowerKw!: number;

  @Field(() => DeviceState, { nullable: true, description: 'Null until the HEMS first reports it' })
  state!: keyof typeof DeviceState | null;

  @Field(() => Float, { nullable: true, description: 'What it drew at stateAt, kW' })
  powerKw!: number | null;

  @Field(() => Date, { nullable: true, description: 'When the HEMS measured state and powerKw' })
  stateAt!: Date | null;

  @Field(() => Boolean, { description: 'Whether the HEMS can switch or modulate it at all; what the customer allows is in flexibleLoads' })
  controllable!: boolean;

  hemsId!: string;
}

@ObjectType({ description: "A home energy management system at a customer's premises" })
@Directive('@key(fields: "id")')
export class Hems {
  @Field(() => ID)
  id!: string;

  @Field(() => MeteringPoint)
  meteringPoint!: MeteringPoint;

  @Field(() => String)
  vendor!: string;

  @Field(() => HemsProtocol)
  protocol!: keyof typeof HemsProtocol;

  @Field(() => Date)
  installedAt!: Date;

  @Field(() => Boolean, { description: `Reported within HEMS_OFFLINE_AFTER_S (default 300 s)` })
  online!: boolean;

  @Field(() => Date, { nullable: true, description: 'Its newest telemetry report' })
  lastSeenAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'The retailer the customer shares it with now (a hems:read consent while the supply contract holds); null when it is shared with none' })
  sharedWithRetailerId!: string | null;

  meteringPointId!: string;
}

export const HemsConnection = ConnectionType(Hems, 'Hems');

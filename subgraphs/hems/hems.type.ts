import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum DeviceKind {
  HEAT_PUMP = 'HEAT_PUMP',
  WATER_HEATER = 'WATER_HEATER',
  EV_CHARGER = 'EV_CHARGER',
  BATTERY = 'BATTERY',
  PV_INVERTER = 'PV_INVERTER',
  APPLIANCE = 'APPLIANCE',
}
registerEnumType(DeviceKind, { name: 'DeviceKind' });

@ObjectType({ description: 'A device the HEMS can see and, when flexible, control' })
export class Device {
  @Field(() => ID)
  id!: string;

  @Field(() => DeviceKind)
  kind!: DeviceKind;

  @Field(() => Float)
  ratedPowerKw!: number;

  @Field(() => Boolean, { description: 'Whether the customer lets the HEMS shift or curtail it' })
  flexible!: boolean;

  hemsId!: string;
}

@ObjectType({ description: "A home energy management system at a customer's premises" })
export class Hems {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  vendor!: string;

  @Field(() => Date)
  installedAt!: Date;

  meteringPointId!: string;
}

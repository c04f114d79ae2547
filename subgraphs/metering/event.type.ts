import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, PageArgs } from '../kit/connection';

export enum MeterEventKind {
  POWER_OUTAGE = 'POWER_OUTAGE',
  POWER_RESTORED = 'POWER_RESTORED',
  VOLTAGE_SAG = 'VOLTAGE_SAG',
  VOLTAGE_SWELL = 'VOLTAGE_SWELL',
  CONTRACTED_POWER_EXCEEDED = 'CONTRACTED_POWER_EXCEEDED',
  TAMPER = 'TAMPER',
}
registerEnumType(MeterEventKind, { name: 'MeterEventKind' });

export enum MeterEventSeverity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
registerEnumType(MeterEventSeverity, { name: 'MeterEventSeverity' });

@ObjectType({ description: 'An event or alarm raised by a smart meter' })
export class MeterEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => MeterEventKind)
  kind!: MeterEventKind;

  @Field(() => MeterEventSeverity)
  severity!: MeterEventSeverity;
}

export const MeterEventConnection = ConnectionType(MeterEvent, 'MeterEvent');

@ArgsType()
export class EventArgs extends PageArgs {
  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;
}

@InputType()
export class MeterEventInput {
  @Field(() => ID)
  meteringPointId!: string;

  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => MeterEventKind)
  kind!: MeterEventKind;

  @Field(() => MeterEventSeverity)
  severity!: MeterEventSeverity;
}

@ObjectType()
export class IngestEventsResult {
  @Field(() => Int)
  received!: number;

  @Field(() => Int, { description: 'Events not already recorded (same point, time and kind)' })
  written!: number;
}

import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AreaInput } from '../kit/area.type';
import { ConnectionType } from '../kit/connection';

export enum ContractedPowerOrderStatus {
  ISSUED = 'ISSUED',
  ACTIVE = 'ACTIVE',
  RESTORED = 'RESTORED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(ContractedPowerOrderStatus, { name: 'ContractedPowerOrderStatus', description: 'ACTIVE: issued and started' });

export enum ContractedPowerOrderEventKind {
  ISSUED = 'ISSUED',
  RESTORED = 'RESTORED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(ContractedPowerOrderEventKind, { name: 'ContractedPowerOrderEventKind' });

/** Metering owns metering points; an order only names them. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class MeteringPoint {
  @Field(() => ID)
  id!: string;
}

@InputType()
export class IssueContractedPowerOrderInput {
  @Field(() => AreaInput)
  area!: AreaInput;

  @Field(() => Float, { description: 'Reduction of contracted power, 1 to 100 %' })
  reductionPercent!: number;

  @Field(() => Date)
  start!: Date;

  @Field(() => Date)
  expectedEnd!: Date;

  @Field(() => String)
  reason!: string;
}

@ObjectType()
export class Acknowledgement {
  @Field(() => ID)
  organisationId!: string;

  @Field(() => Date)
  at!: Date;
}

@ObjectType({ description: 'A metering point under an order, with its cap while the order lasts' })
export class AffectedMeteringPoint {
  @Field(() => MeteringPoint)
  meteringPoint!: MeteringPoint;

  @Field(() => Float, { description: 'Contracted power × (1 − reduction), kW' })
  temporaryMaxPowerKw!: number;
}

@ObjectType({ description: "A point whose average power went above its cap in at least one quarter-hour of the order's window" })
export class ComplianceBreach extends AffectedMeteringPoint {
  @Field(() => Float, { description: 'Highest quarter-hour average import power in the window, kW' })
  maxObservedKw!: number;

  @Field(() => Int)
  intervalsAbove!: number;
}

@ObjectType({ description: 'An emergency order to cap the power of the customers of an area' })
@Directive('@key(fields: "id")')
export class ContractedPowerOrder {
  @Field(() => ID)
  id!: string;

  @Field(() => ContractedPowerOrderStatus)
  status!: ContractedPowerOrderStatus;

  @Field(() => Float)
  reductionPercent!: number;

  @Field(() => Date)
  start!: Date;

  @Field(() => Date)
  expectedEnd!: Date;

  @Field(() => String)
  reason!: string;

  @Field(() => Date)
  issuedAt!: Date;

  @Field(() => Date, { nullable: true })
  restoredAt!: Date | null;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;
}

export const ContractedPowerOrderConnection = ConnectionType(ContractedPowerOrder, 'ContractedPowerOrder');

@ObjectType({ description: 'A change of a contracted-power order, as pushed to the retailers concerned' })
export class ContractedPowerOrderEvent {
  @Field(() => ID, { description: 'Strictly increasing in delivery order; resume a subscription with after: eventId' })
  eventId!: string;

  @Field(() => ContractedPowerOrderEventKind)
  kind!: ContractedPowerOrderEventKind;

  @Field(() => ContractedPowerOrder)
  order!: ContractedPowerOrder;

  // `affected` is a field resolver (hub-event.resolver.ts): read, and logged, only when asked for.
  orderId!: string;
}

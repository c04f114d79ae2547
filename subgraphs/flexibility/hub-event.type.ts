import { Authorized, Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { CRITICAL_PEAK_EVENT_KINDS, GRID_CONSTRAINT_EVENT_KINDS, HEMS_STATUS_EVENT_KINDS, HUB_EVENT_TYPES } from '../../schema/events';
import { HEMS_COMMAND_STATUSES } from '../../schema/hems';
import { enumOf } from '../kit/enum';
import { ContractedPowerOrderEvent } from './contracted-power-order.type';
import { FlexOffer } from './flex-offer.type';
import { FlexOrder } from './flex-order.type';
import { FlexRequest } from './flex-request.type';

export const HubEventType = enumOf(HUB_EVENT_TYPES);
registerEnumType(HubEventType, { name: 'HubEventType' });

export const GridConstraintEventKind = enumOf(GRID_CONSTRAINT_EVENT_KINDS);
registerEnumType(GridConstraintEventKind, { name: 'GridConstraintEventKind', description: 'NEW: found by a power-flow run or declared by the DSO' });

/** The grid owns constraints, and checks who may see each when the gateway resolves it there. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class GridConstraint {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A grid constraint new or cleared, as pushed to the retailers and aggregators with customers behind its secondary substation' })
export class GridConstraintEvent {
  @Field(() => ID, { description: 'Strictly increasing in delivery order; resume a subscription with after: eventId' })
  eventId!: string;

  @Field(() => GridConstraintEventKind)
  kind!: keyof typeof GridConstraintEventKind;

  @Field(() => GridConstraint, { nullable: true, description: 'As it is now; null once you may no longer see its area (no customers there any more), unless only its id is asked for' })
  constraint!: GridConstraint;
}

export const HemsStatusEventKind = enumOf(HEMS_STATUS_EVENT_KINDS);
registerEnumType(HemsStatusEventKind, { name: 'HemsStatusEventKind', description: 'OFFLINE: no report for HEMS_OFFLINE_AFTER_S; ONLINE: it reported again' });

// The HEMS subgraph's vocabulary, declared here too for the events that carry it.
export const HemsCommandStatus = enumOf(HEMS_COMMAND_STATUSES);
registerEnumType(HemsCommandStatus, { name: 'HemsCommandStatus' });

/** The HEMS subgraph owns HEMS, and checks who may see each when the gateway resolves it there. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class Hems {
  @Field(() => ID)
  id!: string;
}

/** Likewise commands: their issuer, the HEMS's customer and, for one sent for a flex order, the DSO see one. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class HemsCommand {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A HEMS went offline or came back, as pushed to the parties it is shared with (not to the DSO)' })
export class HemsStatusEvent {
  @Field(() => ID, { description: 'Strictly increasing in delivery order; resume a subscription with after: eventId' })
  eventId!: string;

  @Field(() => HemsStatusEventKind)
  kind!: keyof typeof HemsStatusEventKind;

  @Field(() => Date, { description: 'Its last report before it went silent, or the report that brought it back' })
  lastSeenAt!: Date;

  @Field(() => Hems, { nullable: true, description: 'As it is now; null once it is no longer shared with you, unless only its id is asked for' })
  hems!: Hems;
}

@ObjectType({ description: "A command's outcome changed (the HEMS answered, or the command expired), as pushed to the organisation that sent it" })
export class HemsCommandEvent {
  @Field(() => ID, { description: 'Strictly increasing in delivery order; resume a subscription with after: eventId' })
  eventId!: string;

  @Field(() => HemsCommandStatus)
  kind!: keyof typeof HemsCommandStatus;

  @Field(() => HemsCommand, { nullable: true, description: 'As it is now; null once you may no longer see it, unless only its id is asked for' })
  command!: HemsCommand;
}

export const CriticalPeakEventKind = enumOf(CRITICAL_PEAK_EVENT_KINDS);
registerEnumType(CriticalPeakEventKind, { name: 'CriticalPeakEventKind', description: 'ANNOUNCED: by the DSO, with the notice CRITICAL_PEAK_NOTICE_HOUR sets' });

/** The tariffs subgraph owns critical-peak events, and reads each again when the gateway resolves it there. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class CriticalPeakEvent {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: "A critical-peak event announced, as pushed to the DSO, the retailers supplying the points on its scheme then, and those points' customers" })
export class CriticalPeakNotice {
  @Field(() => ID, { description: 'Strictly increasing in delivery order; resume a subscription with after: eventId' })
  eventId!: string;

  @Field(() => CriticalPeakEventKind)
  kind!: keyof typeof CriticalPeakEventKind;

  @Field(() => Date, { description: "The event's start, as announced" })
  start!: Date;

  @Field(() => Date, { description: "The event's end, as announced" })
  end!: Date;

  @Field(() => CriticalPeakEvent, { nullable: true, description: 'The event with its scheme, as the tariffs subgraph has it' })
  criticalPeakEvent!: CriticalPeakEvent;
}

@ObjectType({ description: 'Any event the hub pushes; exactly the field of its type is set' })
export class HubEvent {
  @Field(() => ID, { description: 'Strictly increasing in delivery order; resume a subscription with after: eventId' })
  eventId!: string;

  @Field(() => HubEventType)
  type!: keyof typeof HubEventType;

  @Field(() => Date)
  occurredAt!: Date;

  // What an event is about is read with the same scope as the thing itself.
  @Authorized('flex:read')
  @Field(() => ContractedPowerOrderEvent, { nullable: true })
  contractedPowerOrder!: ContractedPowerOrderEvent | null;

  @Authorized('flex:read')
  @Field(() => FlexRequest, { nullable: true })
  flexRequest!: FlexRequest | null;

  @Authorized('flex:read')
  @Field(() => FlexOffer, { nullable: true })
  flexOffer!: FlexOffer | null;

  @Authorized('flex:read')
  @Field(() => FlexOrder, { nullable: true })
  flexOrder!: FlexOrder | null;

  // The audience is the grid's area rule (grid-area.sql.ts), which the constraint is resolved with again.
  @Authorized('flex:read')
  @Field(() => GridConstraintEvent, { nullable: true })
  gridConstraint!: GridConstraintEvent | null;

  // Private events: only the parties the HEMS is shared with (or the command's issuer) receive them.
  @Authorized('hems:read')
  @Field(() => HemsStatusEvent, { nullable: true })
  hemsStatus!: HemsStatusEvent | null;

  @Authorized('hems:read')
  @Field(() => HemsCommandEvent, { nullable: true })
  hemsCommand!: HemsCommandEvent | null;

  // Addressed only (ADDRESSED_EVENT_TYPES): the parties on the scheme and the DSO; its content is a published scheme's, read with tariffs:read.
  @Authorized('tariffs:read')
  @Field(() => CriticalPeakNotice, { nullable: true })
  criticalPeakEvent!: CriticalPeakNotice | null;
}

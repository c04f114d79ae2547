import { Authorized, Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { GRID_CONSTRAINT_EVENT_KINDS, HUB_EVENT_TYPES } from '../../schema/events';
import { enumOf } from '../kit/enum';
import { ContractedPowerOrderEvent } from './contracted-power-order.type';
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

  // The audience is the grid's area rule (grid-area.sql.ts), which the constraint is resolved with again.
  @Authorized('flex:read')
  @Field(() => GridConstraintEvent, { nullable: true })
  gridConstraint!: GridConstraintEvent | null;
}

import { Authorized, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { HUB_EVENT_TYPES } from '../../schema/events';
import { ContractedPowerOrderEvent } from './contracted-power-order.type';
import { FlexRequest } from './flex-request.type';

export const HubEventType = Object.fromEntries(HUB_EVENT_TYPES.map((type) => [type, type])) as { [K in (typeof HUB_EVENT_TYPES)[number]]: K };
registerEnumType(HubEventType, { name: 'HubEventType' });

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
}

import { Directive, Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../kit/connection';

export enum FlexDirection {
  DOWN = 'DOWN',
  UP = 'UP',
}
registerEnumType(FlexDirection, { name: 'FlexDirection', description: 'DOWN: consume less (or inject more); UP: the reverse' });

export enum FlexRequestStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(FlexRequestStatus, { name: 'FlexRequestStatus' });

/** Grid owns secondary substations; flexibility only points at one. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class SecondarySubstation {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A DSO request for flexibility on a congested part of the LV network' })
@Directive('@key(fields: "id")')
export class FlexRequest {
  @Field(() => ID)
  id!: string;

  @Field(() => FlexDirection)
  direction!: FlexDirection;

  @Field(() => Float)
  powerKw!: number;

  @Field(() => Date)
  windowStart!: Date;

  @Field(() => Date)
  windowEnd!: Date;

  @Field(() => FlexRequestStatus)
  status!: FlexRequestStatus;

  @Field(() => Date)
  createdAt!: Date;

  secondarySubstationId!: string;
}

@InputType()
export class CreateFlexRequestInput {
  @Field(() => ID)
  secondarySubstationId!: string;

  @Field(() => FlexDirection)
  direction!: FlexDirection;

  @Field(() => Float)
  powerKw!: number;

  @Field(() => Date)
  windowStart!: Date;

  @Field(() => Date)
  windowEnd!: Date;
}

export const FlexRequestConnection = ConnectionType(FlexRequest, 'FlexRequest');

import { ArgsType, Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CONGESTION_POINT_KINDS, FLEX_REQUEST_CLOSE_REASONS, FLEX_REQUEST_STATUSES } from '../../schema/flexibility';
import { ConnectionType, PageArgs } from '../kit/connection';
import { enumOf } from '../kit/enum';

export const FlexRequestStatus = enumOf(FLEX_REQUEST_STATUSES);
registerEnumType(FlexRequestStatus, { name: 'FlexRequestStatus', description: 'OPEN until the DSO closes it or its last ISP ends; closing sends FLEX_RESTORE' });

export const FlexRequestCloseReason = enumOf(FLEX_REQUEST_CLOSE_REASONS);
registerEnumType(FlexRequestCloseReason, { name: 'FlexRequestCloseReason', description: 'BY_DSO: closeFlexRequest; PERIOD_ENDED: its last ISP ended' });

// Grid's enum of the same name and values, as federation composes value types.
export const CongestionPointKind = enumOf(CONGESTION_POINT_KINDS);
registerEnumType(CongestionPointKind, { name: 'CongestionPointKind' });

/** Grid owns secondary substations; flexibility only points at one. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class SecondarySubstation {
  @Field(() => ID)
  id!: string;
}

/** Grid owns flexibility needs (and says who may see one); a request only points at the one it answers. */
@ObjectType()
@Directive('@key(fields: "id", resolvable: false)')
export class FlexibilityNeed {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'The requested reduction in one 15-minute ISP (kW averaged over it; positive = less consumption)' })
export class FlexRequestIsp {
  @Field(() => Date)
  start!: Date;

  @Field(() => Float, { description: 'The least reduction that solves the congestion' })
  minKw!: number;

  @Field(() => Float, { description: 'The most the DSO will order' })
  maxKw!: number;
}

@ObjectType({ description: 'Per ISP: whether the open offers cover the minimum, and by how much they fall short' })
export class FlexSufficiencyIsp {
  @Field(() => Date)
  start!: Date;

  @Field(() => Float)
  minKw!: number;

  @Field(() => Float, { description: 'The sum of the open (and ordered) offers of the current revision' })
  offeredKw!: number;

  @Field(() => Float, { description: 'max(0, minKw − offeredKw): 0 when the offers suffice' })
  shortfallKw!: number;
}

@ObjectType({ description: "Per ISP, every retailer's and aggregator's reports on the request's orders, as one feedback for the DSO" })
export class FlexActivationFeedbackIsp {
  @Field(() => Date)
  start!: Date;

  @Field(() => Float, { description: 'The sum of the orders: offered kW × activation factor' })
  orderedKw!: number;

  @Field(() => Float, { description: 'The sum of what the offerers report they shifted' })
  reportedKw!: number;

  @Field(() => Int, { description: 'HEMS reported on' })
  hemsCount!: number;
}

@ObjectType({ description: 'A DSO request for flexibility at a congestion point (a feeder or a secondary substation), per 15-minute ISP' })
@Directive('@key(fields: "id")')
export class FlexRequest {
  @Field(() => ID)
  id!: string;

  @Field(() => FlexRequestStatus)
  status!: keyof typeof FlexRequestStatus;

  @Field(() => Int, { description: 'From 1; each reviseFlexRequest adds one and supersedes the open offers' })
  revision!: number;

  @Field(() => CongestionPointKind)
  congestionPointKind!: keyof typeof CongestionPointKind;

  @Field(() => ID, { description: 'The feeder, or the secondary substation' })
  congestionPointId!: string;

  @Field(() => ID, { nullable: true, description: "The grid's flexibility need (PowerFlowRun.flexibilityNeeds) the request answers" })
  needId!: string | null;

  @Field(() => Date, { description: 'The first ISP' })
  periodStart!: Date;

  @Field(() => Date, { description: 'The end of the last ISP' })
  periodEnd!: Date;

  @Field(() => Date, { description: 'Offers are taken until then' })
  expiresAt!: Date;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  revisedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  closedAt!: Date | null;

  @Field(() => FlexRequestCloseReason, { nullable: true })
  closeReason!: keyof typeof FlexRequestCloseReason | null;

  @Field(() => Date, { nullable: true, description: 'When FLEX_RESTORE told its recipients to go back to normal' })
  restoredAt!: Date | null;

  secondarySubstationId!: string;
}

@InputType({ description: 'One ISP of a request: its start on the 15-minute grid, the least and the most reduction (kW)' })
export class FlexIspInput {
  @Field(() => Date)
  start!: Date;

  @Field(() => Float)
  minKw!: number;

  @Field(() => Float)
  maxKw!: number;
}

@InputType()
export class CreateFlexRequestInput {
  @Field(() => ID, { description: 'A feeder or a secondary substation' })
  congestionPointId!: string;

  @Field(() => [FlexIspInput], { description: "Consecutive or not, each on the 15-minute grid; empty with needId: the need's intervals, minKw = maxKw = its reduction" })
  isps!: FlexIspInput[];

  @Field(() => Date, { description: 'Offers are taken until then: in the future, no later than the first ISP' })
  expiresAt!: Date;

  @Field(() => ID, { nullable: true, description: "The grid's flexibility need it answers; its congestion point must be this one" })
  needId?: string | null;
}

@InputType()
export class ReviseFlexRequestInput {
  @Field(() => ID)
  id!: string;

  @Field(() => [FlexIspInput])
  isps!: FlexIspInput[];

  @Field(() => Date)
  expiresAt!: Date;
}

export const FlexRequestConnection = ConnectionType(FlexRequest, 'FlexRequest');

@ArgsType()
export class FlexRequestsArgs extends PageArgs {
  @Field(() => FlexRequestStatus, { nullable: true, description: 'Only requests in this status' })
  status?: keyof typeof FlexRequestStatus;
}

@ObjectType({ description: 'A request created, revised or closed (back to normal), as pushed to the DSO and the organisations it was published to' })
export class FlexRequestEvent {
  @Field(() => ID, { description: 'Strictly increasing in delivery order; resume a subscription with after: eventId' })
  eventId!: string;

  @Field(() => String, { description: 'CREATED or REVISED (FLEX_REQUEST); BY_DSO or PERIOD_ENDED (FLEX_RESTORE: go back to normal)' })
  kind!: string;

  @Field(() => FlexRequest, { nullable: true, description: 'As it is now' })
  flexRequest!: FlexRequest | null;
}

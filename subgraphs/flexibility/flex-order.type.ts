import { ArgsType, Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FLEX_ORDER_STATUSES } from '../../schema/flexibility';
import { ConnectionType, PageArgs } from '../kit/connection';
import { enumOf } from '../kit/enum';

export const FlexOrderStatus = enumOf(FLEX_ORDER_STATUSES);
registerEnumType(FlexOrderStatus, {
  name: 'FlexOrderStatus',
  description: 'ORDERED by the DSO; ACTIVATED once the offerer reports; SETTLED from the meters; CANCELLED when its request closed before its first ISP',
});

@ObjectType({ description: 'What the offerer reports one HEMS of the order shifted in one ISP (kW averaged over it)' })
export class FlexActivation {
  @Field(() => Date)
  start!: Date;

  @Field(() => ID)
  hemsId!: string;

  @Field(() => Float)
  kw!: number;

  @Field(() => Date)
  reportedAt!: Date;
}

@ObjectType({ description: 'One ISP of a settlement, in kW averaged over it' })
export class FlexSettlementIsp {
  @Field(() => Date)
  start!: Date;

  @Field(() => Float, { description: "The order's points' mean import at this local time on the baseline days" })
  baselineKw!: number;

  @Field(() => Float, { description: 'Offered kW × activation factor' })
  orderedKw!: number;

  @Field(() => Float, { description: "The order's points' metered import in the ISP" })
  actualKw!: number;

  @Field(() => Float, { description: 'max(0, baselineKw − actualKw)' })
  deliveredKw!: number;

  @Field(() => Float, { description: 'max(0, orderedKw − deliveredKw)' })
  deficiencyKw!: number;
}

@ObjectType({ description: "An order's settlement from metered data; the baseline method and the penalty are in the README (Flexibility market)" })
export class FlexSettlement {
  @Field(() => [String], { description: 'The local days (YYYY-MM-DD) the baseline is the mean of, most recent first' })
  baselineDays!: string[];

  @Field(() => [ID], { description: "The metering points of the order's HEMS" })
  meteringPointIds!: string[];

  @Field(() => Float, { description: 'Paid to the offerer (negative: owed by it): delivered energy up to the ordered, at the offer price, less the deficiency energy at the offer price' })
  amountEur!: number;

  @Field(() => [FlexSettlementIsp])
  isps!: FlexSettlementIsp[];

  @Field(() => Date)
  settledAt!: Date;

  orderId!: string;
}

@ObjectType({ description: "The DSO's order of an offer, fully or scaled by an activation factor" })
@Directive('@key(fields: "id")')
export class FlexOrder {
  @Field(() => ID)
  id!: string;

  @Field(() => FlexOrderStatus)
  status!: keyof typeof FlexOrderStatus;

  @Field(() => Float, { description: 'In (0, 1]: the share of each offered ISP ordered' })
  activationFactor!: number;

  @Field(() => ID, { description: 'The offerer' })
  organisationId!: string;

  @Field(() => Date)
  orderedAt!: Date;

  @Field(() => Date, { nullable: true })
  activatedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  settledAt!: Date | null;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;

  offerId!: string;
  requestId!: string;
}

@InputType()
export class OrderFlexInput {
  @Field(() => ID)
  offerId!: string;

  @Field(() => Float, { nullable: true, description: 'In (0, 1]; 1 (the whole offer) when omitted' })
  activationFactor?: number | null;
}

@InputType({ description: 'What one HEMS of the order shifted in one of its ISPs (kW averaged over it, ≥ 0)' })
export class ActivationIspInput {
  @Field(() => Date)
  start!: Date;

  @Field(() => ID)
  hemsId!: string;

  @Field(() => Float)
  kw!: number;
}

@InputType()
export class ReportActivationInput {
  @Field(() => ID)
  orderId!: string;

  @Field(() => [ActivationIspInput])
  isps!: ActivationIspInput[];
}

@ObjectType({ description: 'What settleFlexOrders did' })
export class FlexSettlementRun {
  @Field(() => Int, { description: 'Orders settled now' })
  settled!: number;

  @Field(() => [ID], { description: 'Orders left unsettled: fewer than 2 baseline days, or their readings are not all in' })
  unsettledOrderIds!: string[];
}

export const FlexOrderConnection = ConnectionType(FlexOrder, 'FlexOrder');

@ArgsType()
export class FlexOrdersArgs extends PageArgs {
  @Field(() => FlexOrderStatus, { nullable: true, description: 'Only orders in this status' })
  status?: keyof typeof FlexOrderStatus | null;
}

@ObjectType({ description: 'An order placed, activated, settled or cancelled, as pushed to the DSO and the offerer' })
export class FlexOrderEvent {
  @Field(() => ID, { description: 'Strictly increasing in delivery order; resume a subscription with after: eventId' })
  eventId!: string;

  @Field(() => String, { description: 'ORDERED, ACTIVATED, SETTLED or CANCELLED' })
  kind!: string;

  @Field(() => FlexOrder, { nullable: true, description: 'As it is now' })
  flexOrder!: FlexOrder | null;
}

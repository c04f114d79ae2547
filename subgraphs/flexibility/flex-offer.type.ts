import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FLEX_OFFER_STATUSES } from '../../schema/flexibility';
import { enumOf } from '../kit/enum';

export const FlexOfferStatus = enumOf(FLEX_OFFER_STATUSES);
registerEnumType(FlexOfferStatus, {
  name: 'FlexOfferStatus',
  description: 'OPEN until ordered, revoked, superseded by a revision of its request, or past its expiry (EXPIRED)',
});

@ObjectType({ description: 'The offered reduction in one ISP (kW averaged over it)' })
export class FlexOfferIsp {
  @Field(() => Date)
  start!: Date;

  @Field(() => Float)
  kw!: number;
}

@ObjectType({ description: "A retailer's or aggregator's offer of its customers' flexibility for a request" })
export class FlexOffer {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The offerer' })
  organisationId!: string;

  @Field(() => FlexOfferStatus)
  status!: keyof typeof FlexOfferStatus;

  @Field(() => [FlexOfferIsp])
  isps!: FlexOfferIsp[];

  @Field(() => Float, { description: 'EUR per kWh delivered' })
  priceEurPerKwh!: number;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => ID)
  flexRequestId!: string;

  @Field(() => Int, { description: 'The revision of the request it answers' })
  requestRevision!: number;
}

@InputType({ description: "One ISP of an offer: a request's ISP start and the offered kW" })
export class OfferIspInput {
  @Field(() => Date)
  start!: Date;

  @Field(() => Float)
  kw!: number;
}

@InputType()
export class SubmitFlexOfferInput {
  @Field(() => ID)
  flexRequestId!: string;

  @Field(() => [OfferIspInput], { description: "ISPs of the request, each at most your customers' available flexibility behind its congestion point (less your other open offers)" })
  isps!: OfferIspInput[];

  @Field(() => Float, { description: 'EUR per kWh delivered, 0 to 10' })
  priceEurPerKwh!: number;

  @Field(() => Date, { description: "In the future and no later than the request's first ISP" })
  expiresAt!: Date;

  @Field(() => String, { description: 'Yours: the same key answers with the first offer; with other content it is a CONFLICT' })
  idempotencyKey!: string;
}

import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Resolution } from './demand.rules';
import { LoadCurvePoint } from './reading.type';

@InputType({ description: 'Exactly one of the fields' })
export class DemandScopeInput {
  @Field(() => [ID], { nullable: true, description: 'A set of metering points' })
  meteringPointIds?: string[];

  @Field(() => ID, { nullable: true })
  feederId?: string;

  @Field(() => ID, { nullable: true })
  secondarySubstationId?: string;

  @Field(() => ID, { nullable: true })
  primarySubstationId?: string;

  @Field(() => ID, { nullable: true, description: "A retailer's portfolio, over the periods it supplied each point" })
  retailerId?: string;

  @Field(() => Boolean, { nullable: true, description: 'The whole network' })
  network?: boolean;
}

@ObjectType()
export class DemandPoint extends LoadCurvePoint {
  @Field(() => Int, { description: 'Readings summed into this bucket' })
  readingCount!: number;
}

@ObjectType({ description: 'Aggregated demand of a scope' })
export class DemandSeries {
  @Field(() => Int, { description: 'Metering points in the scope' })
  meteringPointCount!: number;

  @Field(() => Resolution)
  resolution!: Resolution;

  @Field(() => [DemandPoint])
  points!: DemandPoint[];
}

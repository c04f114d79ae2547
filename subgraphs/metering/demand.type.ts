import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Resolution } from './demand.rules';
import type { WithheldReason } from '../kit/disclosure.rules';

export enum DemandWithheldReason {
  TOO_FEW_POINTS = 'TOO_FEW_POINTS',
  COMPLEMENTARY = 'COMPLEMENTARY',
  INCOMPLETE = 'INCOMPLETE',
}
registerEnumType(DemandWithheldReason, {
  name: 'DemandWithheldReason',
  description:
    'Why a total is withheld. TOO_FEW_POINTS: fewer than the minimum of metering points (other than your own) reported. ' +
    'COMPLEMENTARY: with the totals you do get, it would single out fewer than the minimum. ' +
    'INCOMPLETE: not every metering point in force has reported yet.',
});

@InputType({ description: 'Exactly one of the fields' })
export class DemandScopeInput {
  @Field(() => [ID], { nullable: true, description: 'A set of metering points: only points you may read one by one' })
  meteringPointIds?: string[];

  @Field(() => ID, { nullable: true })
  feederId?: string;

  @Field(() => ID, { nullable: true })
  secondarySubstationId?: string;

  @Field(() => ID, { nullable: true })
  primarySubstationId?: string;

  @Field(() => ID, { nullable: true, description: "A retailer's portfolio, over the periods it supplied each point: for that retailer and the regulator" })
  retailerId?: string;

  @Field(() => Boolean, { nullable: true, description: 'The whole network' })
  network?: boolean;
}

@ObjectType({ description: 'Demand in one bucket; every value is null when the bucket is withheld' })
export class DemandPoint {
  @Field(() => Date, { description: 'Start of the bucket (UTC)' })
  intervalStart!: Date;

  @Field(() => Float, { nullable: true, description: 'Energy imported in the bucket (Wh)' })
  importWh!: number | null;

  @Field(() => Float, { nullable: true, description: 'Energy exported in the bucket (Wh)' })
  exportWh!: number | null;

  @Field(() => Float, { nullable: true, description: 'Average import power over the bucket (kW)' })
  avgImportKw!: number | null;

  @Field(() => Int, { nullable: true, description: 'Readings summed into this bucket' })
  readingCount!: number | null;

  @Field(() => DemandWithheldReason, { nullable: true, description: 'Why the values are withheld; null when they are given' })
  withheld!: WithheldReason | null;
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

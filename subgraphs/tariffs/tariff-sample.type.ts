import { Field, ID, InputType } from 'type-graphql';

/** The metering points a calibration or a KPI is computed on (tariff-sample.rules.ts reads it). */
@InputType({ description: 'Exactly one of the fields' })
export class TariffSampleInput {
  @Field(() => [ID], { nullable: true, description: 'A set of metering points, at most 5,000' })
  meteringPointIds?: string[];

  @Field(() => ID, { nullable: true, description: 'The metering points behind a secondary substation' })
  secondarySubstationId?: string;
}

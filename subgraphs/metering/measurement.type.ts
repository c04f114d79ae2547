import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Grid owns secondary substations; metering adds what their DTC measured. */
@ObjectType()
@Directive('@key(fields: "id")')
export class SecondarySubstation {
  @Field(() => ID)
  id!: string;
}

export enum Phase {
  A = 'A',
  B = 'B',
  C = 'C',
}
registerEnumType(Phase, { name: 'Phase' });

@ObjectType()
export class PhaseMeasurement {
  @Field(() => Phase)
  phase!: Phase;

  @Field(() => Float)
  activePowerKw!: number;

  @Field(() => Float)
  reactivePowerKvar!: number;

  @Field(() => Float)
  voltageV!: number;
}

@ObjectType({ description: "A 15-minute DTC measurement at a secondary substation's transformer" })
export class SubstationMeasurement {
  @Field(() => Date)
  intervalStart!: Date;

  @Field(() => [PhaseMeasurement])
  phases!: PhaseMeasurement[];
}

@InputType()
export class PhaseMeasurementInput {
  @Field(() => Float)
  activePowerKw!: number;

  @Field(() => Float)
  reactivePowerKvar!: number;

  @Field(() => Float)
  voltageV!: number;
}

@InputType()
export class SubstationMeasurementInput {
  @Field(() => ID)
  secondarySubstationId!: string;

  @Field(() => Date)
  intervalStart!: Date;

  @Field(() => [PhaseMeasurementInput], { description: 'Phases A, B and C, in that order; values are kept to three decimals' })
  phases!: PhaseMeasurementInput[];
}

@ObjectType()
export class IngestMeasurementsResult {
  @Field(() => Int)
  received!: number;

  @Field(() => Int, { description: 'New or changed intervals' })
  written!: number;
}

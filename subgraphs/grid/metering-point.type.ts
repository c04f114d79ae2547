import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Grid's share of the metering point: where it is connected. Metering owns the rest. */
@ObjectType()
@Directive('@key(fields: "id")')
export class MeteringPoint {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'Where a metering point hangs on the LV network' })
export class GridConnection {
  @Field(() => ID)
  feederId!: string;

  @Field(() => ID)
  secondarySubstationId!: string;

  @Field(() => String, { description: "'A', 'B' or 'C' for single-phase customers, 'ABC' for three-phase" })
  phase!: string;

  @Field(() => ID, { nullable: true, description: 'The bus of the network model it is connected at; null where the model is not surveyed' })
  busId!: string | null;
}

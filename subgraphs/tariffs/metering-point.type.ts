import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Tariffs' share of the metering point: the plan it is on. Metering owns the rest. */
@ObjectType()
@Directive('@key(fields: "id")')
export class MeteringPoint {
  @Field(() => ID)
  id!: string;
}

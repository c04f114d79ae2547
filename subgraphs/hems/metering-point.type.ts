import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** HEMS's share of the metering point: the system installed behind it. Metering owns the rest. */
@ObjectType()
@Directive('@key(fields: "id")')
export class MeteringPoint {
  @Field(() => ID)
  id!: string;
}

import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MAX_FLEXIBLE_LOADS, MAX_PRIORITY, MIN_PRIORITY, MINUTES_PER_DAY } from './flexible-load.rules';

const WINDOW = 'local time HH:MM (Lisbon); the window runs over midnight when latestEnd is not after earliestStart, and all day when they are equal';

@ObjectType({ description: "The customer's conditions for one device: when and how far the retailer may touch it" })
export class FlexibleLoad {
  @Field(() => ID)
  id!: string;

  // `device` is a field resolver (flexible-load.resolver.ts).
  @Field(() => String, { description: `Start of the window it may be touched in, ${WINDOW}` })
  earliestStart!: string;

  @Field(() => String, { description: `End of the window, ${WINDOW}` })
  latestEnd!: string;

  @Field(() => Int, { description: 'The longest it may be shifted or interrupted, minutes' })
  maxShiftMinutes!: number;

  @Field(() => Int, { description: 'The least it must run once started, minutes' })
  minRunMinutes!: number;

  @Field(() => Int, { description: `The order loads may be touched in: ${MIN_PRIORITY} first, ${MAX_PRIORITY} last` })
  priority!: number;

  @Field(() => Boolean, { description: 'The customer keeps the conditions but offers nothing of this load for now' })
  optedOut!: boolean;

  @Field(() => Date)
  updatedAt!: Date;

  hemsId!: string;
  deviceId!: string;
}

@InputType({ description: 'The conditions for one device of the HEMS' })
export class FlexibleLoadInput {
  @Field(() => ID, { description: 'A controllable device of this HEMS, at most once per set' })
  deviceId!: string;

  @Field(() => String, { description: WINDOW })
  earliestStart!: string;

  @Field(() => String, { description: WINDOW })
  latestEnd!: string;

  @Field(() => Int, { description: `0 to ${MINUTES_PER_DAY}` })
  maxShiftMinutes!: number;

  @Field(() => Int, { description: `0 to ${MINUTES_PER_DAY}, and no longer than the window` })
  minRunMinutes!: number;

  @Field(() => Int, { description: `${MIN_PRIORITY} (touched first) to ${MAX_PRIORITY}` })
  priority!: number;

  @Field(() => Boolean)
  optedOut!: boolean;
}

@InputType({ description: "A HEMS's whole set of flexible loads: a device not listed is no longer flexible" })
export class SetFlexibleLoadsInput {
  @Field(() => ID)
  hemsId!: string;

  @Field(() => [FlexibleLoadInput], { description: `At most ${MAX_FLEXIBLE_LOADS}; empty: none` })
  loads!: FlexibleLoadInput[];
}

import { Field, ID, InputType } from 'type-graphql';

/**
 * One class for every subgraph that takes an area, so the input type each one publishes is the
 * same and federation composes it (kit/area.rules.ts reads it).
 */
@InputType({ description: 'Exactly one of the fields' })
export class AreaInput {
  @Field(() => ID, { nullable: true })
  primarySubstationId?: string;

  @Field(() => [ID], { nullable: true })
  secondarySubstationIds?: string[];

  @Field(() => [ID], { nullable: true })
  feederIds?: string[];
}

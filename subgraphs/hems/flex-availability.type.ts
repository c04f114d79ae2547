import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DeviceKind } from './hems.type';

@InputType({ description: 'Exactly one of the fields' })
export class FlexScopeInput {
  @Field(() => ID, { nullable: true, description: 'The HEMS behind a feeder' })
  feederId?: string;

  @Field(() => ID, { nullable: true, description: 'The HEMS behind a secondary substation' })
  secondarySubstationId?: string;

  @Field(() => ID, { nullable: true, description: "A retailer's portfolio: the points it supplies now. For that retailer and the DSO" })
  retailerId?: string;
}

@ObjectType({ description: 'What the loads of one priority give in a quarter-hour' })
export class FlexPriorityShare {
  @Field(() => Int, { description: 'The order in which loads may be touched; 1 first' })
  priority!: number;

  @Field(() => Float)
  reductionKw!: number;

  @Field(() => Int)
  hemsCount!: number;
}

@ObjectType({ description: 'One load that could be held off in a quarter-hour' })
export class FlexLoadContribution {
  @Field(() => ID)
  hemsId!: string;

  @Field(() => ID)
  deviceId!: string;

  @Field(() => ID)
  flexibleLoadId!: string;

  @Field(() => DeviceKind)
  deviceKind!: keyof typeof DeviceKind;

  @Field(() => Int)
  priority!: number;

  @Field(() => Float, { description: "The device's rated power (a battery's rated discharge power)" })
  reductionKw!: number;

  @Field(() => Int, { description: "How long it could be held off from the quarter-hour's start: its longest shift, or less so it can still run its minimum before its window ends" })
  maxDurationMinutes!: number;
}

@ObjectType({
  description:
    "The flexibility of a scope's HEMS in one quarter-hour: the loads that could be held off then under every condition of their customers " +
    '(window, longest shift, minimum run, opt-out), their devices not in FAULT, their HEMS online, and not already committed to a command',
})
export class FlexAvailability {
  @Field(() => Date, { description: 'Start of the quarter-hour (UTC)' })
  intervalStart!: Date;

  @Field(() => Float, { description: "What the loads could take off the grid: the sum of their devices' rated powers" })
  reductionKw!: number;

  @Field(() => Int, { description: 'HEMS with at least one such load' })
  hemsCount!: number;

  @Field(() => Int)
  loadCount!: number;

  @Field(() => Int, { description: 'The longest any of the loads could be held off from this quarter-hour; 0 when there is none' })
  maxDurationMinutes!: number;

  @Field(() => [FlexPriorityShare], { description: 'The reduction per priority, 1 (touched first) first' })
  byPriority!: FlexPriorityShare[];

  @Field(() => [FlexLoadContribution], {
    nullable: true,
    description: 'The loads, by priority: for a retailer or an aggregator, of the HEMS shared with it; null for the DSO, which gets totals only',
  })
  loads!: FlexLoadContribution[] | null;
}

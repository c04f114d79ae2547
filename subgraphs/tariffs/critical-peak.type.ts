import { Field, Float, InputType } from 'type-graphql';

@InputType({ description: 'A critical-peak window in Lisbon local time' })
export class CriticalPeakWindowInput {
  @Field(() => String, { description: 'Local day, YYYY-MM-DD' })
  day!: string;

  @Field(() => String, { description: 'Local start, HH:MM, on a quarter-hour' })
  start!: string;

  @Field(() => String, { description: 'Local end, HH:MM, on a quarter-hour, after start' })
  end!: string;
}

@InputType({ description: 'Hypothetical critical-peak events of a calibrated scheme and their price ratio' })
export class CriticalPeakInput {
  @Field(() => Float, { description: 'Ratio of the critical_peak price, on the same scale as the priceRatios' })
  ratio!: number;

  @Field(() => [CriticalPeakWindowInput])
  events!: CriticalPeakWindowInput[];
}

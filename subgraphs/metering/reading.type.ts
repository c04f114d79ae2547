import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Resolution } from './demand.rules';
import type { ReadingQualityName } from './reading.rules';

registerEnumType(Resolution, {
  name: 'Resolution',
  description: 'PT15M: quarter-hours; PT1H: hours; P1D: days (Lisbon local days, 23 to 25 hours long)',
});

export enum ReadingQuality {
  MEASURED = 'MEASURED',
  ESTIMATED = 'ESTIMATED',
  SUBSTITUTED = 'SUBSTITUTED',
}
registerEnumType(ReadingQuality, { name: 'ReadingQuality' });

@ArgsType()
export class CurveArgs {
  @Field(() => Date, { description: 'Start (inclusive), aligned to 15 minutes' })
  from!: Date;

  @Field(() => Date, { description: 'End (exclusive), aligned to 15 minutes' })
  to!: Date;

  @Field(() => Resolution, { nullable: true, defaultValue: Resolution.PT15M })
  resolution!: Resolution;
}

@ObjectType({ description: 'Energy in one bucket of a load curve, with the average power over it' })
export class LoadCurvePoint {
  @Field(() => Date, { description: 'Start of the bucket (UTC)' })
  intervalStart!: Date;

  @Field(() => Float, { description: 'Energy imported in the bucket (Wh)' })
  importWh!: number;

  @Field(() => Float, { description: 'Energy exported in the bucket (Wh)' })
  exportWh!: number;

  @Field(() => Float, { description: 'Average import power over the bucket (kW)' })
  avgImportKw!: number;
}

@ObjectType({
  description: 'A load curve as two arrays, one value per bucket from start (null where there is nothing you may read): the compact form for many points',
})
export class LoadCurveSeries {
  @Field(() => Date, { description: 'Start of the first bucket (UTC): from, or the hour or Lisbon local day it falls in' })
  start!: Date;

  @Field(() => Resolution)
  resolution!: Resolution;

  @Field(() => [Int], { nullable: 'items', description: 'Energy imported per bucket (Wh)' })
  importWh!: (number | null)[];

  @Field(() => [Int], { nullable: 'items', description: 'Energy exported per bucket (Wh)' })
  exportWh!: (number | null)[];
}

@InputType()
export class ReadingInput {
  @Field(() => ID)
  meteringPointId!: string;

  @Field(() => Date, { description: 'Start of the quarter-hour, aligned to :00, :15, :30 or :45' })
  intervalStart!: Date;

  // Float, not Int, so that a fractional value is reported as a rejected row, not a failed request.
  @Field(() => Float)
  importWh!: number;

  @Field(() => Float)
  exportWh!: number;

  @Field(() => ReadingQuality, { defaultValue: ReadingQuality.MEASURED })
  quality!: ReadingQualityName;
}

@InputType()
export class IngestReadingsInput {
  @Field(() => String, { description: 'Re-sending a batch with the same key returns the first answer and writes nothing' })
  idempotencyKey!: string;

  @Field(() => [ReadingInput], { description: 'Up to 10,000 readings; all are written or none' })
  readings!: ReadingInput[];
}

@ObjectType()
export class IngestReadingsResult {
  @Field(() => String)
  idempotencyKey!: string;

  @Field(() => Int)
  received!: number;

  @Field(() => Int, { description: 'Intervals that had no reading before' })
  inserted!: number;

  @Field(() => Int, { description: 'Intervals whose reading changed: each is a new revision' })
  revised!: number;

  @Field(() => Int, { description: 'Intervals that already held exactly this reading' })
  unchanged!: number;

  @Field(() => Boolean, { description: 'True when this answers a batch already ingested under the same key' })
  replayed!: boolean;
}

import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { HISTORY_DAYS, MAPE_FLOOR_SHARE } from './forecast.rules';

@InputType({ description: 'Exactly one of the fields' })
export class ForecastScopeInput {
  @Field(() => ID, { nullable: true, description: "A metering point: for whoever may read its readings (metering:read), from the readings they may read" })
  meteringPointId?: string;

  @Field(() => ID, { nullable: true, description: 'An LV feeder: the sum of its metering points (the DSO: grid:operate)' })
  feederId?: string;

  @Field(() => ID, { nullable: true, description: 'A secondary substation: the sum of the metering points on its feeders (the DSO: grid:operate)' })
  secondarySubstationId?: string;
}

@ObjectType({ description: 'Forecast mean power over one quarter-hour' })
export class ForecastInterval {
  @Field(() => Date, { description: 'Start of the quarter-hour (UTC)' })
  intervalStart!: Date;

  @Field(() => Float, { description: 'Power drawn from the grid (import), kW' })
  loadKw!: number;

  @Field(() => Float, { description: 'PV surplus fed into the grid (export), kW' })
  pvKw!: number;

  @Field(() => Float, { description: 'loadKw − pvKw: what a power flow takes, kW' })
  netKw!: number;
}

@ObjectType({
  description:
    `A day-ahead forecast at 15 minutes: per Lisbon local quarter-hour, the points' readings at that time of day over the last ${HISTORY_DAYS} days, ` +
    'recent days and days of the same kind (working day, or weekend and holiday) weighing most, other day types carried over by the class profile; ' +
    'PV surplus from the same UTC quarter-hour of the days before',
})
export class ForecastSeries {
  @Field(() => Int, { description: 'Metering points forecast' })
  meteringPoints!: number;

  @Field(() => [ForecastInterval], { description: 'Every quarter-hour of [from, to): 92 or 100 on the days summer time starts or ends' })
  intervals!: ForecastInterval[];
}

@ObjectType({ description: 'How far a forecast was from what was measured' })
export class ForecastMetrics {
  @Field(() => Float, {
    nullable: true,
    description: `Mean absolute percentage error, %, leaving out intervals whose actual is below ${MAPE_FLOOR_SHARE * 100} % of the mean absolute actual (a net near zero); null when none is left`,
  })
  mapePercent!: number | null;

  @Field(() => Float, { nullable: true, description: 'Root mean square error over the mean absolute actual, %; null when nothing was compared' })
  nrmsePercent!: number | null;
}

@ObjectType({
  description:
    'The forecast method backtested on the stored history against seasonal-naive (each quarter-hour as it was a week before, or the day before when that week is not stored), ' +
    "on the scope's net power (import − export): each day forecast from the days before it only",
})
export class ForecastAccuracy {
  @Field(() => Int, { description: 'Local days backtested: those with measured actuals and a seasonal-naive forecast' })
  days!: number;

  @Field(() => Int, { description: 'Quarter-hours compared' })
  intervals!: number;

  @Field(() => Int, { description: 'Of those, the ones MAPE counts' })
  mapeIntervals!: number;

  @Field(() => ForecastMetrics)
  method!: ForecastMetrics;

  @Field(() => ForecastMetrics)
  seasonalNaive!: ForecastMetrics;

  @Field(() => Float, { nullable: true, description: "How much smaller the method's MAPE is than seasonal-naive's, % of the latter" })
  mapeImprovementPercent!: number | null;

  @Field(() => Float, { nullable: true, description: "How much smaller the method's NRMSE is than seasonal-naive's, % of the latter" })
  nrmseImprovementPercent!: number | null;
}

import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CONGESTION_POINT_KINDS, POWER_FLOW_SOURCES } from '../../schema/tables/grid-power-flow';
import { ConnectionType } from '../kit/connection';
import { enumOf } from '../kit/enum';
import { SecondarySubstation } from './secondary-substation.type';

export const PowerFlowSource = enumOf(POWER_FLOW_SOURCES);
export type PowerFlowSource = (typeof POWER_FLOW_SOURCES)[number];
registerEnumType(PowerFlowSource, {
  name: 'PowerFlowSource',
  description: 'Where the loads of a run come from',
  valuesConfig: { MEASURED: { description: "The metering points' 15-minute readings" }, FORECAST: { description: 'The day-ahead forecast of every metering point' } },
});

export const CongestionPointKind = enumOf(CONGESTION_POINT_KINDS);
export type CongestionPointKind = (typeof CONGESTION_POINT_KINDS)[number];
registerEnumType(CongestionPointKind, { name: 'CongestionPointKind' });

@InputType()
export class RunPowerFlowInput {
  @Field(() => [ID])
  secondarySubstationIds!: string[];

  @Field(() => Date, { description: 'Start of the first 15-minute interval (on a quarter-hour)' })
  from!: Date;

  @Field(() => Date, { description: 'End of the last interval (on a quarter-hour), exclusive' })
  to!: Date;

  @Field(() => PowerFlowSource)
  source!: PowerFlowSource;
}

@ObjectType({ description: 'Extremes of a run over every interval, bus and phase you may see; voltages in pu of the 230 V nominal' })
export class PowerFlowSummary {
  @Field(() => Float)
  minVoltagePu!: number;

  @Field(() => Float)
  maxVoltagePu!: number;

  @Field(() => Float, { description: 'The most loaded line segment, % of its ampacity (0 when no ampacity is known)' })
  maxLineLoadingPercent!: number;

  @Field(() => Float, { description: 'The most loaded transformer: largest phase current, % of the rated current' })
  maxTransformerLoadingPercent!: number;

  @Field(() => [Float], { description: 'Lowest voltage per phase A, B, C (pu)' })
  minVoltagePuByPhase!: number[];

  @Field(() => [Float], { description: 'Highest voltage per phase A, B, C (pu)' })
  maxVoltagePuByPhase!: number[];

  @Field(() => Float, { description: 'Energy lost in the lines and transformers over the window' })
  lossesKwh!: number;

  @Field(() => Int)
  intervals!: number;

  @Field(() => Int, { description: 'Sweeps of the solver, over every interval and substation' })
  iterations!: number;

  @Field(() => Int, { description: 'Readings absent in a MEASURED run, counted as no consumption' })
  missingReadings!: number;
}

@ObjectType({ description: "One secondary substation's figures in a run" })
export class PowerFlowSubstationResult {
  @Field(() => SecondarySubstation)
  secondarySubstation!: SecondarySubstation;

  @Field(() => ID)
  runId!: string;

  @Field(() => PowerFlowSummary)
  summary!: PowerFlowSummary;

  @Field(() => Date)
  computedAt!: Date;
}

@ObjectType()
export class FlexibilityNeedInterval {
  @Field(() => Date)
  intervalStart!: Date;

  @Field(() => Float, { description: 'Less consumption behind the congestion point that removes the violation (kW, at least)' })
  reductionKw!: number;
}

@ObjectType({ description: 'Flexibility a power-flow run found necessary: what the flexibility market turns into a request' })
@Directive('@key(fields: "id")')
export class FlexibilityNeed {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The feeder, or the secondary substation for a transformer overload' })
  congestionPointId!: string;

  @Field(() => CongestionPointKind)
  congestionPointKind!: CongestionPointKind;

  @Field(() => ID)
  secondarySubstationId!: string;

  @Field(() => ID, { nullable: true })
  feederId!: string | null;

  @Field(() => ID)
  runId!: string;

  @Field(() => [FlexibilityNeedInterval])
  intervals!: FlexibilityNeedInterval[];
}

@ObjectType({ description: 'A bus over a run: lowest and highest line-to-neutral voltage per phase A, B, C (V)' })
export class PowerFlowBus {
  @Field(() => ID)
  busId!: string;

  @Field(() => ID)
  secondarySubstationId!: string;

  @Field(() => ID, { nullable: true, description: "Null for the transformer's LV terminals" })
  feederId!: string | null;

  @Field(() => [Float])
  minVoltageV!: number[];

  @Field(() => [Float])
  maxVoltageV!: number[];
}

@ObjectType({ description: 'A line segment over a run: largest current per phase A, B, C (A) and worst loading' })
export class PowerFlowSegment {
  @Field(() => ID)
  segmentId!: string;

  @Field(() => ID)
  secondarySubstationId!: string;

  @Field(() => ID, { nullable: true })
  feederId!: string | null;

  @Field(() => [Float])
  maxCurrentA!: number[];

  @Field(() => Float, { nullable: true, description: 'Null when the ampacity is unknown' })
  maxLoadingPercent!: number | null;
}

export const PowerFlowBusConnection = ConnectionType(PowerFlowBus, 'PowerFlowBus');
export const PowerFlowSegmentConnection = ConnectionType(PowerFlowSegment, 'PowerFlowSegment');

@ObjectType({ description: 'A power-flow run: every 15-minute interval of a window for a set of secondary substations' })
export class PowerFlowRun {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  intervals!: number;

  @Field(() => PowerFlowSource)
  source!: PowerFlowSource;

  @Field(() => Date, { description: 'Start of the first interval' })
  start!: Date;

  @Field(() => Date, { description: 'End of the last interval' })
  end!: Date;

  @Field(() => Date)
  createdAt!: Date;
}

import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import type { PricedPeriod, TARIFF_CYCLES, TARIFF_KINDS } from '../../schema/tariffs';
import { CriticalPeakInput } from './critical-peak.type';
import { TariffSampleInput } from './tariff-sample.type';
import { TariffCycle, TariffKind, TariffScheme } from './tariff-scheme.type';

@InputType({ description: "A period's price relative to the others: the calibrated price is scaleFactor × ratio" })
export class PeriodRatioInput {
  @Field(() => String, { description: "An ERSE period ('ponta', 'cheias', 'vazio_normal', 'super_vazio', 'vazio', 'fora_vazio') or 'all' (flat)" })
  period!: string;

  @Field(() => Float, { description: 'Above 0' })
  ratio!: number;
}

@InputType()
export class CalibrateRevenueNeutralInput {
  @Field(() => TariffSampleInput)
  sample!: TariffSampleInput;

  @Field(() => Date, { description: 'A Lisbon local midnight' })
  from!: Date;

  @Field(() => Date, { description: 'A Lisbon local midnight, at most 400 local days after from' })
  to!: Date;

  @Field(() => TariffKind)
  kind!: (typeof TARIFF_KINDS)[number];

  @Field(() => TariffCycle, { nullable: true, description: 'Null for FLAT, required otherwise' })
  cycle?: (typeof TARIFF_CYCLES)[number] | null;

  @Field(() => [PeriodRatioInput], { description: 'The base periods the scheme prices, tiling every day once; critical_peak goes in criticalPeak' })
  priceRatios!: PeriodRatioInput[];

  @Field(() => Float, { description: 'Contracted power of the new scheme, EUR per kVA and local day, as given (not scaled)' })
  powerPriceEurPerKvaDay!: number;

  @Field(() => CriticalPeakInput, { nullable: true, description: 'CRITICAL_PEAK only: the critical_peak ratio and hypothetical events inside the window, priced at scaleFactor × ratio' })
  criticalPeak?: CriticalPeakInput | null;

  @Field(() => String, { nullable: true, description: "The draft's name; by default one made of the kind, cycle and window" })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "The draft's first local day, YYYY-MM-DD; by default the local day of `to`" })
  validFrom?: string | null;

  @Field(() => String, { nullable: true, description: "The draft's first local day it no longer applies on, YYYY-MM-DD; by default open-ended" })
  validTo?: string | null;
}

@ObjectType({ description: "One period of the calibrated scheme: the sample's energy in it and what it costs at the calibrated price" })
export class CalibrationLine {
  @Field(() => String)
  period!: PricedPeriod;

  @Field(() => Float)
  ratio!: number;

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => Float, { description: 'scaleFactor × ratio, rounded to the nano-euro' })
  energyPriceEurPerKwh!: number;

  @Field(() => Float, { description: 'EUR' })
  costEur!: number;
}

@ObjectType({
  description:
    "A revenue-neutral calibration: revenue before is what the sample paid over the window on the schemes it was on (energy, their critical-peak events, contracted power per local day); " +
    'revenue after is what the same quarter-hours and days cost on the new scheme, whose prices are scaleFactor × ratio rounded to the nano-euro.',
})
export class Calibration {
  @Field(() => TariffScheme, { description: 'The new scheme, written as a DRAFT version of a new family (the DSO publishes it)' })
  scheme!: TariffScheme;

  @Field(() => Float, { description: 'EUR' })
  revenueBeforeEur!: number;

  @Field(() => Float, { description: 'EUR, with the rounded prices' })
  revenueAfterEur!: number;

  @Field(() => Float, { description: 'EUR/kWh of a period of ratio 1, before rounding: (revenue before − contracted power after) / Σ energy × ratio' })
  scaleFactor!: number;

  @Field(() => Float, { description: '|revenue after − revenue before| / revenue before' })
  relativeDifference!: number;

  @Field(() => Float)
  energyBeforeEur!: number;

  @Field(() => Float)
  powerBeforeEur!: number;

  @Field(() => Float)
  energyAfterEur!: number;

  @Field(() => Float)
  powerAfterEur!: number;

  @Field(() => Float, { description: 'Σ over the points of contracted kVA × local days billed: what the power price multiplies' })
  kvaDays!: number;

  @Field(() => Int, { description: 'Metering points in the sample' })
  sampleSize!: number;

  @Field(() => Int, { description: 'Quarter-hours of the window in which the sample used energy on a scheme' })
  quarterHours!: number;

  @Field(() => [CalibrationLine], { description: 'Per period of the new scheme' })
  lines!: CalibrationLine[];
}

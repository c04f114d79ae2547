import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { PricedPeriod } from '../../schema/tariffs';

@ObjectType({ description: 'The energy of one priced period on one scheme, and its cost' })
export class BillLine {
  @Field(() => ID, { description: 'The scheme the line is priced on: a bill split at assignment changes has lines of each' })
  schemeId!: string;

  @Field(() => String, { description: "The priced period: 'all', an ERSE period, or 'critical_peak' (the scheme's events)" })
  period!: PricedPeriod;

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => Float, { description: 'EUR/kWh, to the nano-euro' })
  energyPriceEurPerKwh!: number;

  @Field(() => Float, { description: 'energyKwh × energyPriceEurPerKwh, EUR, unrounded (to 10⁻¹² EUR)' })
  costEur!: number;
}

@ObjectType({
  description:
    'A network-tariff bill of one metering point over whole Lisbon local days: every quarter-hour billed once (a month with a summer-time change holds 2,980 or 2,972), ' +
    'its energy priced per period, contracted power per local day. Sums are exact; amounts are rounded only to print them.',
})
export class Bill {
  @Field(() => ID)
  meteringPointId!: string;

  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;

  @Field(() => Int, { description: 'Quarter-hours billed: those of the window on a scheme (with schemeId: all of them)' })
  quarterHours!: number;

  @Field(() => Int, { description: 'Quarter-hours of the window on no scheme: not billed (without schemeId only)' })
  unbilledQuarterHours!: number;

  @Field(() => Int, { description: 'Quarter-hours billed without a reading (yet): their energy counts as 0 Wh' })
  missingQuarterHours!: number;

  @Field(() => [BillLine], { description: 'One line per scheme and period it prices, in the order of the schemes over time' })
  lines!: BillLine[];

  @Field(() => Int, { description: 'Local days charged contracted power, each on the scheme in force at its first billed quarter-hour' })
  powerDays!: number;

  @Field(() => Float, { description: "The point's contracted power, kVA (its present contract)" })
  contractedPowerKva!: number;

  @Field(() => Float, { description: 'EUR' })
  energyEur!: number;

  @Field(() => Float, { description: 'Contracted power, EUR' })
  powerEur!: number;

  @Field(() => Float, { description: 'EUR' })
  totalEur!: number;
}

import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { SchemeCost } from './compare.rules';
import { BillLine } from './bill.type';
import { TariffScheme } from './tariff-scheme.type';

const REVENUE =
  'These schemes are network (access) tariffs: what the customers pay on them is what the DSO bills, so dsoRevenueEur equals customersCostEur; ' +
  'the hub holds no split of it (retail energy, taxes) to set apart.';

/** What the scope pays on the schemes it is on; computed only when asked (it reads every point's readings with its assignments). */
@ObjectType({ description: `What the scope pays on the schemes its points are assigned over the window, split where they change. ${REVENUE}` })
export class CurrentTariffsCost {
  @Field(() => Float, { description: 'kWh on a scheme (quarter-hours of a point on none are not priced), exact to the Wh' })
  energyKwh!: number;

  @Field(() => Float, { description: 'EUR' })
  energyEur!: number;

  @Field(() => Float, { description: 'Contracted power, EUR: each point’s every local day on the scheme in force at its first quarter-hour' })
  powerEur!: number;

  @Field(() => Float, { description: 'energyEur + powerEur' })
  customersCostEur!: number;

  @Field(() => Float, { description: 'Equals customersCostEur (see the type)' })
  dsoRevenueEur!: number;
}

@ObjectType({ description: `The scope's consumption over the window priced on one scheme, over the whole window whatever the scheme's validity dates. ${REVENUE}` })
export class SchemeComparison {
  @Field(() => TariffScheme)
  scheme!: TariffScheme;

  @Field(() => [BillLine], { description: "One line per period the scheme prices; a critical-peak scheme's announced events in the window are its critical_peak line" })
  lines!: BillLine[];

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => Float, { description: 'EUR' })
  energyEur!: number;

  @Field(() => Float, { description: "Contracted power, EUR: the scope's contractedKvaDays at the scheme's price" })
  powerEur!: number;

  @Field(() => Float, { description: 'What the customers pay on it: energyEur + powerEur' })
  customersCostEur!: number;

  @Field(() => Float, { description: 'Equals customersCostEur (see the type)' })
  dsoRevenueEur!: number;

  /** Exact, for changeVsCurrent. */
  totalPicoEur!: bigint;

  /** The scope's cost on its current schemes, read once per comparison when a field asks for it. */
  currentCost!: () => Promise<CurrentCost>;
}

/** What the scope pays on its current schemes, exactly. */
export type CurrentCost = Omit<SchemeCost, 'lines' | 'quarterHours'>;

@ObjectType({ description: 'Schemes side by side on the measured consumption of one scope (exact sums, in the order asked)' })
export class SchemeComparisons {
  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;

  @Field(() => Int, { description: 'Metering points in the scope' })
  meteringPointCount!: number;

  @Field(() => Int, { description: 'Quarter-hours of the window with data' })
  quarterHours!: number;

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => Float, {
    description:
      "Σ over the scope's points of their present contracted power (kVA) × the local days charged: every day of the window, " +
      'or, for a set of points asked by another party than the DSO, the days whose first quarter-hour it may read',
  })
  contractedKvaDays!: number;

  @Field(() => [SchemeComparison])
  schemes!: SchemeComparison[];

  currentCost!: () => Promise<CurrentCost>;
}

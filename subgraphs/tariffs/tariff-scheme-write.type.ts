import { Field, Float, ID, InputType } from 'type-graphql';
import type { TARIFF_CYCLES, TARIFF_KINDS } from '../../schema/tariffs';
import { TariffCycle, TariffKind } from './tariff-scheme.type';

@InputType({ description: 'An energy price for one period' })
export class PeriodPriceInput {
  @Field(() => String, { description: "'all' (flat), an ERSE period ('ponta', 'cheias', 'vazio_normal', 'super_vazio', 'vazio', 'fora_vazio'), or 'critical_peak'" })
  period!: string;

  @Field(() => Float, { description: 'EUR/kWh, 0 or more, at most 9 decimals (nano-euros)' })
  energyPriceEurPerKwh!: number;
}

@InputType({ description: 'A new scheme version: version 1 of a new family, or the next version of `family`' })
export class CreateTariffSchemeInput {
  @Field(() => String)
  name!: string;

  @Field(() => ID, { nullable: true, description: 'The family to add a version to (a published version never changes: a change is its next version); leave out for a new scheme' })
  family?: string | null;

  @Field(() => TariffKind)
  kind!: (typeof TARIFF_KINDS)[number];

  @Field(() => TariffCycle, { nullable: true, description: 'Null for FLAT, required otherwise' })
  cycle?: (typeof TARIFF_CYCLES)[number] | null;

  @Field(() => [PeriodPriceInput], {
    description: 'FLAT: all. TIME_OF_USE: ERSE periods pricing every quarter-hour once (vazio + fora_vazio, ponta + cheias + vazio, or the four). CRITICAL_PEAK: the same plus critical_peak',
  })
  energyPrices!: PeriodPriceInput[];

  @Field(() => Float, { description: 'Contracted power, EUR per kVA and local day, at most 9 decimals' })
  powerPriceEurPerKvaDay!: number;

  @Field(() => String, { description: 'First local day it applies on, YYYY-MM-DD' })
  validFrom!: string;

  @Field(() => String, { nullable: true, description: 'First local day it no longer applies on, YYYY-MM-DD; null: open-ended' })
  validTo?: string | null;

  @Field(() => Boolean, { defaultValue: false, description: 'Publish at once (immutable from then on); otherwise a draft only the DSO sees' })
  publish!: boolean;
}

import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PRICED_PERIODS, SCHEME_STATUSES, TARIFF_CYCLES, TARIFF_KINDS, type PricedPeriod } from '../../schema/tariffs';
import { enumOf } from '../kit/enum';

export const TariffKind = enumOf(TARIFF_KINDS);
registerEnumType(TariffKind, { name: 'TariffKind', description: 'FLAT, TIME_OF_USE (two-rate, three-rate or four-period, by the periods it prices) or CRITICAL_PEAK' });

export const TariffCycle = enumOf(TARIFF_CYCLES);
registerEnumType(TariffCycle, { name: 'TariffCycle', description: 'ERSE daily or weekly time-of-use cycle' });

export const TariffSchemeStatus = enumOf(SCHEME_STATUSES);
registerEnumType(TariffSchemeStatus, { name: 'TariffSchemeStatus', description: 'DRAFT (a calibration, DSO only) or PUBLISHED (immutable)' });

@ObjectType({ description: 'An energy price for one ERSE time-of-use period' })
export class PeriodPrice {
  @Field(() => String, {
    description: "ERSE period: 'ponta', 'cheias', 'vazio_normal', 'super_vazio', 'vazio', 'fora_vazio', 'all' (flat), or 'critical_peak' (during a critical-peak event)",
  })
  period!: PricedPeriod;

  @Field(() => Float, { description: 'EUR/kWh, to the nano-euro' })
  energyPriceEurPerKwh!: number;
}

@ObjectType({ description: 'One version of a network tariff scheme; a published version never changes' })
export class TariffScheme {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => TariffKind)
  kind!: (typeof TARIFF_KINDS)[number];

  @Field(() => TariffCycle, { nullable: true, description: 'Null for FLAT' })
  cycle!: (typeof TARIFF_CYCLES)[number] | null;

  @Field(() => Int)
  version!: number;

  @Field(() => String, { description: 'What the versions of one scheme share' })
  family!: string;

  @Field(() => TariffSchemeStatus)
  status!: (typeof SCHEME_STATUSES)[number];

  @Field(() => [PeriodPrice], { description: `In the order of the period vocabulary (${PRICED_PERIODS.join(', ')}), not ERSE's; only critical-peak schemes price critical_peak` })
  energyPrices!: PeriodPrice[];

  @Field(() => Float, { description: 'Contracted power, EUR per kVA and local day' })
  powerPriceEurPerKvaDay!: number;

  @Field(() => String, { description: 'First local day it applies on (YYYY-MM-DD)' })
  validFrom!: string;

  @Field(() => String, { nullable: true, description: 'First local day it no longer applies on; null: open-ended' })
  validTo!: string | null;

  @Field(() => Date, { nullable: true })
  publishedAt!: Date | null;
}

@ObjectType({ description: 'A scheme a metering point was or is on: [validFrom, validTo)' })
export class TariffAssignment {
  @Field(() => ID)
  meteringPointId!: string;

  @Field(() => TariffScheme)
  scheme!: TariffScheme;

  @Field(() => Date)
  validFrom!: Date;

  @Field(() => Date, { nullable: true, description: 'Null while it is the current one' })
  validTo!: Date | null;
}

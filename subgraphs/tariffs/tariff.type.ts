import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum TariffKind {
  SIMPLE = 'SIMPLE',
  BI_HOURLY = 'BI_HOURLY',
  TRI_HOURLY = 'TRI_HOURLY',
}
registerEnumType(TariffKind, { name: 'TariffKind', description: 'ERSE time-of-use options for BTN customers' });

export enum TariffCycle {
  DAILY = 'DAILY',
  WEEKLY = 'WEEKLY',
}
registerEnumType(TariffCycle, { name: 'TariffCycle', description: 'ERSE daily or weekly time-of-use cycle' });

@ObjectType({ description: 'An energy price for one ERSE time-of-use period' })
export class PeriodPrice {
  @Field(() => String, { description: "ERSE period: 'ponta', 'cheias', 'vazio_normal', 'super_vazio', 'vazio', 'fora_vazio' or 'all'" })
  period!: string;

  @Field(() => Float)
  energyPriceEurPerKwh!: number;
}

@ObjectType({ description: 'A tariff plan a metering point is on' })
export class Tariff {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => TariffKind)
  kind!: TariffKind;

  @Field(() => TariffCycle, { nullable: true })
  cycle!: TariffCycle | null;

  @Field(() => [PeriodPrice])
  energyPrices!: PeriodPrice[];

  @Field(() => Float)
  powerPriceEurPerKvaDay!: number;
}

import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { TARIFF_CYCLES } from '../../schema/tariffs';
import { enumOf } from '../kit/enum';
import { DAYS_OF_WEEK, type DayOfWeek as DayOfWeekName } from './peak-hours.rules';
import { TariffCycle } from './tariff-scheme.type';

export const DayOfWeek = enumOf(DAYS_OF_WEEK);
registerEnumType(DayOfWeek, { name: 'DayOfWeek', description: 'A day of the week in Lisbon; a national holiday counts as a SUNDAY (the weekly cycle’s holiday rule)' });

@ObjectType({ description: 'The measured import of one local hour of the day over the window' })
export class HourOfDayLoad {
  @Field(() => Int, { description: 'Lisbon local hour, 0..23; on the autumn change hour 1 happens twice and holds both' })
  hour!: number;

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => Int, { description: 'Quarter-hours with data in this hour over the window' })
  quarterHours!: number;

  @Field(() => Float, { nullable: true, description: 'Mean power, kW: energyKwh / (quarterHours / 4); null without data' })
  meanKw!: number | null;

  @Field(() => Int, { nullable: true, description: '1 for the highest mean power; null without data' })
  rank!: number | null;

  @Field(() => Boolean, { description: 'Among the topHours highest' })
  top!: boolean;
}

@ObjectType({ description: 'The measured import of one day of the week over the window' })
export class WeekDayLoad {
  @Field(() => DayOfWeek)
  day!: DayOfWeekName;

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => Int)
  quarterHours!: number;

  @Field(() => Float, { nullable: true, description: 'Mean power, kW; null without data' })
  meanKw!: number | null;

  @Field(() => Int, { nullable: true, description: '1 for the highest mean power; null without data' })
  rank!: number | null;
}

@ObjectType({ description: "The scope's import in one ERSE period of the cycle" })
export class PeriodEnergyShare {
  @Field(() => String, { description: "'ponta', 'cheias', 'vazio_normal' or 'super_vazio'" })
  period!: string;

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => Int)
  quarterHours!: number;

  @Field(() => Float, { nullable: true, description: "Of the scope's energy in the window, %; null when it has none" })
  sharePct!: number | null;
}

@ObjectType({
  description:
    'When the scope draws most from the network, from its measured import (metering’s readings or exact area totals) per Lisbon quarter-hour: ' +
    'by hour of the day and day of the week, ranked by mean power, and its share of energy in each ERSE period of the cycle.',
})
export class PeakHours {
  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;

  @Field(() => TariffCycle)
  cycle!: (typeof TARIFF_CYCLES)[number];

  @Field(() => Int, { description: 'Metering points in the scope' })
  meteringPointCount!: number;

  @Field(() => Int, { description: 'Quarter-hours of the window with data' })
  quarterHours!: number;

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => [HourOfDayLoad], { description: 'Hours 0 to 23, in that order' })
  hours!: HourOfDayLoad[];

  @Field(() => [WeekDayLoad], { description: 'Monday to Sunday, in that order' })
  weekDays!: WeekDayLoad[];

  @Field(() => [PeriodEnergyShare], { description: 'ponta, cheias, vazio_normal, super_vazio' })
  periods!: PeriodEnergyShare[];
}

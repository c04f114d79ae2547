import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { TARIFF_CYCLES } from '../../schema/tariffs';
import { MAX_POINT_DAYS } from './tariff-sample.rules';
import { TariffSampleInput } from './tariff-sample.type';
import { TariffCycle } from './tariff-scheme.type';

@InputType({
  description:
    'A pilot group against a control group, in a period against a baseline period; both windows whole Lisbon local days, at most 400, and not overlapping. ' +
    `The pilot's points, and the control's when named one by one, times the local days of both windows, at most ${MAX_POINT_DAYS.toLocaleString('en')} point-days`,
})
export class TariffKpisInput {
  @Field(() => TariffSampleInput, { description: 'The group on the dynamic tariff' })
  pilot!: TariffSampleInput;

  @Field(() => TariffSampleInput, { description: 'A comparable group that is not, disjoint from the pilot' })
  control!: TariffSampleInput;

  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;

  @Field(() => Date)
  baselineFrom!: Date;

  @Field(() => Date)
  baselineTo!: Date;

  @Field(() => TariffCycle, { defaultValue: 'DAILY', description: 'Whose ERSE ponta period is the peak' })
  cycle!: (typeof TARIFF_CYCLES)[number];
}

@ObjectType({ description: "A group's import in one window, and the part of it in the peak (the cycle's ERSE ponta)" })
export class KpiWindowEnergy {
  @Field(() => Int, { description: 'Local days of the window' })
  days!: number;

  @Field(() => Int, { description: 'Quarter-hours with data' })
  quarterHours!: number;

  @Field(() => Float, {
    description: "Local days the readings cover: days × quarterHours / the window's quarter-hours (a DST day has 92 or 100). The per-day figures and the revenue scaling use it",
  })
  coveredDays!: number;

  @Field(() => Float, { description: 'kWh, exact to the Wh' })
  energyKwh!: number;

  @Field(() => Float, { description: 'kWh in ponta' })
  peakKwh!: number;

  @Field(() => Float, { description: 'peakKwh / coveredDays' })
  peakKwhPerDay!: number;

  @Field(() => Float, { nullable: true, description: 'peakKwh / energyKwh, %; null without energy' })
  peakSharePct!: number | null;
}

@ObjectType()
export class KpiGroup {
  @Field(() => Int)
  meteringPointCount!: number;

  @Field(() => KpiWindowEnergy)
  period!: KpiWindowEnergy;

  @Field(() => KpiWindowEnergy)
  baseline!: KpiWindowEnergy;
}

@ObjectType({
  description:
    "The pilot's success, on measured consumption. Peak is the cycle's ERSE ponta; p = peak kWh per day of data (KpiWindowEnergy.coveredDays), s = peak share, E = energy, W the period, B the baseline. " +
    'The schemes are network tariffs: what customers pay on them is the DSO’s revenue. A ratio without a denominator is null. ' +
    'A group without any reading in a window is refused (BAD_USER_INPUT), and the baseline must not overlap the period.',
})
export class TariffKpis {
  @Field(() => TariffCycle)
  cycle!: (typeof TARIFF_CYCLES)[number];

  @Field(() => KpiGroup)
  pilot!: KpiGroup;

  @Field(() => KpiGroup)
  control!: KpiGroup;

  @Field(() => Float, { nullable: true, description: "The pilot's peak change against its own baseline, %: (p(pilot,W) / p(pilot,B) − 1) × 100" })
  peakChangePct!: number | null;

  @Field(() => Float, { nullable: true, description: "The control's, likewise" })
  controlPeakChangePct!: number | null;

  @Field(() => Float, { nullable: true, description: 'Difference in differences, percentage points: peakChangePct − controlPeakChangePct' })
  peakChangeVsControlPct!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "The pilot's peak share expected in W without the tariff, %: s(pilot,B) + s(control,W) − s(control,B), its baseline share moved as the control's",
  })
  expectedPeakSharePct!: number | null;

  @Field(() => Float, { nullable: true, description: 'E(pilot,W) × expectedPeakShare − peak kWh of the pilot in W: how much less fell in peak than expected (negative: more)' })
  loadShiftedOutOfPeakKwh!: number | null;

  @Field(() => Float, { nullable: true, description: 'loadShiftedOutOfPeakKwh / (E(pilot,W) × expectedPeakShare) × 100: the part of the expected peak energy moved out' })
  loadShiftedOutOfPeakPct!: number | null;

  @Field(() => Float, { description: "What the pilot pays in W on the schemes assigned then (energy and contracted power), EUR: the DSO's revenue from it in W" })
  pilotPeriodCostEur!: number;

  @Field(() => Float, {
    description:
      'What the pilot would have paid for its consumption in W on the schemes each point was on in the last quarter-hour of the baseline (a point on none then: on its schemes of W), EUR',
  })
  pilotBaselineSchemesCostEur!: number;

  @Field(() => Float, { description: 'The pilot’s baseline on the schemes assigned then, EUR' })
  pilotBaselineRevenueEur!: number;

  @Field(() => Float, { description: 'pilotBaselineSchemesCostEur − pilotPeriodCostEur: positive when the pilot pays less' })
  customerSavingsEur!: number;

  @Field(() => Float, { description: 'pilotPeriodCostEur − pilotBaselineRevenueEur × coveredDays(W) / coveredDays(B) (the pilot’s): the DSO’s revenue change, the baseline scaled to the period’s days of data' })
  dsoRevenueChangeEur!: number;
}

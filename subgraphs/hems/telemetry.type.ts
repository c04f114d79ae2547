import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DeviceState } from './hems.type';
import { MAX_TELEMETRY_DEVICE_ROWS, MAX_TELEMETRY_REPORTS, TELEMETRY_CLOCK_SKEW_MS } from './telemetry.rules';

@InputType()
export class DeviceReportInput {
  @Field(() => ID)
  deviceId!: string;

  @Field(() => DeviceState)
  state!: keyof typeof DeviceState;

  @Field(() => Float, { description: 'What it drew (or, a PV inverter, produced) at `at`, kW: from 0 to its rated power' })
  powerKw!: number;
}

@InputType()
export class HemsReportInput {
  @Field(() => ID)
  hemsId!: string;

  @Field(() => Date, { description: `When the HEMS measured: at most ${TELEMETRY_CLOCK_SKEW_MS / 1000} s ahead of the hub's clock, at most 24 hours old` })
  at!: Date;

  @Field(() => [DeviceReportInput], { description: 'Each of its devices at most once; none: a heartbeat, which only marks the HEMS online' })
  devices!: DeviceReportInput[];
}

@InputType()
export class ReportHemsTelemetryInput {
  @Field(() => [HemsReportInput], {
    description: `Up to ${MAX_TELEMETRY_REPORTS.toLocaleString('en')} reports and ${MAX_TELEMETRY_DEVICE_ROWS.toLocaleString('en')} device rows; all are written or none`,
  })
  reports!: HemsReportInput[];
}

@ObjectType({ description: 'What a telemetry batch stored' })
export class TelemetryReceipt {
  @Field(() => Int, { description: 'Reports accepted: every report of the batch' })
  reports!: number;

  @Field(() => Int, { description: 'Device rows accepted' })
  devices!: number;

  @Field(() => Int, { description: 'Of those, rows already stored (the same device and time sent again): kept once' })
  duplicates!: number;
}

import { ArgsType, Directive, Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { HEMS_COMMAND_KINDS, HEMS_COMMAND_REASONS, HEMS_COMMAND_STATUSES } from '../../schema/hems';
import { ConnectionType, PageArgs } from '../kit/connection';
import { enumOf } from '../kit/enum';
import { DEFAULT_ANSWER_MS, HEMS_COMMAND_OUTCOMES, MAX_COMMAND_WINDOW_MS, MAX_DETAIL_LENGTH, MAX_ORDER_ID_LENGTH } from './hems-command.rules';

export const HemsCommandKind = enumOf(HEMS_COMMAND_KINDS);
registerEnumType(HemsCommandKind, { name: 'HemsCommandKind', description: "SHIFT a load out of the window, CURTAIL it to a power, RESTORE it (or the whole HEMS) to the customer's own control" });

export const HemsCommandReason = enumOf(HEMS_COMMAND_REASONS);
registerEnumType(HemsCommandReason, { name: 'HemsCommandReason', description: 'The order the command serves' });

export const HemsCommandStatus = enumOf(HEMS_COMMAND_STATUSES);
registerEnumType(HemsCommandStatus, {
  name: 'HemsCommandStatus',
  description: 'SENT; then ACKNOWLEDGED, EXECUTED or REJECTED as the HEMS reports; EXPIRED when it did not answer by expiresAt. EXECUTED, REJECTED and EXPIRED are final.',
});

export const HemsCommandOutcome = enumOf(HEMS_COMMAND_OUTCOMES);
registerEnumType(HemsCommandOutcome, { name: 'HemsCommandOutcome', description: 'What a HEMS reports of a command' });

@ObjectType({ description: 'What a retailer or aggregator asked a HEMS to do, why, and what came of it. Seen by the issuer and the customer; the DSO sees those sent for a flex order.' })
@Directive('@key(fields: "id")')
export class HemsCommand {
  @Field(() => ID)
  id!: string;

  // `hems` and `device` are field resolvers (hems-command.resolver.ts).
  hemsId!: string;
  deviceId!: string | null;

  @Field(() => HemsCommandKind)
  kind!: keyof typeof HemsCommandKind;

  @Field(() => Float, { nullable: true, description: 'CURTAIL: the most the device may draw, kW' })
  targetPowerKw!: number | null;

  @Field(() => Date)
  start!: Date;

  @Field(() => Date)
  end!: Date;

  @Field(() => HemsCommandReason)
  reason!: keyof typeof HemsCommandReason;

  @Field(() => ID, { description: 'The order it serves' })
  orderId!: string;

  @Field(() => ID, { description: 'The organisation that sent it' })
  issuerId!: string;

  @Field(() => HemsCommandStatus)
  status!: keyof typeof HemsCommandStatus;

  @Field(() => Date)
  issuedAt!: Date;

  @Field(() => Date, { description: 'The HEMS must answer by then, or the command is EXPIRED' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  acknowledgedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  executedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  rejectedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  expiredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'What the HEMS said with its outcome (why it rejected, say)' })
  outcomeDetail!: string | null;
}

export const HemsCommandConnection = ConnectionType(HemsCommand, 'HemsCommand');

@InputType()
export class IssueHemsCommandInput {
  @Field(() => ID, { description: 'A HEMS shared with you now' })
  hemsId!: string;

  @Field(() => ID, { nullable: true, description: 'A controllable device of the HEMS; required for SHIFT and CURTAIL (which take load off, so not a PV inverter), omitted for a RESTORE of the whole HEMS' })
  deviceId?: string | null;

  @Field(() => HemsCommandKind)
  kind!: keyof typeof HemsCommandKind;

  @Field(() => Float, { nullable: true, description: "CURTAIL only: from 0 to the device's rated power, kW" })
  targetPowerKw?: number | null;

  @Field(() => Date)
  start!: Date;

  @Field(() => Date, { description: `After start and in the future, at most ${MAX_COMMAND_WINDOW_MS / 3_600_000} hours after start` })
  end!: Date;

  @Field(() => HemsCommandReason)
  reason!: keyof typeof HemsCommandReason;

  @Field(() => ID, {
    description: `The order it serves, 1 to ${MAX_ORDER_ID_LENGTH} characters, covering the HEMS's metering point and yours: for CONTRACTED_POWER_ORDER an order in force addressed to you; for FLEX_ORDER your ordered (or activated) flex order on an open request, the command's window within its offer's ISPs, a SHIFT or CURTAIL only if you may read the household's meter (an aggregator: a metering:read consent). A RESTORE may also name such an order once it has ended, if you sent this HEMS a SHIFT or CURTAIL for it`,
  })
  orderId!: string;

  @Field(() => Date, { nullable: true, description: `In the future, not after end; default the start, at least ${DEFAULT_ANSWER_MS / 60_000} minutes from now (never after end)` })
  expiresAt?: Date | null;
}

@InputType()
export class ReportHemsCommandOutcomeInput {
  @Field(() => ID)
  commandId!: string;

  @Field(() => HemsCommandOutcome, { description: 'SENT may become any of them, ACKNOWLEDGED only EXECUTED or REJECTED; other changes are a CONFLICT' })
  status!: keyof typeof HemsCommandOutcome;

  @Field(() => Date, { nullable: true, description: 'When it happened at the HEMS; default now' })
  at?: Date | null;

  @Field(() => String, { nullable: true, description: `At most ${MAX_DETAIL_LENGTH} characters` })
  detail?: string | null;
}

@ArgsType()
export class HemsCommandsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only the commands to this HEMS' })
  hemsId?: string | null;
}

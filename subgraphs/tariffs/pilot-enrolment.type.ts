import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { PILOT_PARTIES } from '../../schema/tariffs';
import { ConnectionType, PageArgs } from '../kit/connection';
import { enumOf } from '../kit/enum';
import { PILOT_ENROLMENT_STATUSES } from './pilot-enrolment.rules';

export const PilotEnrolmentStatus = enumOf(PILOT_ENROLMENT_STATUSES);
registerEnumType(PilotEnrolmentStatus, {
  name: 'PilotEnrolmentStatus',
  description:
    'PENDING: one of the customer and its retailer accepted, no tariff changed; ACTIVE: both did, the point is on the scheme from startsAt (which may be ahead) until endsAt; ' +
    'ENDED: withdrawn after it started, and past endsAt; WITHDRAWN: withdrawn before it started, so it never applied; ' +
    'EXPIRED: its first day began before the other party accepted, so it lapsed and never applied (it blocks no new enrolment)',
});

export const PilotParty = enumOf(PILOT_PARTIES);
registerEnumType(PilotParty, { name: 'PilotParty', description: 'The customer of the metering point, or the retailer supplying it' });

@ObjectType({ description: "A metering point's enrolment in the dynamic-tariff pilot: in force only with both the customer's and its retailer's acceptance" })
export class PilotEnrolment {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  meteringPointId!: string;

  // `scheme` is a field resolver (pilot-enrolment.resolver.ts).
  @Field(() => ID)
  schemeId!: string;

  @Field(() => PilotEnrolmentStatus)
  status!: keyof typeof PilotEnrolmentStatus;

  @Field(() => Date, { description: 'The local midnight the pilot scheme applies from' })
  startsAt!: Date;

  @Field(() => Date, { nullable: true, description: 'The local midnight after a withdrawal, when the point goes back to its former scheme; null while open-ended or never started' })
  endsAt!: Date | null;

  @Field(() => Date, { nullable: true })
  customerAcceptedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  retailerAcceptedAt!: Date | null;

  @Field(() => PilotParty, { nullable: true })
  withdrawnBy!: keyof typeof PilotParty | null;

  @Field(() => Date, { nullable: true })
  withdrawnAt!: Date | null;
}

@InputType()
export class AcceptPilotEnrolmentInput {
  @Field(() => ID, { description: "A customer's key: its own point; a retailer's: a point it supplies now" })
  meteringPointId!: string;

  @Field(() => ID, { description: 'A published TIME_OF_USE or CRITICAL_PEAK scheme that applies on startsOn' })
  schemeId!: string;

  @Field(() => String, { description: 'The local day (YYYY-MM-DD, Lisbon) the pilot starts on, tomorrow or later; the other party accepts the same scheme and day' })
  startsOn!: string;
}

export const PilotEnrolmentConnection = ConnectionType(PilotEnrolment, 'PilotEnrolment');

@ArgsType()
export class PilotEnrolmentsArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  meteringPointId?: string | null;

  @Field(() => PilotEnrolmentStatus, { nullable: true })
  status?: keyof typeof PilotEnrolmentStatus | null;
}

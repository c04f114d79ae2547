import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CONSENT_SCOPES } from '../../schema/access';
import { ConnectionType, PageArgs } from '../kit/connection';
import type { ConsentStateName } from './consent.rules';

export enum ConsentState {
  GRANTED = 'GRANTED',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(ConsentState, { name: 'ConsentState', description: 'GRANTED: in force; REVOKED: withdrawn by the customer (or the DSO for it); EXPIRED: past its end' });

@ObjectType({ description: "A customer's consent for one organisation to read its metering point's data" })
export class Consent {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The metering point (CPE) whose data the consent covers' })
  meteringPointId!: string;

  @Field(() => ID, { description: 'The aggregator or researcher allowed to read' })
  organisationId!: string;

  @Field(() => [String], { description: `What it may read: ${CONSENT_SCOPES.join(', ')}` })
  scopes!: string[];

  @Field(() => Date, { description: 'Start of the data it covers' })
  from!: Date;

  @Field(() => Date, { description: 'End of the data it covers (exclusive), and of the consent itself' })
  to!: Date;

  @Field(() => ConsentState)
  state!: ConsentStateName;

  @Field(() => Date)
  grantedAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

export const ConsentConnection = ConnectionType(Consent, 'Consent');

@InputType()
export class GrantConsentInput {
  @Field(() => ID, { description: 'The metering point: a customer key may only name its own' })
  meteringPointId!: string;

  @Field(() => ID, { description: 'An aggregator or researcher organisation' })
  organisationId!: string;

  @Field(() => [String], { description: `One or more of ${CONSENT_SCOPES.join(', ')}` })
  scopes!: string[];

  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;
}

@ArgsType()
export class ConsentsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: "Only this metering point's consents" })
  meteringPointId?: string;
}

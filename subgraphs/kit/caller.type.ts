import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { Role } from '../../schema/identity';

/** GraphQL names are upper case; the stored and signed values are the lower-case role names. */
export enum RoleValue {
  DSO = 'dso',
  RETAILER = 'retailer',
  AGGREGATOR = 'aggregator',
  CUSTOMER = 'customer',
  REGULATOR = 'regulator',
  TSO = 'tso',
  RESEARCHER = 'researcher',
  DEVELOPER = 'developer',
  HEMS = 'hems',
}
registerEnumType(RoleValue, { name: 'Role', description: 'What kind of party holds the API key' });

@ObjectType({ description: 'The party behind the API key of this request' })
@Directive('@shareable')
export class Caller {
  @Field(() => ID)
  keyId!: string;

  @Field(() => ID, { description: "The organisation; for a customer's key, its metering point (CPE)" })
  organisationId!: string;

  @Field(() => RoleValue)
  role!: Role;

  @Field(() => [String], { description: "The key's scopes, as far as its role allows them" })
  scopes!: string[];
}

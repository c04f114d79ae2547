import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, PageArgs } from '../kit/connection';
import { RoleValue } from '../kit/caller.type';
import type { Role } from '../../schema/identity';

@ObjectType({ description: "One read of a customer's data: who, when, which field and which period" })
export class DataAccess {
  @Field(() => Date)
  at!: Date;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => RoleValue, { nullable: true, description: 'Null on reads recorded before roles were' })
  role!: Role | null;

  @Field(() => String, { description: 'The field that returned the data: loadCurve, loadCurveSeries, events, demand, tariff, hems, ...' })
  field!: string;

  @Field(() => Date, { nullable: true })
  periodFrom!: Date | null;

  @Field(() => Date, { nullable: true })
  periodTo!: Date | null;
}

export const DataAccessConnection = ConnectionType(DataAccess, 'DataAccess');

@ArgsType()
export class DataAccessLogArgs extends PageArgs {
  @Field(() => ID)
  meteringPointId!: string;
}

export enum AuditEntryKind {
  MUTATION = 'MUTATION',
  READ = 'READ',
}
registerEnumType(AuditEntryKind, { name: 'AuditEntryKind', description: 'MUTATION: a change; READ: a read of personal data' });

@ObjectType({ description: 'A change made through the hub, or a read of personal data' })
export class AuditEntry {
  @Field(() => AuditEntryKind)
  kind!: AuditEntryKind;

  @Field(() => Date)
  at!: Date;

  @Field(() => ID)
  keyId!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => RoleValue, { nullable: true })
  role!: Role | null;

  @Field(() => String, { description: 'The request, as in the logs' })
  requestId!: string;

  @Field(() => String, { description: 'The mutation, or the field that read the data' })
  operation!: string;

  @Field(() => String, { description: "What it acted on: an order, a consent, an idempotency key; for a read, the metering point" })
  target!: string;

  @Field(() => String, { description: 'A short account of the change; empty for reads' })
  detail!: string;

  @Field(() => Date, { nullable: true, description: 'For a read: the start of the period read' })
  periodFrom!: Date | null;

  @Field(() => Date, { nullable: true })
  periodTo!: Date | null;
}

export const AuditEntryConnection = ConnectionType(AuditEntry, 'AuditEntry');

@InputType()
export class AuditLogFilter {
  @Field(() => Date)
  from!: Date;

  @Field(() => Date, { description: 'At most 31 days after from' })
  to!: Date;

  @Field(() => ID, { nullable: true })
  organisationId?: string;

  @Field(() => AuditEntryKind, { nullable: true })
  kind?: AuditEntryKind;

  @Field(() => ID, { nullable: true, description: 'Only reads of this metering point' })
  meteringPointId?: string;
}

@ArgsType()
export class AuditLogArgs extends PageArgs {
  @Field(() => AuditLogFilter)
  filter!: AuditLogFilter;
}

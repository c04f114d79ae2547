import { Directive, Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../kit/connection';

export enum CustomerClass {
  BTN_A = 'BTN_A',
  BTN_B = 'BTN_B',
  BTN_C = 'BTN_C',
}
registerEnumType(CustomerClass, { name: 'CustomerClass', description: 'E-REDES standard load profile class' });

export enum MeteringPointUsage {
  RESIDENTIAL = 'RESIDENTIAL',
  COMMERCIAL = 'COMMERCIAL',
  EV_CHARGING = 'EV_CHARGING',
  PUBLIC_LIGHTING = 'PUBLIC_LIGHTING',
}
registerEnumType(MeteringPointUsage, { name: 'MeteringPointUsage' });

@ObjectType({ description: 'A smart meter at a customer (an EDP box), identified by its CPE code' })
@Directive('@key(fields: "id")')
export class MeteringPoint {
  @Field(() => ID, { description: 'CPE code' })
  id!: string;

  @Field(() => ID, { description: 'The retailer supplying this point now' })
  retailerId!: string;

  @Field(() => Float)
  contractedPowerKva!: number;

  @Field(() => CustomerClass)
  customerClass!: CustomerClass;

  @Field(() => MeteringPointUsage)
  usage!: MeteringPointUsage;

  @Field(() => Float, { description: 'Installed PV capacity; 0 for a customer without PV' })
  pvCapacityKwp!: number;
}

export const MeteringPointConnection = ConnectionType(MeteringPoint, 'MeteringPoint');

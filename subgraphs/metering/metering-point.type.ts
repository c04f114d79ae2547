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

  @Field(() => ID, {
    nullable: true,
    description: 'The retailer supplying this point now; null to anyone but the DSO, the customer and that retailer (a former supplier sees null)',
  })
  retailerId!: string | null;

  @Field(() => Float, { nullable: true, description: "Present state: null when you may not see it (a retailer that no longer supplies the point)" })
  contractedPowerKva!: number | null;

  @Field(() => CustomerClass, { nullable: true, description: 'Present state, like contractedPowerKva' })
  customerClass!: CustomerClass | null;

  @Field(() => MeteringPointUsage, { nullable: true, description: 'Present state, like contractedPowerKva' })
  usage!: MeteringPointUsage | null;

  @Field(() => Float, { nullable: true, description: 'Installed PV capacity, 0 without PV; present state, like contractedPowerKva' })
  pvCapacityKwp!: number | null;
}

export const MeteringPointConnection = ConnectionType(MeteringPoint, 'MeteringPoint');

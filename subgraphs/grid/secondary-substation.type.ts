import { Directive, Field, Float, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../kit/connection';

@ObjectType({ description: 'A primary (HV/MV) substation feeding the parish' })
export class PrimarySubstation {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType({ description: 'An LV feeder leaving a secondary substation' })
export class Feeder {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ID)
  secondarySubstationId!: string;
}

@ObjectType({ description: 'A secondary (MV/LV) substation with its DTC' })
@Directive('@key(fields: "id")')
export class SecondarySubstation {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Float)
  ratedPowerKva!: number;

  @Field(() => Float)
  latitude!: number;

  @Field(() => Float)
  longitude!: number;

  primarySubstationId!: string;
}

export const SecondarySubstationConnection = ConnectionType(SecondarySubstation, 'SecondarySubstation');

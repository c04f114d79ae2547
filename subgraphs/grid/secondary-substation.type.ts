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

  @Field(() => ID, { nullable: true, description: "The bus on the transformer's LV terminals, root of the feeders; null where the network model is not surveyed" })
  lvBusId!: string | null;

  // The network model's columns (grid.secondary_substations), exposed as transformer and
  // mvSource; all null where the model is not surveyed.
  transformerPrimaryKv!: number | null;
  transformerSecondaryKv!: number | null;
  transformerConnection!: 'Dyn' | null;
  transformerResistancePercent!: number | null;
  transformerReactancePercent!: number | null;
  sourceVoltageKv!: number | null;
  sourceVoltagePu!: number | null;
  sourceIsc3A!: number | null;
  sourceIsc1A!: number | null;
  sourceX1R1!: number | null;
  sourceX0R0!: number | null;
}

export const SecondarySubstationConnection = ConnectionType(SecondarySubstation, 'SecondarySubstation');

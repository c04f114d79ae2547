import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../kit/connection';

export enum TransformerConnection {
  Dyn = 'Dyn',
}
registerEnumType(TransformerConnection, { name: 'TransformerConnection', description: 'Delta primary, grounded-wye secondary with neutral' });

@ObjectType({ description: "A secondary substation's MV/LV transformer" })
export class DistributionTransformer {
  @Field(() => Float)
  ratedKva!: number;

  @Field(() => Float, { description: 'Rated line-to-line voltages, kV; the secondary at no load' })
  primaryKv!: number;

  @Field(() => Float)
  secondaryKv!: number;

  @Field(() => TransformerConnection)
  connection!: TransformerConnection;

  @Field(() => Float, { description: 'Series resistance, both windings, % on the rating' })
  resistancePercent!: number;

  @Field(() => Float, { description: 'Leakage reactance, both windings, % on the rating' })
  reactancePercent!: number;
}

@ObjectType({ description: 'The MV network behind a transformer, as a Thevenin source given by its short-circuit data' })
export class MvSource {
  @Field(() => Float, { description: 'Nominal line-to-line voltage, kV' })
  voltageKv!: number;

  @Field(() => Float, { description: 'Operating voltage, per unit of voltageKv' })
  voltagePu!: number;

  @Field(() => Float, { description: 'Three-phase short-circuit current, A' })
  isc3A!: number;

  @Field(() => Float, { description: 'Single-phase short-circuit current, A' })
  isc1A!: number;

  @Field(() => Float, { description: 'X/R ratio of the positive sequence' })
  x1r1!: number;

  @Field(() => Float, { description: 'X/R ratio of the zero sequence' })
  x0r0!: number;
}

@ObjectType({ description: 'A cable or line type with its sequence impedances and thermal limit' })
export class LineCode {
  @Field(() => String)
  name!: string;

  @Field(() => Float)
  r1OhmPerKm!: number;

  @Field(() => Float)
  x1OhmPerKm!: number;

  @Field(() => Float)
  r0OhmPerKm!: number;

  @Field(() => Float)
  x0OhmPerKm!: number;

  @Field(() => Float, { nullable: true, description: 'Per phase; null when unknown (loading is then not judged)' })
  ampacityA!: number | null;

  @Field(() => String, { description: 'Where the figures come from' })
  source!: string;
}

@ObjectType({ description: "A node of a secondary substation's LV network: its LV board, a joint, a cabinet" })
export class Bus {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Unique within the substation' })
  name!: string;

  @Field(() => ID)
  secondarySubstationId!: string;

  @Field(() => Float, { nullable: true, description: 'Metres in a projected frame: the source\'s for an imported feeder, east of the substation for the demo' })
  x!: number | null;

  @Field(() => Float, { nullable: true, description: 'Metres north, likewise' })
  y!: number | null;
}

@ObjectType({ description: 'A cable or line section of a feeder, oriented away from the transformer' })
export class LineSegment {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ID)
  feederId!: string;

  @Field(() => ID)
  fromBusId!: string;

  @Field(() => ID)
  toBusId!: string;

  @Field(() => Float)
  lengthM!: number;

  /** Resolved to the LineCode object. */
  lineCode!: string;
}

export const LineSegmentConnection = ConnectionType(LineSegment, 'LineSegment');
export const BusConnection = ConnectionType(Bus, 'Bus');

import { ArgsType, Directive, Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { GRID_ASSET_KINDS, GRID_CONSTRAINT_KINDS, GRID_CONSTRAINT_SOURCES, GRID_CONSTRAINT_STATUSES, GRID_CONSTRAINT_UNITS } from '../../schema/grid-constraints';
import { AreaInput } from '../kit/area.type';
import { enumOf } from '../kit/enum';
import { MAX_DESCRIPTION_LENGTH, MAX_WINDOW_DAYS, SEVERITIES } from './grid-constraint.rules';

export const GridConstraintKind = enumOf(GRID_CONSTRAINT_KINDS);
registerEnumType(GridConstraintKind, {
  name: 'GridConstraintKind',
  description: 'PLANNED_MAINTENANCE and ASSET_FAILURE are declared by the DSO; power-flow runs find the others',
});
export const GridConstraintSource = enumOf(GRID_CONSTRAINT_SOURCES);
registerEnumType(GridConstraintSource, { name: 'GridConstraintSource' });
export const GridConstraintStatus = enumOf(GRID_CONSTRAINT_STATUSES);
registerEnumType(GridConstraintStatus, { name: 'GridConstraintStatus', description: 'ACTIVE until the DSO clears it' });
export const GridConstraintUnit = enumOf(GRID_CONSTRAINT_UNITS);
registerEnumType(GridConstraintUnit, { name: 'GridConstraintUnit', description: "The unit of a constraint's limit and value" });
export const GridAssetKind = enumOf(GRID_ASSET_KINDS);
registerEnumType(GridAssetKind, { name: 'GridAssetKind', description: "TRANSFORMER: the secondary substation's MV/LV transformer" });
export const GridConstraintSeverity = enumOf(SEVERITIES);
registerEnumType(GridConstraintSeverity, {
  name: 'GridConstraintSeverity',
  description:
    'CRITICAL: an asset failure; planned maintenance whose expected loading exceeds the capacity left; a power-flow finding at or beyond ' +
    '120 % of a thermal limit, 0.85 pu (under) or 1.15 pu (over) against limits of 0.90 and 1.10 pu, or 1.5 times the unbalance limit. WARNING: the others.',
});

@ObjectType({ description: 'The asset a constraint is on' })
export class GridAsset {
  @Field(() => GridAssetKind)
  kind!: keyof typeof GridAssetKind;

  @Field(() => ID, { description: 'The secondary substation for its transformer, else the feeder, line segment or bus' })
  id!: string;
}

@ObjectType({ description: 'What limits the LV network in a window: found by a power-flow run or declared by the DSO' })
@Directive('@key(fields: "id")')
export class GridConstraint {
  @Field(() => ID)
  id!: string;

  @Field(() => GridConstraintKind)
  kind!: keyof typeof GridConstraintKind;

  @Field(() => GridConstraintSource)
  source!: keyof typeof GridConstraintSource;

  @Field(() => GridConstraintStatus)
  status!: keyof typeof GridConstraintStatus;

  @Field(() => Date)
  start!: Date;

  @Field(() => Date)
  end!: Date;

  // `secondarySubstation`, `asset` and `severity` are field resolvers (grid-constraint.resolver.ts).
  secondarySubstationId!: string;

  @Field(() => ID, { nullable: true, description: 'The feeder it is on; null when it is on the whole secondary substation' })
  feederId!: string | null;

  assetKind!: keyof typeof GridAssetKind;
  assetId!: string;

  @Field(() => Float, { description: 'The limit crossed (for declarations: the capacity left, % of rating)' })
  limit!: number;

  @Field(() => Float, { description: 'The value found (for declarations: the loading expected, % of rating)' })
  value!: number;

  @Field(() => GridConstraintUnit)
  unit!: keyof typeof GridConstraintUnit;

  @Field(() => String)
  description!: string;

  @Field(() => ID, { nullable: true, description: 'The power-flow run that found it (source POWER_FLOW)' })
  powerFlowRunId!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  clearedAt!: Date | null;
}

@InputType({ description: 'A planned maintenance or an asset failure, declared by the DSO' })
export class DeclareGridConstraintInput {
  @Field(() => GridConstraintKind, { description: 'PLANNED_MAINTENANCE or ASSET_FAILURE' })
  kind!: keyof typeof GridConstraintKind;

  @Field(() => ID)
  secondarySubstationId!: string;

  @Field(() => ID, { nullable: true, description: "The feeder, one of the secondary substation's; omitted: its transformer" })
  feederId?: string | null;

  @Field(() => Date)
  start!: Date;

  @Field(() => Date, { description: `After start, at most ${MAX_WINDOW_DAYS} days later` })
  end!: Date;

  @Field(() => Float, { nullable: true, description: "Capacity left, 0 to 100 % of the asset's rating; default 0 (out of service)" })
  limit?: number | null;

  @Field(() => Float, { nullable: true, description: "Loading expected, % of the asset's rating; default 0 (not known)" })
  value?: number | null;

  @Field(() => String, { description: `1 to ${MAX_DESCRIPTION_LENGTH} characters` })
  description!: string;
}

@ArgsType()
export class GridConstraintsArgs {
  @Field(() => AreaInput, { nullable: true, description: 'Omitted: every area you may see' })
  area?: AreaInput | null;

  @Field(() => Date)
  from!: Date;

  @Field(() => Date, { description: `After from, at most ${MAX_WINDOW_DAYS} days later` })
  to!: Date;
}

import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import type { AreaInput } from '../kit/area.type';
import { parseArea, type Area } from '../kit/area.rules';
import { unknownAreaIds } from '../kit/area.sql';
import type { SubgraphContext } from '../kit/context';
import type { GridLoaders } from './grid.loader';
import type { GridConstraintRow } from './grid-constraint.repo';
import { MAX_WINDOW_DAYS, parseDeclaration, severityOf, windowProblem, type Severity } from './grid-constraint.rules';
import { DeclareGridConstraintInput, GridAsset, GridConstraint, GridConstraintsArgs, GridConstraintSeverity } from './grid-constraint.type';
import { SecondarySubstation } from './secondary-substation.type';

type Context = SubgraphContext<GridLoaders>;

/** The area as given, or BAD_USER_INPUT (field area) when it is malformed or names ids that do not exist. */
async function knownArea(input: AreaInput, ctx: Context): Promise<Area> {
  const area = parseArea(input);
  if (typeof area === 'string') throw new BadUserInputError(area, { field: 'area' });
  const unknown = await unknownAreaIds(ctx.db, area);
  if (unknown.length > 0) throw new BadUserInputError(`Unknown area: ${unknown.join(', ')}`, { field: 'area' });
  return area;
}

@Resolver(() => GridConstraint)
export class GridConstraintResolver {
  // Market information for those who can offer flexibility (flex:trade) and for grid:read
  // holders; which areas each one sees is grid-area.sql.ts.
  @Authorized('grid:read', 'flex:trade')
  @Query(() => [GridConstraint], {
    description:
      `Constraints overlapping [from, to) (at most ${MAX_WINDOW_DAYS} days), cleared ones included, by start: on the area when given ` +
      '(for feeders: on them or on their whole secondary substation), else all you may see. The DSO and grid:read keys see every area; ' +
      'retailers and aggregators the secondary substations where they have customers now.',
  })
  async gridConstraints(@Args(() => GridConstraintsArgs) { area, from, to }: GridConstraintsArgs, @Ctx() ctx: Context): Promise<GridConstraintRow[]> {
    const problem = windowProblem(from.getTime(), to.getTime());
    if (problem) throw new BadUserInputError(problem, { field: 'to' });
    const rows = await ctx.loaders.gridConstraints.inWindow(ctx.identity, area ? await knownArea(area, ctx) : null, from, to);
    for (const row of rows) ctx.loaders.gridConstraint.prime(row.id, row);
    return rows;
  }

  @Authorized('grid:operate')
  @Mutation(() => GridConstraint, { description: 'DSO: declare a planned maintenance or an asset failure; pushed to the retailers and aggregators with customers there' })
  declareGridConstraint(@Arg('input', () => DeclareGridConstraintInput) input: DeclareGridConstraintInput, @Ctx() ctx: Context): Promise<GridConstraintRow> {
    const declaration = parseDeclaration({ ...input, startMs: input.start.getTime(), endMs: input.end.getTime(), limit: input.limit ?? null, value: input.value ?? null });
    if (Array.isArray(declaration)) throw new BadUserInputError(declaration.map((problem) => problem.message).join('; '), { field: declaration[0]!.field });
    return ctx.loaders.gridConstraints.declare({ ...declaration, secondarySubstationId: input.secondarySubstationId, feederId: input.feederId ?? null, start: input.start, end: input.end }, ctx);
  }

  @Authorized('grid:operate')
  @Mutation(() => GridConstraint, { description: 'DSO: end a constraint (CLEARED); pushed like its declaration. Clearing it again changes nothing.' })
  clearGridConstraint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<GridConstraintRow> {
    return ctx.loaders.gridConstraints.clear(id, ctx);
  }

  @FieldResolver(() => SecondarySubstation)
  async secondarySubstation(@Root() constraint: GridConstraintRow, @Ctx() ctx: Context): Promise<SecondarySubstation | null> {
    return ctx.loaders.secondarySubstation.load(constraint.secondarySubstationId);
  }

  @FieldResolver(() => GridAsset)
  asset(@Root() constraint: GridConstraintRow): GridAsset {
    return { kind: constraint.assetKind, id: constraint.assetId };
  }

  @FieldResolver(() => GridConstraintSeverity)
  severity(@Root() constraint: GridConstraintRow): Severity {
    return severityOf(constraint.kind, constraint.limit, constraint.value);
  }
}

import { Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import { Arg, Authorized, Ctx, Info, Int, Query, Resolver } from 'type-graphql';
import { BadUserInputError, ForbiddenError } from '../../schema/errors';
import { recordAccess } from '../kit/access-log';
import type { SubgraphContext } from '../kit/context';
import { FlexAvailabilityRepo } from './flex-availability.repo';
import { availableFlexibility, flexView, flexWindowProblem, isOfferable, listingProblem, MIN_HOLD_MINUTES, minDurationProblem, parseFlexScope, type FlexInterval } from './flex-availability.rules';
import { FlexAvailability, FlexScopeInput } from './flex-availability.type';
import type { HemsLoaders } from './hems.loader';

type Context = SubgraphContext<HemsLoaders>;

const SCOPE_NAMES = { feeder: 'feeder', secondarySubstation: 'secondary substation', retailer: 'retailer' } as const;
const SCOPE_FIELDS = { feeder: 'feederId', secondarySubstation: 'secondarySubstationId', retailer: 'retailerId' } as const;

/** Whether the operation asks for `name` among the field's children, directly or in fragments (directives aside: asked for, then). */
function selects(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (selections: readonly SelectionNode[], spread: ReadonlySet<string>): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet.selections, spread);
      const fragment = info.fragments[selection.name.value];
      return !!fragment && !spread.has(fragment.name.value) && visit(fragment.selectionSet.selections, new Set(spread).add(fragment.name.value));
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet?.selections ?? [], new Set()));
}

const toAvailability = (interval: FlexInterval): FlexAvailability => ({ ...interval, intervalStart: new Date(interval.intervalStartMs) });

@Resolver(() => FlexAvailability)
export class FlexAvailabilityResolver {
  @Authorized('hems:read')
  @Query(() => [FlexAvailability], {
    description:
      'Per quarter-hour of [from, to) (aligned, at most 7 days), how many kW the HEMS of a feeder, a secondary substation or a retailer’s portfolio could take off, ' +
      'and for how long, honouring every condition of their customers. A retailer or an aggregator gets the HEMS shared with it and the loads that make it up; ' +
      'the DSO gets the totals of every HEMS; anyone else is FORBIDDEN.',
  })
  async availableFlexibility(
    @Arg('scope', () => FlexScopeInput) input: FlexScopeInput,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('minDurationMinutes', () => Int, { nullable: true, defaultValue: MIN_HOLD_MINUTES, description: 'Count only loads that can be held off at least this long (minutes)' })
    minDurationMinutes: number,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<FlexAvailability[]> {
    const scope = parseFlexScope(input);
    if (typeof scope === 'string') throw new BadUserInputError(scope, { field: 'scope' });
    const window = { fromMs: from.getTime(), toMs: to.getTime() };
    const windowProblem = flexWindowProblem(window.fromMs, window.toMs);
    if (windowProblem) throw new BadUserInputError(windowProblem, { field: 'to' });
    const durationProblem = minDurationProblem(minDurationMinutes);
    if (durationProblem) throw new BadUserInputError(`minDurationMinutes ${durationProblem}`, { field: 'minDurationMinutes' });
    const view = flexView(ctx.identity, scope);
    if (typeof view === 'object') throw new ForbiddenError(view.forbidden);

    const repo = new FlexAvailabilityRepo(ctx.db, ctx.identity);
    const { loads, pointOfHems } = await repo.candidates(scope, view, window);
    if (loads.length === 0 && !(await repo.scopeExists(scope))) {
      throw new BadUserInputError(`unknown ${SCOPE_NAMES[scope.kind]} ${scope.id}`, { field: `scope.${SCOPE_FIELDS[scope.kind]}` });
    }
    let intervals = availableFlexibility(loads, window, { minDurationMinutes, listLoads: false });
    // A retailer's or aggregator's figures are made of the few HEMS shared with it: a read of each
    // of those households, logged as a point set of demand is. The DSO's totals, like its demand, are not.
    if (view === 'shared') {
      const offering = new Set(loads.filter(isOfferable).map((load) => load.hemsId));
      await recordAccess(ctx.db, ctx.identity, ctx.requestId, 'availableFlexibility', [...offering].map((hemsId) => pointOfHems.get(hemsId)!), window);
    }
    // Listed only once known to fit: a week of a whole portfolio's loads would be hundreds of megabytes.
    if (view === 'shared' && selects(info, 'loads')) {
      const problem = listingProblem(intervals);
      if (problem) throw new BadUserInputError(problem, { field: 'loads' });
      intervals = availableFlexibility(loads, window, { minDurationMinutes, listLoads: true });
    }
    return intervals.map(toAvailability);
  }
}

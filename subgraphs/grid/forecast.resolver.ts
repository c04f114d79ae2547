import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { hasScope, type Scope } from '../../schema/access';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../schema/errors';
import { recordAccess } from '../kit/access-log';
import type { SubgraphContext } from '../kit/context';
import { QUARTER_MS } from '../kit/calendar';
import {
  backtestDays,
  backtestDaysProblem,
  backtestHistoryWindow,
  forecastHistoryWindow,
  forecastWindowProblem,
  improvementPercent,
  MAX_BACKTEST_DAYS,
  MAX_FORECAST_DAYS,
  MAX_LEAD_DAYS,
  parseForecastScope,
  type ForecastScope,
} from './forecast.rules';
import { ForecastService } from './forecast.repo';
import { ForecastAccuracy, ForecastScopeInput, ForecastSeries } from './forecast.type';
import type { GridLoaders } from './grid.loader';
import { LoadHistoryRepo } from './load-history.repo';

type Context = SubgraphContext<GridLoaders>;

/** What a scope reads: its points, and whether they are one customer's personal data. */
interface ScopePoints {
  pointIds: string[];
  personal: boolean;
}

/**
 * The scope's points, once the caller may have them: a metering point's forecast is its personal
 * data, for whoever may read its readings (NOT_FOUND otherwise, like the readings); an area's is
 * the DSO's planning data (grid:operate): it is made of a few households' readings, unchecked by
 * the aggregate rules, so a stakeholder's grid:read does not reach it.
 */
async function scopePoints(scope: ForecastScope, field: string, ctx: Context): Promise<ScopePoints> {
  const needs = (scopeName: Scope, what: string) => {
    if (!hasScope(ctx.identity, scopeName)) throw new ForbiddenError(`Query.${field} of ${what} needs the ${scopeName} scope, which this key does not have`);
  };
  const history = new LoadHistoryRepo(ctx.db);
  if (scope.kind === 'meteringPoint') {
    needs('metering:read', 'a metering point');
    // The kit serves grid with it, grid declaring a meteringPointScope of metering:read (index.ts).
    if (!ctx.pointAccess) throw new Error('the grid subgraph is served with a pointAccess loader');
    const [visible, models] = await Promise.all([ctx.pointAccess.load(scope.id), history.loadModels([scope.id])]);
    if (!visible || !models.has(scope.id)) throw new NotFoundError('Metering point');
    return { pointIds: [scope.id], personal: true };
  }
  needs('grid:operate', scope.kind === 'feeder' ? 'a feeder' : 'a secondary substation');
  const pointIds = scope.kind === 'feeder' ? await history.pointsOfFeeder(scope.id) : await history.pointsOfSecondarySubstation(scope.id);
  if (!pointIds) throw new BadUserInputError(`unknown ${scope.kind === 'feeder' ? 'feeder' : 'secondary substation'} ${scope.id}`, { field: 'scope' });
  return { pointIds, personal: false };
}

function parsedScope(input: ForecastScopeInput): ForecastScope {
  const scope = parseForecastScope(input);
  if (typeof scope === 'string') throw new BadUserInputError(scope, { field: 'scope' });
  return scope;
}

@Resolver()
export class ForecastResolver {
  @Authorized('metering:read', 'grid:operate')
  @Query(() => ForecastSeries, {
    description:
      `Day-ahead forecast of load and PV surplus at 15 minutes over [from, to) (at most ${MAX_FORECAST_DAYS} days, starting at most ${MAX_LEAD_DAYS} days ahead). ` +
      "A metering point's needs metering:read and is logged as a read of its readings; a feeder's or secondary substation's is the DSO's (grid:operate).",
  })
  async forecast(
    @Arg('scope', () => ForecastScopeInput) input: ForecastScopeInput,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Ctx() ctx: Context,
  ): Promise<ForecastSeries> {
    const scope = parsedScope(input);
    const [fromMs, toMs] = [from.getTime(), to.getTime()];
    const problem = forecastWindowProblem(fromMs, toMs, Date.now());
    if (problem) throw new BadUserInputError(problem);
    const { pointIds, personal } = await scopePoints(scope, 'forecast', ctx);
    if (personal) await recordAccess(ctx.db, ctx.identity, ctx.requestId, 'forecast', pointIds, forecastHistoryWindow(fromMs, toMs));
    const series = await new ForecastService(ctx.db).forecast(pointIds, fromMs, toMs, personal ? ctx.identity : undefined);
    return {
      meteringPoints: pointIds.length,
      intervals: Array.from(series.importKw, (loadKw, i) => {
        const pvKw = series.exportKw[i]!;
        return { intervalStart: new Date(fromMs + i * QUARTER_MS), loadKw, pvKw, netKw: loadKw - pvKw };
      }),
    };
  }

  @Authorized('metering:read', 'grid:operate')
  @Query(() => ForecastAccuracy, {
    description:
      `The forecast backtested over the \`days\` (1 to ${MAX_BACKTEST_DAYS}) complete local days before today, next to seasonal-naive. ` +
      "A metering point's needs metering:read, uses only the readings you may read and is logged; a feeder's or secondary substation's is the DSO's (grid:operate).",
  })
  async forecastAccuracy(
    @Arg('scope', () => ForecastScopeInput) input: ForecastScopeInput,
    @Arg('days', () => Int) days: number,
    @Ctx() ctx: Context,
  ): Promise<ForecastAccuracy> {
    const scope = parsedScope(input);
    const problem = backtestDaysProblem(days);
    if (problem) throw new BadUserInputError(problem, { field: 'days' });
    const { pointIds, personal } = await scopePoints(scope, 'forecastAccuracy', ctx);
    const nowMs = Date.now();
    if (personal) await recordAccess(ctx.db, ctx.identity, ctx.requestId, 'forecastAccuracy', pointIds, backtestHistoryWindow(backtestDays(nowMs, days)));
    const result = await new ForecastService(ctx.db).accuracy(pointIds, days, nowMs, personal ? ctx.identity : undefined);
    return {
      ...result,
      mapeImprovementPercent: improvementPercent(result.method.mapePercent, result.seasonalNaive.mapePercent),
      nrmseImprovementPercent: improvementPercent(result.method.nrmsePercent, result.seasonalNaive.nrmsePercent),
    };
  }
}

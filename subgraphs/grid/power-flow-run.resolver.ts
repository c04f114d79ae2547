import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import { PageArgs, parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import type { GridLoaders } from './grid.loader';
import type { GridConstraintRow } from './grid-constraint.repo';
import { GridConstraint } from './grid-constraint.type';
import { runPowerFlow } from './power-flow-run.command';
import { isResultKey, resultKey, type NeedIntervalRow, type NeedRow, type PowerFlowRunRow, type SubstationResultRow } from './power-flow-run.repo';
import {
  FlexibilityNeed,
  PowerFlowBusConnection,
  PowerFlowRun,
  PowerFlowSegmentConnection,
  PowerFlowSubstationResult,
  PowerFlowSummary,
  RunPowerFlowInput,
} from './power-flow-run.type';
import { SecondarySubstation } from './secondary-substation.type';

type Context = SubgraphContext<GridLoaders>;

const byPhase = (row: SubstationResultRow) => ({
  min: [row.minVoltagePuA, row.minVoltagePuB, row.minVoltagePuC],
  max: [row.maxVoltagePuA, row.maxVoltagePuB, row.maxVoltagePuC],
});

/** The extremes over the substations the caller may see; a run with none visible is not found at all. */
function summarise(rows: readonly SubstationResultRow[], intervals: number): PowerFlowSummary {
  const phases = rows.map(byPhase);
  const minByPhase = [0, 1, 2].map((k) => Math.min(...phases.map((p) => p.min[k]!)));
  const maxByPhase = [0, 1, 2].map((k) => Math.max(...phases.map((p) => p.max[k]!)));
  return {
    minVoltagePu: Math.min(...minByPhase),
    maxVoltagePu: Math.max(...maxByPhase),
    maxLineLoadingPercent: Math.max(0, ...rows.map((row) => row.maxLineLoadingPercent)),
    maxTransformerLoadingPercent: Math.max(0, ...rows.map((row) => row.maxTransformerLoadingPercent)),
    minVoltagePuByPhase: minByPhase,
    maxVoltagePuByPhase: maxByPhase,
    lossesKwh: rows.reduce((sum, row) => sum + row.lossesKwh, 0),
    intervals,
    iterations: rows.reduce((sum, row) => sum + row.iterations, 0),
    missingReadings: rows.reduce((sum, row) => sum + row.missingReadings, 0),
  };
}

async function substationResult(row: SubstationResultRow, intervals: number, ctx: Context): Promise<PowerFlowSubstationResult | null> {
  const substation = await ctx.loaders.secondarySubstation.load(row.secondarySubstationId);
  return substation ? { secondarySubstation: substation, runId: row.runId, summary: summarise([row], intervals), computedAt: row.createdAt } : null;
}

@Resolver(() => PowerFlowRun)
export class PowerFlowRunResolver {
  @Authorized('grid:operate')
  @Mutation(() => PowerFlowRun, {
    description:
      'DSO: solve every 15-minute interval of [from, to) on each secondary substation from measured or forecast loads; stores the run, ' +
      'its constraints (pushed to the retailers and aggregators with customers there) and the flexibility that would remove them',
  })
  runPowerFlow(@Arg('input', () => RunPowerFlowInput) input: RunPowerFlowInput, @Ctx() ctx: Context): Promise<PowerFlowRunRow> {
    return runPowerFlow(ctx.db, input, ctx, ctx.loaders.pointPowers);
  }

  @Authorized('grid:read', 'flex:trade')
  @Query(() => PowerFlowRun, { nullable: true, description: 'A run, with what you may see of it; NOT_FOUND when it does not exist or covers no area you may see' })
  async powerFlowRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<PowerFlowRunRow> {
    const run = await ctx.loaders.powerFlowRun.load(id);
    if (!run) throw new NotFoundError('Power-flow run');
    return run;
  }

  @FieldResolver(() => PowerFlowSummary, { description: 'Over the secondary substations of the run you may see' })
  async summary(@Root() run: PowerFlowRunRow, @Ctx() ctx: Context): Promise<PowerFlowSummary> {
    return summarise(await ctx.loaders.runSubstations.load(run.id), run.intervals);
  }

  @FieldResolver(() => [PowerFlowSubstationResult], { description: 'Per secondary substation you may see' })
  async substations(@Root() run: PowerFlowRunRow, @Ctx() ctx: Context): Promise<PowerFlowSubstationResult[]> {
    const rows = await ctx.loaders.runSubstations.load(run.id);
    const results = await Promise.all(rows.map((row) => substationResult(row, run.intervals, ctx)));
    return results.filter((result): result is PowerFlowSubstationResult => result !== null);
  }

  @FieldResolver(() => [GridConstraint], { description: 'The constraints the run found, where you may see them' })
  constraints(@Root() run: PowerFlowRunRow, @Ctx() ctx: Context): Promise<GridConstraintRow[]> {
    return ctx.loaders.runConstraints.load(run.id);
  }

  @FieldResolver(() => [FlexibilityNeed], { description: 'Per congestion point you may see: the reduction that removes its violations, per interval' })
  async flexibilityNeeds(@Root() run: PowerFlowRunRow, @Ctx() ctx: Context): Promise<FlexibilityNeed[]> {
    const needs: (NeedRow & { intervals: NeedIntervalRow[] })[] = await ctx.loaders.runNeeds.load(run.id);
    return needs.map((need) => ({
      id: need.id,
      runId: need.runId,
      congestionPointId: need.congestionPointId,
      congestionPointKind: need.congestionPointKind,
      secondarySubstationId: need.secondarySubstationId,
      feederId: need.feederId,
      intervals: need.intervals.map((interval) => ({ intervalStart: interval.intervalStart, reductionKw: interval.reductionKw })),
    }));
  }

  @Authorized('grid:operate')
  @FieldResolver(() => PowerFlowBusConnection, { nullable: true, description: 'DSO only: every bus of the run with its voltage extremes, by substation and bus' })
  async buses(@Root() run: PowerFlowRunRow, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isResultKey);
    const { rows, totalCount } = await ctx.loaders.powerFlowRuns.busPage(run.id, page);
    const nodes = rows.map((row) => ({
      busId: row.busId,
      secondarySubstationId: row.secondarySubstationId,
      feederId: row.feederId,
      minVoltageV: [row.minVoltageA, row.minVoltageB, row.minVoltageC],
      maxVoltageV: [row.maxVoltageA, row.maxVoltageB, row.maxVoltageC],
    }));
    return toConnection(nodes, page, totalCount, (node) => resultKey({ secondarySubstationId: node.secondarySubstationId, id: node.busId }));
  }

  @Authorized('grid:operate')
  @FieldResolver(() => PowerFlowSegmentConnection, { nullable: true, description: 'DSO only: every line segment of the run with its largest currents and loading' })
  async segments(@Root() run: PowerFlowRunRow, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isResultKey);
    const { rows, totalCount } = await ctx.loaders.powerFlowRuns.segmentPage(run.id, page);
    const nodes = rows.map((row) => ({
      segmentId: row.segmentId,
      secondarySubstationId: row.secondarySubstationId,
      feederId: row.feederId,
      maxCurrentA: [row.maxCurrentA, row.maxCurrentB, row.maxCurrentC],
      maxLoadingPercent: row.maxLoadingPercent,
    }));
    return toConnection(nodes, page, totalCount, (node) => resultKey({ secondarySubstationId: node.secondarySubstationId, id: node.segmentId }));
  }
}

@Resolver(() => SecondarySubstation)
export class SecondarySubstationPowerFlowResolver {
  @Authorized('grid:read', 'flex:trade')
  @FieldResolver(() => PowerFlowSubstationResult, { nullable: true, description: 'The newest power-flow run on this substation; null when there is none or you may not see the area' })
  async latestPowerFlow(@Root() substation: SecondarySubstation, @Ctx() ctx: Context): Promise<PowerFlowSubstationResult | null> {
    const row = await ctx.loaders.latestPowerFlow.load(substation.id);
    if (!row) return null;
    const run = await ctx.loaders.powerFlowRun.load(row.runId);
    return run ? substationResult(row, run.intervals, ctx) : null;
  }
}

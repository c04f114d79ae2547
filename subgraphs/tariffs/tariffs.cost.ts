import { QUARTER_MS } from '../kit/calendar';
import { DEFAULT_PAGE_SIZE } from '../kit/connection';
import type { CostModel } from '../kit/cost';
import { MAX_BILL_DAYS } from './bill.rules';

/**
 * What the tariffs subgraph's fields cost per resolution (kit/cost.ts), in metering.cost.ts's
 * units: a value read costs 1. A bill takes a connection for a few milliseconds besides the
 * quarter-hours it reads: with the default budget (1,000,000) an operation fits about 50 monthly
 * bills or 20 yearly ones, not hundreds. A calibration reads up to 5,000 points over the window
 * and writes a scheme: a few per operation at most.
 */
const BILL_READ_COST = 15_000;
const CALIBRATION_COST = 250_000;

/**
 * peakHours, compareSchemes and tariffKpis sum readings in SQL and return a few dozen values: an
 * area's totals (metering's rollups, the aggregate rule's counts) take a few statements, tens of
 * milliseconds, so an operation fits at most 50 of them; a set of points costs its readings
 * summed, each 1/20 of a value returned (a month of 5,000 points, 14.4 million readings, about a
 * second: 720,000), once per pass over them. A retailer's portfolio is read from metering's totals
 * too, but its points' supply periods are checked on every local day: as many as 5,000 points'
 * days. A KPI sample's secondary substation counts as 100 points. Comparing on the current
 * schemes reads every point of the scope by its assignments, up to tariff-sample.rules'
 * MAX_POINT_DAYS (5.8 million readings, a second or two): two per operation at most.
 */
const AREA_READ_COST = 20_000;
const SUMMED_READING_COST = 1 / 20;
const PORTFOLIO_POINTS = 5_000;
const SUBSTATION_SAMPLE_POINTS = 100;
const SCHEME_COST = 1_000;
const CURRENT_COST = 300_000;
/** A scheme's change against the current cost reads the same current cost, once per comparison: each costs a third. */
const CHANGE_COST = CURRENT_COST / 3;
/** tariffKpis' passes over the readings: the pilot's energy in both windows, its cost on three sets of schemes; the control's energy in both. */
const PILOT_PASSES = 5;
const CONTROL_PASSES = 2;

/**
 * A row of a list (pilotEnrolments, criticalPeakEvents) costs what metering's objects returned
 * cost (10): a page is one indexed read, and the rows are what it builds and sends.
 */
const LISTED_ROW_COST = 10;
const pageSize = (args: Record<string, unknown>) => (typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE);

/** Points of a scope or sample named by their ids; 0 for an area. */
function pointsOf(named: unknown): number {
  const scope = named as { meteringPointIds?: unknown } | undefined;
  return Array.isArray(scope?.meteringPointIds) ? scope.meteringPointIds.length : 0;
}

function scopeRead(args: Record<string, unknown>): number {
  const portfolio = (args.scope as { retailerPortfolio?: unknown } | undefined)?.retailerPortfolio === true;
  return AREA_READ_COST + (pointsOf(args.scope) * quarterHours(args) + (portfolio ? (PORTFOLIO_POINTS * quarterHours(args)) / 96 : 0)) * SUMMED_READING_COST;
}

function kpisCost(args: Record<string, unknown>): number {
  const input = (args.input ?? {}) as Record<string, unknown>;
  const sample = (named: unknown) => pointsOf(named) || ((named as { secondarySubstationId?: unknown } | undefined)?.secondarySubstationId != null ? SUBSTATION_SAMPLE_POINTS : 0);
  const quarters = quarterHours(input) + quarterHours({ from: input.baselineFrom, to: input.baselineTo });
  return 2 * AREA_READ_COST + (PILOT_PASSES * sample(input.pilot) + CONTROL_PASSES * sample(input.control)) * quarters * SUMMED_READING_COST;
}

function quarterHours(args: Record<string, unknown>): number {
  const { from, to } = args;
  if (!(from instanceof Date) || !(to instanceof Date) || !(to.getTime() > from.getTime())) return 0;
  return Math.min((MAX_BILL_DAYS + 1) * 100, Math.ceil((to.getTime() - from.getTime()) / QUARTER_MS));
}

export const tariffsCosts: CostModel = {
  'Query.bill': { cost: (args) => BILL_READ_COST + quarterHours(args), advice: 'fewer bills in one operation, or shorter windows' },
  'Mutation.calibrateRevenueNeutral': { cost: () => CALIBRATION_COST, advice: 'fewer calibrations in one operation' },
  'Query.peakHours': { cost: scopeRead, advice: 'fewer peakHours fields in one operation, fewer metering points (or an area), or a shorter window' },
  'Query.compareSchemes': {
    cost: (args) => scopeRead(args) + (Array.isArray(args.schemeIds) ? args.schemeIds.length : 0) * SCHEME_COST,
    advice: 'fewer compareSchemes fields in one operation, fewer metering points (or an area), or a shorter window',
  },
  'SchemeComparisons.current': { cost: () => CURRENT_COST, advice: 'fewer comparisons with current (or changeVsCurrent) in one operation' },
  'SchemeComparison.changeVsCurrentEur': { cost: () => CHANGE_COST, advice: 'fewer comparisons with current (or changeVsCurrent) in one operation' },
  'SchemeComparison.changeVsCurrentPct': { cost: () => CHANGE_COST, advice: 'fewer comparisons with current (or changeVsCurrent) in one operation' },
  'Query.tariffKpis': { cost: kpisCost, advice: 'fewer tariffKpis fields in one operation, smaller groups, or shorter windows' },
  'Query.pilotEnrolments': { cost: (args) => pageSize(args) * LISTED_ROW_COST, advice: 'a smaller first, paging on with after' },
  'Query.criticalPeakEvents': { cost: (args) => pageSize(args) * LISTED_ROW_COST, advice: 'a smaller first, paging on with after' },
};

import { sql, type SQL } from 'drizzle-orm';
import type DataLoader from 'dataloader';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../schema/errors';
import type { Identity } from '../../schema/identity';
import { recordAccess } from '../kit/access-log';
import { lisbonLocalDay, QUARTER_MS } from '../kit/calendar';
import type { Database } from '../kit/db';
import { mayList, mayReadAt, mayReadPresent } from '../kit/point-access.sql';
import { billSchemes } from './bill.query';
import { eurOf, lineAmounts, type BillSegment, type SchemeSpan } from './bill.rules';
import { assignedCost, centiKva, daysWithin, localDayStarts, powerDaysByScheme, schemeCost, schemeOfDay, type ChargedPoint } from './compare.rules';
import type { CurrentCost, SchemeComparisons } from './compare.type';
import type { TouCycle } from './erse-periods.rules';
import { ERSE_TOU_PERIODS } from './erse-periods.table';
import { nextLocalMidnight } from './local-time.rules';
import { peakHours } from './peak-hours.rules';
import type { PeakHours } from './peak-hours.type';
import { aggregatePlan, areaDecision, withheldMessage, type ScopeInput } from './tariff-aggregate.rules';
import { TariffEnergyRepo, type ReadableAt, type TariffWindow } from './tariff-energy.repo';
import { coverageProblem, groupsProblem, tariffKpis, windowEnergy, type WindowEnergy } from './tariff-kpi.rules';
import { pointDaysProblem } from './tariff-sample.rules';
import type { KpiWindowEnergy, TariffKpis } from './tariff-kpi.type';
import { TariffSchemeRepo, type SchemeVersion } from './tariff-scheme.repo';
import { parseTariffScope, parseTariffWindow, type ScopeArea, type TariffScope, type TariffScopeFields } from './tariff-scope.rules';

export interface TariffAggregateDeps {
  db: Database;
  identity: Identity;
  requestId: string;
  minAggregatePoints: number;
  /** Scheme versions the caller may see (drafts: the DSO's). */
  scheme: DataLoader<string, SchemeVersion | null>;
}

/** Where metering keeps a scope's exact totals per quarter-hour: an area, or a retailer's portfolio. */
type Totals = { kind: 'area'; area: ScopeArea } | { kind: 'portfolio'; retailerId: string };

/** A scope once the caller is allowed it: its points and which of their readings count. */
interface AllowedScope {
  /** A scope with totals of its own takes its energy from them, not from its points' readings. */
  totals: Totals | null;
  pointIds: string[];
  /** null: every reading (the DSO, an area); else those the caller may read. */
  readable: ReadableAt;
}

const kwh = (wh: number) => wh / 1000;
const localDays = (window: TariffWindow) => lisbonLocalDay(window.toMs) - lisbonLocalDay(window.fromMs);

/** What to ask instead of reading too many points' readings (tariff-sample.rules' bound), by how the scope was named. */
const SMALLER: Record<TariffScope['kind'], string> = {
  area: 'a smaller area or a shorter window',
  points: 'fewer metering points, an area, or a shorter window',
  portfolio: 'a shorter window, or a set of your metering points',
};

/** BAD_USER_INPUT before anything is read when `points` over `days` local days is more than one request reads point by point. */
function boundPointDays(points: number, days: number, instead: string, what: string, field: string): void {
  const problem = pointDaysProblem(points, days, instead);
  if (problem) throw new BadUserInputError(`${what}: ${problem}`, { field });
}

/** A scope and window from GraphQL arguments; BAD_USER_INPUT saying what is wrong with them. */
export function scopeArgs(input: TariffScopeFields, from: Date, to: Date): { scope: TariffScope; window: TariffWindow } {
  const scope = parseTariffScope(input);
  if (typeof scope === 'string') throw new BadUserInputError(scope, { field: 'scope' });
  const window = parseTariffWindow(from, to);
  if (typeof window === 'string') throw new BadUserInputError(window, { field: window.startsWith('to') ? 'to' : 'from' });
  return { scope, window };
}

/**
 * peakHours, compareSchemes and tariffKpis: who may ask what (tariff-aggregate.rules.ts), the
 * scope's energy per quarter-hour (an area's from metering's rollups, a set of points' summed
 * from their readings inside what the caller may read), then the pure rules.
 */
export class TariffAggregateQuery {
  private readonly energy: TariffEnergyRepo;

  constructor(private readonly deps: TariffAggregateDeps) {
    this.energy = new TariffEnergyRepo(deps.db);
  }

  async peakHours(scope: TariffScope, window: TariffWindow, cycle: TouCycle, topHours: number): Promise<PeakHours> {
    const allowed = await this.allow(scope, window);
    if (allowed.totals === null) boundPointDays(allowed.pointIds.length, localDays(window), SMALLER.points, "a set of points' peak hours reads each one's readings", 'scope');
    await this.logReads('peakHours', allowed, [window]);
    const result = peakHours(ERSE_TOU_PERIODS, cycle, await this.quarters(allowed, window), topHours);
    return {
      from: new Date(window.fromMs),
      to: new Date(window.toMs),
      cycle,
      meteringPointCount: allowed.pointIds.length,
      quarterHours: result.quarterHours,
      energyKwh: kwh(result.energyWh),
      hours: result.hours.map(({ energyWh, ...hour }) => ({ ...hour, energyKwh: kwh(energyWh) })),
      weekDays: result.weekDays.map(({ energyWh, ...day }) => ({ ...day, energyKwh: kwh(energyWh) })),
      periods: result.periods.map(({ energyWh, ...period }) => ({ ...period, energyKwh: kwh(energyWh) })),
    };
  }

  async compare(scope: TariffScope, window: TariffWindow, schemeIds: readonly string[]): Promise<SchemeComparisons> {
    const loaded = await this.deps.scheme.loadMany(schemeIds);
    const schemes = loaded.map((scheme, i) => {
      if (scheme instanceof Error) throw scheme;
      if (!scheme) throw new NotFoundError(`Tariff scheme ${schemeIds[i]}`);
      return scheme;
    });
    const allowed = await this.allow(scope, window);
    if (allowed.totals === null) boundPointDays(allowed.pointIds.length, localDays(window), SMALLER.points, "comparing a set of points reads each one's readings", 'scope');
    await this.logReads('compareSchemes', allowed, [window]);
    const [quarters, charged, events] = await Promise.all([this.quarters(allowed, window), this.charged(allowed, window), this.energy.criticalPeaks(schemeIds, window)]);
    const centiKvaDays = charged.reduce((sum, point) => sum + point.centiKva * point.dayStartsMs.length, 0);
    const bills = billSchemes(schemes, events);
    let current: Promise<CurrentCost> | null = null;
    // Read only when asked for, and bounded then: an area's schemes cost from its totals, its current tariffs from each point's readings.
    const currentCost = () =>
      (current ??= Promise.resolve().then(() => {
        boundPointDays(allowed.pointIds.length, localDays(window), SMALLER[scope.kind], "the current tariffs' cost reads each metering point's readings", 'current');
        return this.assigned(allowed, window, charged);
      }));
    const costs = schemes.map((scheme) => ({ scheme, cost: schemeCost(ERSE_TOU_PERIODS, scheme.id, bills.get(scheme.id)!, quarters, centiKvaDays) }));
    return {
      from: new Date(window.fromMs),
      to: new Date(window.toMs),
      meteringPointCount: allowed.pointIds.length,
      quarterHours: quarters.length,
      energyKwh: kwh(quarters.reduce((sum, quarter) => sum + quarter.importWh, 0)),
      contractedKvaDays: centiKvaDays / 100,
      schemes: costs.map(({ scheme, cost }) => ({
        scheme,
        lines: cost.lines.map((line) => ({
          schemeId: line.schemeId,
          period: line.period,
          ...lineAmounts(line),
        })),
        energyKwh: kwh(cost.energyWh),
        energyEur: eurOf(cost.energyPicoEur),
        powerEur: eurOf(cost.powerPicoEur),
        customersCostEur: eurOf(cost.totalPicoEur),
        dsoRevenueEur: eurOf(cost.totalPicoEur),
        totalPicoEur: cost.totalPicoEur,
        currentCost,
      })),
      currentCost,
    };
  }

  async kpis(pilotScope: TariffScope, controlScope: TariffScope, period: TariffWindow, baseline: TariffWindow, cycle: TouCycle): Promise<TariffKpis> {
    const [pilot, control] = await Promise.all([this.allow(pilotScope, period, 'sample'), this.allow(controlScope, period, 'sample')]);
    const problem = groupsProblem(pilot.pointIds, control.pointIds);
    if (problem) throw new BadUserInputError(problem, { field: 'input' });
    // The pilot's costs read each of its points; the control, only when named point by point (a substation's energy is its totals).
    boundPointDays(
      pilot.pointIds.length + (control.totals ? 0 : control.pointIds.length),
      localDays(period) + localDays(baseline),
      'smaller groups (a secondary substation as the control reads its totals), or shorter windows',
      "the pilot's and control's metering points read one by one, over the period and the baseline",
      'input',
    );
    await Promise.all([this.logReads('tariffKpis', pilot, [period, baseline]), this.logReads('tariffKpis', control, [period, baseline])]);

    const energyOf = async (scope: AllowedScope, window: TariffWindow) => windowEnergy(ERSE_TOU_PERIODS, cycle, await this.quarters(scope, window), window);
    // The schemes each pilot point was on in the baseline's last quarter-hour.
    const lastBaselineQuarter = { fromMs: baseline.toMs - QUARTER_MS, toMs: baseline.toMs };
    const [pilotPeriod, pilotBaseline, controlPeriod, controlBaseline, baselineEnd, chargedPeriod, chargedBaseline] = await Promise.all([
      energyOf(pilot, period),
      energyOf(pilot, baseline),
      energyOf(control, period),
      energyOf(control, baseline),
      this.energy.assignmentSpans(pilot.pointIds, lastBaselineQuarter),
      this.charged(pilot, period),
      this.charged(pilot, baseline),
    ]);
    const uncovered = coverageProblem({ period: pilotPeriod, baseline: pilotBaseline }, { period: controlPeriod, baseline: controlBaseline });
    if (uncovered) throw new BadUserInputError(uncovered.message, { field: uncovered.window === 'period' ? 'input.from' : 'input.baselineFrom' });
    const baselineSchemes = new Map(baselineEnd.map((span) => [span.meteringPointId, span.schemeId]));
    // One after another: the bound above holds for each pass over the pilot's readings, and side by side they would share the database's cores.
    const periodCost = await this.assigned(pilot, period, chargedPeriod);
    const baselineSchemesCost = await this.assigned(pilot, period, chargedPeriod, baselineSchemes);
    const baselineRevenue = await this.assigned(pilot, baseline, chargedBaseline);
    const kpis = tariffKpis({
      pilot: { period: pilotPeriod, baseline: pilotBaseline },
      control: { period: controlPeriod, baseline: controlBaseline },
      pilotPeriodCostPicoEur: periodCost.totalPicoEur,
      pilotCounterfactualCostPicoEur: baselineSchemesCost.totalPicoEur,
      pilotBaselineRevenuePicoEur: baselineRevenue.totalPicoEur,
    });
    const group = (scope: AllowedScope, inPeriod: WindowEnergy, inBaseline: WindowEnergy) => ({
      meteringPointCount: scope.pointIds.length,
      period: windowFigures(inPeriod),
      baseline: windowFigures(inBaseline),
    });
    return {
      cycle,
      pilot: group(pilot, pilotPeriod, pilotBaseline),
      control: group(control, controlPeriod, controlBaseline),
      ...kpis,
      pilotPeriodCostEur: eurOf(periodCost.totalPicoEur),
      pilotBaselineSchemesCostEur: eurOf(baselineSchemesCost.totalPicoEur),
      pilotBaselineRevenueEur: eurOf(baselineRevenue.totalPicoEur),
    };
  }

  /** The scope's points and readings if the caller may ask for it; FORBIDDEN, NOT_FOUND (or the aggregate rule's refusal) otherwise. */
  private async allow(scope: TariffScope, window: TariffWindow, input: ScopeInput = 'scope'): Promise<AllowedScope> {
    const { identity } = this.deps;
    const plan = aggregatePlan(identity, scope, input);
    if (plan.kind === 'refused') throw new ForbiddenError(plan.reason);
    const readable: ReadableAt = plan.kind === 'all' ? null : (pointId, at) => mayReadAt(identity, pointId, at, 'tariffs:read');
    switch (scope.kind) {
      case 'area': {
        const pointIds = await this.energy.pointsOf(scope.area);
        if (pointIds === null) throw new NotFoundError('Area');
        if (plan.kind === 'disclosed') {
          const [feeders, placements] = await Promise.all([this.energy.feeders(), this.energy.placements((pointId) => this.known(pointId))]);
          const reason = areaDecision(plan.party, feeders, placements, scope.area, this.deps.minAggregatePoints);
          if (reason !== null) throw new ForbiddenError(withheldMessage(reason, this.deps.minAggregatePoints));
        }
        return { totals: { kind: 'area', area: scope.area }, pointIds, readable: null };
      }
      case 'portfolio':
        // Every point it supplied in the window, each while it did (metering's retailer totals).
        return { totals: { kind: 'portfolio', retailerId: identity.organisationId }, pointIds: await this.energy.suppliedPoints(identity.organisationId, window), readable };
      case 'points': {
        const { existing, visible } = await this.energy.visibility(scope.ids, (pointId) => this.known(pointId));
        // Only the DSO learns that an id does not exist; to anyone else it is one it may not read.
        if (plan.kind === 'all' && existing < scope.ids.length) throw new NotFoundError('Metering point');
        if (visible < scope.ids.length) throw new ForbiddenError('every metering point must be one you may read one by one');
        return { totals: null, pointIds: scope.ids, readable };
      }
    }
  }

  /**
   * The points the caller knows one by one (the bill's rule, bill.repo.ts): a retailer's present
   * and former customers, a consent's points (for metering or tariffs), a customer's own. For the
   * aggregate rule they are the points it could subtract, so they do not count.
   */
  private known(pointId: SQL): SQL {
    return sql`((${mayList(this.deps.identity, pointId)}) OR (${mayReadPresent(this.deps.identity, pointId, 'tariffs:read')}))`;
  }

  /** Personal data read through a set of points is logged per point and window; totals (an area's, a portfolio's) are not, as for metering's demand. */
  private async logReads(field: string, scope: AllowedScope, windows: readonly TariffWindow[]): Promise<void> {
    if (scope.totals) return;
    for (const window of windows) await recordAccess(this.deps.db, this.deps.identity, this.deps.requestId, field, scope.pointIds, window);
  }

  private quarters({ totals, pointIds, readable }: AllowedScope, window: TariffWindow) {
    if (totals === null) return this.energy.readableQuarters(pointIds, window, readable);
    return totals.kind === 'area' ? this.energy.areaQuarters(totals.area, window) : this.energy.retailerQuarters(totals.retailerId, window);
  }

  /** Each point's contracted power and the local days it is charged: every day of the window, or those the caller may read at their first quarter-hour. */
  private async charged(scope: AllowedScope, window: TariffWindow): Promise<ChargedPoint[]> {
    const days = localDayStarts(window.fromMs, window.toMs);
    const [contracts, readable] = await Promise.all([
      this.energy.contracts(scope.pointIds),
      scope.readable ? this.energy.readableSpans(scope.pointIds, window, scope.readable) : Promise.resolve(null),
    ]);
    return contracts.map((contract) => ({
      meteringPointId: contract.meteringPointId,
      centiKva: centiKva(contract.contractedPowerKva),
      dayStartsMs: readable ? daysWithin(days, readable.get(contract.meteringPointId) ?? []) : days,
    }));
  }

  /**
   * What the scope pays on the schemes it is on over the window (or, with `fixed`, its points on
   * those schemes instead): energy per scheme in force at each quarter-hour, contracted power per
   * day on the scheme in force at its first quarter-hour.
   */
  private async assigned(scope: AllowedScope, window: TariffWindow, charged: readonly ChargedPoint[], fixed?: ReadonlyMap<string, string>): Promise<CurrentCost> {
    const [quarters, spans] = await Promise.all([this.energy.schemeQuarters(scope.pointIds, window, scope.readable, fixed), this.energy.assignmentSpans(scope.pointIds, window)]);
    const spansOf = new Map<string, SchemeSpan[]>();
    for (const span of spans) {
      const own = spansOf.get(span.meteringPointId);
      if (own) own.push(span);
      else spansOf.set(span.meteringPointId, [span]);
    }
    const schemeOf = (pointId: string, dayStartMs: number) => fixed?.get(pointId) ?? schemeOfDay(spansOf.get(pointId) ?? [], dayStartMs, nextLocalMidnight(dayStartMs));
    const powerDays = powerDaysByScheme(charged, schemeOf);
    const ids = [...new Set([...quarters.map((q) => q.schemeId), ...powerDays.keys()])];
    // A scheme a point is assigned is what it pays, whoever asks: drafts included.
    const [schemes, events] = ids.length === 0 ? [[], []] : await Promise.all([new TariffSchemeRepo(this.deps.db, true).byIds(ids), this.energy.criticalPeaks(ids, window)]);
    const bills = billSchemes(schemes, events);
    const segments: BillSegment[] = quarters.map(({ schemeId, quarters: rows }) => ({ schemeId, scheme: bills.get(schemeId)!, quarters: rows }));
    return assignedCost(ERSE_TOU_PERIODS, segments, bills, powerDays);
  }
}

function windowFigures(energy: WindowEnergy): KpiWindowEnergy {
  return {
    days: energy.days,
    quarterHours: energy.quarterHours,
    coveredDays: energy.coveredDays,
    energyKwh: kwh(energy.energyWh),
    peakKwh: kwh(energy.peakWh),
    // tariffKpis has refused a window without readings (coverageProblem): coveredDays is above 0.
    peakKwhPerDay: kwh(energy.peakWh) / energy.coveredDays,
    peakSharePct: energy.energyWh === 0 ? null : (energy.peakWh / energy.energyWh) * 100,
  };
}

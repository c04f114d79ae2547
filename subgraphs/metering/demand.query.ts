import { ForbiddenError, NotFoundError } from '../../schema/errors';
import type { Identity } from '../../schema/identity';
import { recordAccess } from '../kit/access-log';
import type { Database } from '../kit/db';
import { bucketDecisions, disclosureEpochs, type DisclosureParty, type DisclosureSubject } from './demand-disclosure.rules';
import type { DemandRepo, DemandPointRow } from './demand.repo';
import { demandPlan, DemandScopeKind, type CurveWindow, type DemandScope, type DisclosurePartyKind } from './demand.rules';
import type { DemandPoint, DemandSeries } from './demand.type';
import type { DisclosureRepo } from './disclosure.repo';
import { areaKey, type AreaKind, type WithheldReason } from '../kit/disclosure.rules';

const AREA_KIND: Record<Exclude<DemandScopeKind, DemandScopeKind.Retailer>, AreaKind> = {
  [DemandScopeKind.Network]: 'network',
  [DemandScopeKind.PrimarySubstation]: 'primary',
  [DemandScopeKind.SecondarySubstation]: 'secondary',
  [DemandScopeKind.Feeder]: 'feeder',
};

const given = (row: DemandPointRow): DemandPoint => ({ ...row, withheld: null });
const withheld = (row: DemandPointRow, reason: WithheldReason): DemandPoint => ({
  intervalStart: row.intervalStart,
  importWh: null,
  exportWh: null,
  avgImportKw: null,
  readingCount: null,
  withheld: reason,
});

export interface DemandQueryDeps {
  db: Database;
  identity: Identity;
  requestId: string;
  demand: DemandRepo;
  disclosure: DisclosureRepo;
  minAggregatePoints: number;
}

/** `demand`: who may ask what (demand.rules), then the series, cut by the disclosure rules where they apply. */
export class DemandQuery {
  constructor(private readonly deps: DemandQueryDeps) {}

  async run(scope: DemandScope, window: CurveWindow): Promise<DemandSeries> {
    const { identity, demand } = this.deps;
    const plan = demandPlan(identity, scope);
    if (plan.kind === 'refused') throw new ForbiddenError(plan.reason);
    const series = (meteringPointCount: number, points: DemandPoint[]): DemandSeries => ({ meteringPointCount, resolution: window.resolution, points });

    if (scope.kind === 'points') {
      const { existing, visible } = await demand.pointVisibility(scope.meteringPointIds);
      // Only the DSO learns that an id does not exist; to anyone else it is one it may not read.
      if (existing < scope.meteringPointIds.length && plan.kind === 'all') throw new NotFoundError('Metering point');
      if (visible < scope.meteringPointIds.length) throw new ForbiddenError('every metering point must be one you may read one by one');
      await recordAccess(this.deps.db, identity, this.deps.requestId, 'demand', scope.meteringPointIds, window);
      return series(existing, (await demand.pointSetSeries(scope.meteringPointIds, window)).map(given));
    }
    if (scope.kind === 'retailer') {
      const count = await demand.retailerPointCount(scope.retailerId);
      if (count === 0 && plan.kind !== 'own-portfolio') throw new NotFoundError('Retailer');
      const rows = await demand.rollupSeries(DemandScopeKind.Retailer, scope.retailerId, window);
      if (plan.kind !== 'disclosed') return series(count, rows.map(given));
      return series(count, await this.disclosed(rows, plan.party, { retailerId: scope.retailerId }, window));
    }
    const count = await demand.areaPointCount(scope.scopeKind, scope.id);
    if (count === null) throw new NotFoundError('Area');
    const rows = await demand.rollupSeries(scope.scopeKind, scope.id, window);
    if (plan.kind !== 'disclosed') return series(count, rows.map(given));
    return series(count, await this.disclosed(rows, plan.party, { area: areaKey(AREA_KIND[scope.scopeKind], scope.id) }, window));
  }

  /** The rows with each bucket withheld when any of its quarter-hours is (disclosure rules, demand-disclosure.rules bucketDecisions). */
  private async disclosed(rows: DemandPointRow[], partyKind: DisclosurePartyKind, subject: DisclosureSubject, window: CurveWindow): Promise<DemandPoint[]> {
    if (rows.length === 0) return [];
    const { disclosure } = this.deps;
    const [feeders, contracts, quarters, party] = await Promise.all([
      disclosure.feeders(),
      disclosure.contractSpans(window),
      disclosure.quarterCounts(window),
      this.party(partyKind, window),
    ]);
    const epochs = disclosureEpochs(party, feeders, contracts, window, this.deps.minAggregatePoints);
    const decisions = bucketDecisions(epochs, quarters, window, subject);
    return rows.map((row) => {
      // Every row's bucket is one of the window's; were it not, it could not be vouched for.
      const reason = decisions.get(row.intervalStart.getTime());
      return reason === null ? given(row) : withheld(row, reason ?? 'INCOMPLETE');
    });
  }

  private async party(kind: DisclosurePartyKind, window: CurveWindow): Promise<DisclosureParty> {
    if (kind.kind !== 'consent') return kind;
    return { kind: 'consent', known: await this.deps.disclosure.consentedSpans(kind.organisationId, window) };
  }
}

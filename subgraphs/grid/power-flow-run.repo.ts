import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Identity } from '../../schema/identity';
import {
  flexibilityNeedIntervals,
  flexibilityNeeds,
  powerFlowBusResults,
  powerFlowRuns,
  powerFlowSegmentResults,
  powerFlowSubstationResults,
} from '../../schema/tables/grid-power-flow';
import { recordMutation, type Actor } from '../kit/audit';
import type { Page } from '../kit/connection';
import type { Database, Transaction } from '../kit/db';
import { groupBy } from '../kit/group';
import { anyText } from '../kit/sql';
import { mayViewArea } from './grid-area.sql';
import { recordPowerFlowConstraints, type NewPowerFlowConstraint } from './grid-constraint.repo';

export type PowerFlowRunRow = typeof powerFlowRuns.$inferSelect;
export type SubstationResultRow = typeof powerFlowSubstationResults.$inferSelect;
export type BusResultRow = typeof powerFlowBusResults.$inferSelect;
export type SegmentResultRow = typeof powerFlowSegmentResults.$inferSelect;
export type NeedRow = typeof flexibilityNeeds.$inferSelect;
export type NeedIntervalRow = typeof flexibilityNeedIntervals.$inferSelect;
export type NeedWithIntervals = NeedRow & { intervals: NeedIntervalRow[] };

export interface NewNeed {
  secondarySubstationId: string;
  congestionPointKind: NeedRow['congestionPointKind'];
  congestionPointId: string;
  feederId: string | null;
  intervals: { intervalStart: Date; reductionKw: number }[];
}

export interface NewRun {
  run: Omit<PowerFlowRunRow, 'id' | 'createdAt'>;
  substations: Omit<SubstationResultRow, 'runId' | 'createdAt'>[];
  buses: Omit<BusResultRow, 'runId'>[];
  segments: Omit<SegmentResultRow, 'runId'>[];
  needs: NewNeed[];
  constraints: NewPowerFlowConstraint[];
}

/** Rows per INSERT: under PostgreSQL's 65,535 parameters for the widest table. */
const CHUNK_ROWS = 5_000;

async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) await insert(rows.slice(i, i + CHUNK_ROWS));
}

/** A bus's or segment's keyset key in a run's pages: substation, then id. */
export const resultKey = (row: { secondarySubstationId: string; id: string }) => `${row.secondarySubstationId}|${row.id}`;
export const isResultKey = (key: string) => key.split('|').length === 2;

/** Rows after the page's key (resultKey) in (substation, id) order; none to skip on the first page. */
function afterResult(page: Page, substation: AnyPgColumn, id: AnyPgColumn): SQL | undefined {
  if (page.afterKey === null) return undefined;
  const [substationId, rowId] = page.afterKey.split('|');
  return sql`(${substation}, ${id}) > (${substationId}, ${rowId})`;
}

export class PowerFlowRunRepo {
  constructor(private readonly db: Database) {}

  /**
   * Stores a run whole: its figures, the constraints it found (with their events) and its
   * flexibility needs, with the audit line, in one transaction.
   */
  store(newRun: NewRun, actor: Actor): Promise<PowerFlowRunRow> {
    return this.db.transaction(async (tx) => {
      const id = `pfr-${randomUUID()}`;
      const [run] = await tx.insert(powerFlowRuns).values({ id, ...newRun.run }).returning();
      await tx.insert(powerFlowSubstationResults).values(newRun.substations.map((row) => ({ runId: id, ...row })));
      await insertChunked(newRun.buses, (chunk) => tx.insert(powerFlowBusResults).values(chunk.map((row) => ({ runId: id, ...row }))));
      await insertChunked(newRun.segments, (chunk) => tx.insert(powerFlowSegmentResults).values(chunk.map((row) => ({ runId: id, ...row }))));
      await this.storeNeeds(tx, id, newRun.needs);
      const constraints = await recordPowerFlowConstraints(tx, id, newRun.constraints);
      await recordMutation(
        tx,
        actor,
        'runPowerFlow',
        id,
        `${newRun.run.source} ${newRun.run.intervals} intervals, ${newRun.substations.length} secondary substations: ${constraints.length} constraints, ${newRun.needs.length} flexibility needs`,
      );
      return run!;
    });
  }

  private async storeNeeds(tx: Transaction, runId: string, needs: readonly NewNeed[]): Promise<void> {
    if (needs.length === 0) return;
    const rows = needs.map((need) => ({ id: `fn-${randomUUID()}`, runId, ...need }));
    await tx.insert(flexibilityNeeds).values(rows.map(({ intervals: _intervals, ...row }) => row));
    const intervals = rows.flatMap((need) => need.intervals.map((interval) => ({ needId: need.id, ...interval })));
    await insertChunked(intervals, (chunk) => tx.insert(flexibilityNeedIntervals).values(chunk));
  }

  /** The runs of these ids that show the caller at least one secondary substation. */
  runs(identity: Identity, ids: readonly string[]): Promise<PowerFlowRunRow[]> {
    return this.db
      .select()
      .from(powerFlowRuns)
      .where(
        and(
          anyText(powerFlowRuns.id, ids),
          sql`EXISTS (SELECT 1 FROM ${powerFlowSubstationResults} visible WHERE visible.run_id = ${powerFlowRuns.id}
            AND ${mayViewArea(identity, sql.raw('visible.secondary_substation_id'))})`,
        ),
      );
  }

  /** Each run's substation figures the caller may see. */
  substationResults(identity: Identity, runIds: readonly string[]): Promise<SubstationResultRow[]> {
    return this.db
      .select()
      .from(powerFlowSubstationResults)
      .where(and(anyText(powerFlowSubstationResults.runId, runIds), mayViewArea(identity, sql`${powerFlowSubstationResults.secondarySubstationId}`)))
      .orderBy(asc(powerFlowSubstationResults.secondarySubstationId));
  }

  /** The newest run's figures for each of these substations, where the caller may see them. */
  latestResults(identity: Identity, secondarySubstationIds: readonly string[]): Promise<SubstationResultRow[]> {
    return this.db
      .selectDistinctOn([powerFlowSubstationResults.secondarySubstationId])
      .from(powerFlowSubstationResults)
      .where(and(anyText(powerFlowSubstationResults.secondarySubstationId, secondarySubstationIds), mayViewArea(identity, sql`${powerFlowSubstationResults.secondarySubstationId}`)))
      .orderBy(powerFlowSubstationResults.secondarySubstationId, desc(powerFlowSubstationResults.createdAt));
  }

  /** Each run's flexibility needs the caller may see, with their intervals. */
  needs(identity: Identity, runIds: readonly string[]): Promise<NeedWithIntervals[]> {
    return this.needsWhere(identity, anyText(flexibilityNeeds.runId, runIds));
  }

  /** The flexibility needs by id that the caller may see (the same area rule as a run's), with their intervals. */
  needsByIds(identity: Identity, ids: readonly string[]): Promise<NeedWithIntervals[]> {
    return this.needsWhere(identity, anyText(flexibilityNeeds.id, ids));
  }

  private async needsWhere(identity: Identity, which: SQL): Promise<NeedWithIntervals[]> {
    const needs = await this.db
      .select()
      .from(flexibilityNeeds)
      .where(and(which, mayViewArea(identity, sql`${flexibilityNeeds.secondarySubstationId}`)))
      .orderBy(asc(flexibilityNeeds.secondarySubstationId), asc(flexibilityNeeds.congestionPointId));
    if (needs.length === 0) return [];
    const intervals = await this.db
      .select()
      .from(flexibilityNeedIntervals)
      .where(inArray(flexibilityNeedIntervals.needId, needs.map((need) => need.id)))
      .orderBy(asc(flexibilityNeedIntervals.intervalStart));
    const intervalsOf = groupBy(intervals, (interval) => interval.needId);
    return needs.map((need) => ({ ...need, intervals: intervalsOf.get(need.id) ?? [] }));
  }

  /** A page of a run's buses, by substation and bus (the DSO's detail: the resolver checks the scope). */
  async busPage(runId: string, page: Page): Promise<{ rows: BusResultRow[]; totalCount: number }> {
    const table = powerFlowBusResults;
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(table)
        .where(and(eq(table.runId, runId), afterResult(page, table.secondarySubstationId, table.busId)))
        .orderBy(asc(table.secondarySubstationId), asc(table.busId))
        .limit(page.limit + 1),
      this.db.select({ n: count() }).from(table).where(eq(table.runId, runId)),
    ]);
    return { rows, totalCount: total?.n ?? 0 };
  }

  /** A page of a run's line segments, by substation and segment (the DSO's detail). */
  async segmentPage(runId: string, page: Page): Promise<{ rows: SegmentResultRow[]; totalCount: number }> {
    const table = powerFlowSegmentResults;
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(table)
        .where(and(eq(table.runId, runId), afterResult(page, table.secondarySubstationId, table.segmentId)))
        .orderBy(asc(table.secondarySubstationId), asc(table.segmentId))
        .limit(page.limit + 1),
      this.db.select({ n: count() }).from(table).where(eq(table.runId, runId)),
    ]);
    return { rows, totalCount: total?.n ?? 0 };
  }
}

import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { BadUserInputError, NotFoundError } from '../../schema/errors';
import type { GridConstraintEventKind } from '../../schema/events';
import type { GridAssetKind, GridConstraintUnit } from '../../schema/grid-constraints';
import type { Identity } from '../../schema/identity';
import { feeders, gridConstraints, secondarySubstations } from '../../schema/tables';
import type { Area } from '../kit/area.rules';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database, Transaction } from '../kit/db';
import { appendToOutbox } from '../kit/outbox';
import { anyText } from '../kit/sql';
import { areaAudience, mayViewArea } from './grid-area.sql';
import { declaredAsset, describeFinding, findingProblem, OPERATOR_UNIT, type Declaration, type PowerFlowKind } from './grid-constraint.rules';

/**
 * A stored constraint. It is also what the GraphQL GridConstraint resolves from (severity,
 * asset and secondarySubstation are field resolvers over it): a field returning constraints
 * (PowerFlowRun.constraints) returns these rows as they are.
 */
export type GridConstraintRow = typeof gridConstraints.$inferSelect;

/** A declaration parsed by parseDeclaration, on its area and window. */
export interface NewDeclaration extends Declaration {
  secondarySubstationId: string;
  feederId: string | null;
  start: Date;
  end: Date;
}

/** A constraint a power-flow run found; checked by findingProblem (grid-constraint.rules.ts). */
export interface NewPowerFlowConstraint {
  kind: PowerFlowKind;
  secondarySubstationId: string;
  /** The feeder it is on, one of the secondary substation's; null for the transformer. */
  feederId: string | null;
  asset: { kind: GridAssetKind; id: string };
  start: Date;
  end: Date;
  limit: number;
  value: number;
  unit: GridConstraintUnit;
  /** Default: the finding in words (describeFinding). */
  description?: string;
}

const newId = () => `gc-${randomUUID()}`;

/** Constraints on the area: on its secondary substations; for feeders, on them or on their whole substation. */
function onArea(area: Area): SQL {
  const substationsOf = (condition: SQL) => sql`${gridConstraints.secondarySubstationId} IN (SELECT ${secondarySubstations.id} FROM ${secondarySubstations} WHERE ${condition})`;
  switch (area.kind) {
    case 'primary':
      return substationsOf(eq(secondarySubstations.primarySubstationId, area.id));
    case 'secondary':
      return anyText(gridConstraints.secondarySubstationId, area.ids);
    case 'feeders':
      return or(
        anyText(gridConstraints.feederId, area.ids),
        and(isNull(gridConstraints.feederId), sql`${gridConstraints.secondarySubstationId} IN (SELECT ${feeders.secondarySubstationId} FROM ${feeders} WHERE ${anyText(feeders.id, area.ids)})`),
      )!;
  }
}

/** The event of a new or cleared constraint, in the writer's transaction, to those who may see its area. */
async function appendConstraintEvent(tx: Transaction, kind: GridConstraintEventKind, row: GridConstraintRow, audience: readonly string[]): Promise<number> {
  return appendToOutbox(tx, 'GRID_CONSTRAINT', audience, {
    kind,
    constraintId: row.id,
    constraintKind: row.kind,
    secondarySubstationId: row.secondarySubstationId,
    feederId: row.feederId,
    start: row.start.toISOString(),
    end: row.end.toISOString(),
  });
}

/**
 * Stores what a power-flow run found, source POWER_FLOW, with one GRID_CONSTRAINT event (NEW)
 * per constraint, in the run's own transaction: the run's mutation records its audit line, not
 * this. A finding that breaks findingProblem, or names a feeder not on its substation (the
 * table's foreign key), is a bug in the run: it throws, and the transaction rolls back.
 */
export async function recordPowerFlowConstraints(tx: Transaction, runId: string, constraints: readonly NewPowerFlowConstraint[]): Promise<GridConstraintRow[]> {
  if (constraints.length === 0) return [];
  constraints.forEach((constraint, index) => {
    const problem = findingProblem({ ...constraint, startMs: constraint.start.getTime(), endMs: constraint.end.getTime() });
    if (problem) throw new Error(`power-flow run ${runId}, constraint ${index}: ${problem}`);
  });
  const rows = await tx
    .insert(gridConstraints)
    .values(
      constraints.map((constraint) => ({
        id: newId(),
        kind: constraint.kind,
        source: 'POWER_FLOW' as const,
        secondarySubstationId: constraint.secondarySubstationId,
        feederId: constraint.feederId,
        assetKind: constraint.asset.kind,
        assetId: constraint.asset.id,
        start: constraint.start,
        end: constraint.end,
        limit: constraint.limit,
        value: constraint.value,
        unit: constraint.unit,
        description: constraint.description ?? describeFinding(constraint.kind, constraint.limit, constraint.value, constraint.unit),
        powerFlowRunId: runId,
      })),
    )
    .returning();
  const audiences = new Map<string, string[]>();
  for (const row of rows) {
    let audience = audiences.get(row.secondarySubstationId);
    if (!audience) audiences.set(row.secondarySubstationId, (audience = await areaAudience(tx, row.secondarySubstationId)));
    await appendConstraintEvent(tx, 'NEW', row, audience);
  }
  return rows;
}

export class GridConstraintRepo {
  constructor(private readonly db: Database) {}

  /** Constraints the caller may see overlapping [from, to), on the area when given, by start. */
  inWindow(identity: Identity, area: Area | null, from: Date, to: Date): Promise<GridConstraintRow[]> {
    return this.db
      .select()
      .from(gridConstraints)
      .where(and(lt(gridConstraints.start, to), gt(gridConstraints.end, from), area ? onArea(area) : undefined, mayViewArea(identity, sql`${gridConstraints.secondarySubstationId}`)))
      .orderBy(asc(gridConstraints.start), asc(gridConstraints.id));
  }

  /** The constraints of these ids the caller may see. */
  byIds(identity: Identity, ids: readonly string[]): Promise<GridConstraintRow[]> {
    return this.db
      .select()
      .from(gridConstraints)
      .where(and(anyText(gridConstraints.id, ids), mayViewArea(identity, sql`${gridConstraints.secondarySubstationId}`)));
  }

  /** The constraints of these power-flow runs the caller may see, by start. */
  ofRuns(identity: Identity, runIds: readonly string[]): Promise<GridConstraintRow[]> {
    return this.db
      .select()
      .from(gridConstraints)
      .where(and(anyText(gridConstraints.powerFlowRunId, runIds), mayViewArea(identity, sql`${gridConstraints.secondarySubstationId}`)))
      .orderBy(asc(gridConstraints.start), asc(gridConstraints.id));
  }

  /**
   * Stores the DSO's declaration, its audit line and its GRID_CONSTRAINT event (NEW) in one
   * transaction; an unknown substation or feeder, or a feeder not on the substation, is
   * BAD_USER_INPUT naming the field, with nothing written.
   */
  declare(declaration: NewDeclaration, actor: Actor): Promise<GridConstraintRow> {
    return this.db.transaction(async (tx) => {
      const [substation] = await tx.select({ id: secondarySubstations.id }).from(secondarySubstations).where(eq(secondarySubstations.id, declaration.secondarySubstationId));
      if (!substation) throw new BadUserInputError(`Unknown secondary substation: ${declaration.secondarySubstationId}`, { field: 'secondarySubstationId' });
      if (declaration.feederId !== null) {
        const [feeder] = await tx.select().from(feeders).where(eq(feeders.id, declaration.feederId));
        if (!feeder) throw new BadUserInputError(`Unknown feeder: ${declaration.feederId}`, { field: 'feederId' });
        if (feeder.secondarySubstationId !== substation.id) {
          throw new BadUserInputError(`Feeder ${feeder.id} is on secondary substation ${feeder.secondarySubstationId}, not ${substation.id}`, { field: 'feederId' });
        }
      }
      const asset = declaredAsset(substation.id, declaration.feederId);
      const [row] = await tx
        .insert(gridConstraints)
        .values({ id: newId(), source: 'OPERATOR', assetKind: asset.kind, assetId: asset.id, unit: OPERATOR_UNIT, ...declaration })
        .returning();
      await recordMutation(tx, actor, 'declareGridConstraint', row!.id, `${row!.kind} on ${asset.kind.toLowerCase()} ${asset.id}`);
      await appendConstraintEvent(tx, 'NEW', row!, await areaAudience(tx, row!.secondarySubstationId));
      return row!;
    });
  }

  /**
   * Ends a constraint (status CLEARED, clearedAt now) with its audit line and its GRID_CONSTRAINT
   * event (CLEARED, to those who may see the area now). Clearing a cleared constraint changes
   * nothing and answers it as it is, so a client may retry; an unknown id is NOT_FOUND.
   */
  clear(id: string, actor: Actor): Promise<GridConstraintRow> {
    return this.db.transaction(async (tx) => {
      const [cleared] = await tx
        .update(gridConstraints)
        .set({ status: 'CLEARED', clearedAt: sql`now()` })
        .where(and(eq(gridConstraints.id, id), eq(gridConstraints.status, 'ACTIVE')))
        .returning();
      if (!cleared) {
        const [existing] = await tx.select().from(gridConstraints).where(eq(gridConstraints.id, id));
        if (!existing) throw new NotFoundError('Grid constraint');
        return existing;
      }
      await recordMutation(tx, actor, 'clearGridConstraint', id, `${cleared.kind} cleared`);
      await appendConstraintEvent(tx, 'CLEARED', cleared, await areaAudience(tx, cleared.secondarySubstationId));
      return cleared;
    });
  }
}

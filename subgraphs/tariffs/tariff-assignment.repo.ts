import { and, asc, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { tariffAssignments } from '../../schema/tables';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';

export type TariffAssignmentRow = typeof tariffAssignments.$inferSelect;

/** Which scheme each metering point is on, and was on. Callers reach it only for points they were checked for. */
export class TariffAssignmentRepo {
  constructor(private readonly db: Database) {}

  current(meteringPointIds: readonly string[]): Promise<TariffAssignmentRow[]> {
    return this.db
      .select()
      .from(tariffAssignments)
      // In force now: an accepted pilot opens its assignment ahead, from its first day.
      .where(and(anyText(tariffAssignments.meteringPointId, meteringPointIds), lte(tariffAssignments.validFrom, sql`now()`), or(isNull(tariffAssignments.validTo), gt(tariffAssignments.validTo, sql`now()`))));
  }

  history(meteringPointIds: readonly string[]): Promise<TariffAssignmentRow[]> {
    return this.db
      .select()
      .from(tariffAssignments)
      .where(anyText(tariffAssignments.meteringPointId, meteringPointIds))
      .orderBy(asc(tariffAssignments.meteringPointId), asc(tariffAssignments.validFrom));
  }
}

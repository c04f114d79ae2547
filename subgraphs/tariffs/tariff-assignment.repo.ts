import { and, asc, isNull } from 'drizzle-orm';
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
      .where(and(anyText(tariffAssignments.meteringPointId, meteringPointIds), isNull(tariffAssignments.validTo)));
  }

  history(meteringPointIds: readonly string[]): Promise<TariffAssignmentRow[]> {
    return this.db
      .select()
      .from(tariffAssignments)
      .where(anyText(tariffAssignments.meteringPointId, meteringPointIds))
      .orderBy(asc(tariffAssignments.meteringPointId), asc(tariffAssignments.validFrom));
  }
}

import { and, asc, count, gt, sql } from 'drizzle-orm';
import { connections, feeders, primarySubstations, secondarySubstations } from '../../schema/tables';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';
import type { Feeder, PrimarySubstation, SecondarySubstation } from './secondary-substation.type';

export interface ConnectionRow {
  meteringPointId: string;
  feederId: string;
  secondarySubstationId: string;
  phase: string;
  busId: string | null;
}

export class NetworkRepo {
  constructor(private readonly db: Database) {}

  secondarySubstations(ids: readonly string[]): Promise<SecondarySubstation[]> {
    return this.db.select().from(secondarySubstations).where(anyText(secondarySubstations.id, ids));
  }

  primarySubstations(ids: readonly string[]): Promise<PrimarySubstation[]> {
    return this.db.select().from(primarySubstations).where(anyText(primarySubstations.id, ids));
  }

  feedersOf(secondarySubstationIds: readonly string[]): Promise<Feeder[]> {
    return this.db
      .select()
      .from(feeders)
      .where(anyText(feeders.secondarySubstationId, secondarySubstationIds))
      .orderBy(asc(feeders.id));
  }

  connectionsOf(meteringPointIds: readonly string[]): Promise<ConnectionRow[]> {
    return this.db
      .select({
        meteringPointId: connections.meteringPointId,
        feederId: connections.feederId,
        secondarySubstationId: feeders.secondarySubstationId,
        phase: connections.phase,
        busId: connections.busId,
      })
      .from(connections)
      .innerJoin(feeders, sql`${feeders.id} = ${connections.feederId}`)
      .where(anyText(connections.meteringPointId, meteringPointIds));
  }

  async pageSecondarySubstations(page: Page): Promise<{ rows: SecondarySubstation[]; totalCount: number }> {
    const after = page.afterKey === null ? undefined : gt(secondarySubstations.id, page.afterKey);
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(secondarySubstations)
        .where(and(after))
        .orderBy(asc(secondarySubstations.id))
        .limit(page.limit + 1),
      this.db.select({ n: count() }).from(secondarySubstations),
    ]);
    return { rows, totalCount: total?.n ?? 0 };
  }
}

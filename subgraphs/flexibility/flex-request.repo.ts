import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, gt } from 'drizzle-orm';
import { flexRequests, substationsView } from '../../schema/tables';
import type { Page } from '../kit/connection';
import type { Database } from '../kit/db';
import { recordMutation, type Actor } from '../kit/audit';
import { appendToOutbox } from '../kit/outbox';
import { anyText } from '../kit/sql';
import type { FlexDirection, FlexRequest, FlexRequestStatus } from './flex-request.type';

type Row = typeof flexRequests.$inferSelect;

const toFlexRequest = (row: Row): FlexRequest => ({
  ...row,
  direction: row.direction as FlexDirection,
  status: row.status as FlexRequestStatus,
});

export interface NewFlexRequest {
  secondarySubstationId: string;
  direction: FlexDirection;
  powerKw: number;
  windowStart: Date;
  windowEnd: Date;
}

export class FlexRequestRepo {
  constructor(private readonly db: Database) {}

  async byIds(ids: readonly string[]): Promise<FlexRequest[]> {
    const rows = await this.db.select().from(flexRequests).where(anyText(flexRequests.id, ids));
    return rows.map(toFlexRequest);
  }

  async page(page: Page): Promise<{ rows: FlexRequest[]; totalCount: number }> {
    const after = page.afterKey === null ? undefined : gt(flexRequests.id, page.afterKey);
    const [rows, [total]] = await Promise.all([
      this.db.select().from(flexRequests).where(after).orderBy(asc(flexRequests.id)).limit(page.limit + 1),
      this.db.select({ n: count() }).from(flexRequests),
    ]);
    return { rows: rows.map(toFlexRequest), totalCount: total?.n ?? 0 };
  }

  /** Reads grid's published view, never grid's tables. */
  async substationExists(secondarySubstationId: string): Promise<boolean> {
    const rows = await this.db
      .select({ id: substationsView.secondarySubstationId })
      .from(substationsView)
      .where(and(eq(substationsView.secondarySubstationId, secondarySubstationId)))
      .limit(1);
    return rows.length > 0;
  }

  /** Stores the request and announces it to the whole market in the same transaction. */
  async insert(request: NewFlexRequest, actor: Actor): Promise<FlexRequest> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(flexRequests)
        .values({ id: `fr-${randomUUID()}`, ...request, status: 'OPEN' })
        .returning();
      await recordMutation(tx, actor, 'createFlexRequest', row!.id, `${request.direction} ${request.powerKw} kW at ${request.secondarySubstationId}`);
      await appendToOutbox(tx, 'FLEX_REQUEST', [], { kind: 'CREATED', flexRequestId: row!.id });
      return toFlexRequest(row!);
    });
  }
}

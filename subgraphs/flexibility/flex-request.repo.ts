import { and, asc, count, eq, gt, or, sql } from 'drizzle-orm';
import type { FlexRequestStatus } from '../../schema/flexibility';
import type { Identity } from '../../schema/identity';
import { feedersView, flexibilityNeedsView, flexRequestIsps, flexRequestRecipients, flexRequests, substationsView } from '../../schema/tables';
import type { Page } from '../kit/connection';
import type { Database, Transaction } from '../kit/db';
import { anyText } from '../kit/sql';
import { mayViewRequest } from './flex-market-access.sql';
import type { FlexRequestIsp } from './flex-request.type';

export type FlexRequestRow = typeof flexRequests.$inferSelect;
export type FlexRequestIspRow = FlexRequestIsp & { requestId: string };

/** A congestion point as the grid publishes it: its kind and the secondary substation it is (or is under). */
export interface CongestionPoint {
  kind: FlexRequestRow['congestionPointKind'];
  secondarySubstationId: string;
}

/** A page cursor of flexRequests: the last row's creation time (milliseconds, as stored) and id. */
export const requestKey = (row: FlexRequestRow) => `${row.createdAt.toISOString()}|${row.id}`;
export const isRequestKey = (key: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|.+$/.test(key);

const visible = (identity: Identity) => mayViewRequest(identity, sql`${flexRequests.id}`);

export class FlexRequestRepo {
  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
  ) {}

  /** The requests the caller may see among `ids`. */
  byIds(ids: readonly string[]): Promise<FlexRequestRow[]> {
    return this.db.select().from(flexRequests).where(and(anyText(flexRequests.id, ids), visible(this.identity)));
  }

  /** The ISPs of the requests, in time order: only ask for requests the caller may see. */
  isps(requestIds: readonly string[]): Promise<FlexRequestIspRow[]> {
    return this.db
      .select({ requestId: flexRequestIsps.requestId, start: flexRequestIsps.start, minKw: flexRequestIsps.minKw, maxKw: flexRequestIsps.maxKw })
      .from(flexRequestIsps)
      .where(anyText(flexRequestIsps.requestId, requestIds))
      .orderBy(asc(flexRequestIsps.requestId), asc(flexRequestIsps.start));
  }

  /** The requests the caller may see, oldest first, keyset by (created_at, id). */
  async page(status: FlexRequestStatus | null, page: Page): Promise<{ rows: FlexRequestRow[]; totalCount: number }> {
    const filter = and(visible(this.identity), status === null ? undefined : eq(flexRequests.status, status));
    const [createdAt, id] = page.afterKey === null ? [] : splitKey(page.afterKey);
    const after = createdAt === undefined ? undefined : or(gt(flexRequests.createdAt, createdAt), and(eq(flexRequests.createdAt, createdAt), gt(flexRequests.id, id!)));
    const [rows, [total]] = await Promise.all([
      this.db.select().from(flexRequests).where(and(filter, after)).orderBy(asc(flexRequests.createdAt), asc(flexRequests.id)).limit(page.limit + 1),
      this.db.select({ n: count() }).from(flexRequests).where(filter),
    ]);
    return { rows, totalCount: total?.n ?? 0 };
  }
}

function splitKey(key: string): [Date, string] {
  const bar = key.indexOf('|');
  return [new Date(key.slice(0, bar)), key.slice(bar + 1)];
}

/** The feeder or secondary substation of that id (grid's published views), or null when there is none. */
export async function congestionPointOf(db: Database | Transaction, congestionPointId: string): Promise<CongestionPoint | null> {
  const [feeder] = await db.select({ secondarySubstationId: feedersView.secondarySubstationId }).from(feedersView).where(eq(feedersView.feederId, congestionPointId)).limit(1);
  if (feeder) return { kind: 'FEEDER', secondarySubstationId: feeder.secondarySubstationId };
  const [substation] = await db
    .select({ secondarySubstationId: substationsView.secondarySubstationId })
    .from(substationsView)
    .where(eq(substationsView.secondarySubstationId, congestionPointId))
    .limit(1);
  return substation ? { kind: 'SECONDARY_SUBSTATION', secondarySubstationId: substation.secondarySubstationId } : null;
}

/** A grid flexibility need's congestion point and intervals (grid.flexibility_needs_v), or null when there is none. */
export async function flexibilityNeed(db: Database | Transaction, needId: string): Promise<{ congestionPointId: string; intervals: { startMs: number; reductionKw: number }[] } | null> {
  const rows = await db
    .select({ congestionPointId: flexibilityNeedsView.congestionPointId, intervalStart: flexibilityNeedsView.intervalStart, reductionKw: flexibilityNeedsView.reductionKw })
    .from(flexibilityNeedsView)
    .where(eq(flexibilityNeedsView.needId, needId))
    .orderBy(asc(flexibilityNeedsView.intervalStart));
  if (rows.length === 0) return null;
  return { congestionPointId: rows[0]!.congestionPointId, intervals: rows.map((row) => ({ startMs: row.intervalStart.getTime(), reductionKw: row.reductionKw })) };
}

/** The organisations each request was published to, by id. */
export function requestRecipients(db: Database | Transaction, requestIds: readonly string[]): Promise<{ requestId: string; organisationId: string }[]> {
  return db
    .select({ requestId: flexRequestRecipients.requestId, organisationId: flexRequestRecipients.organisationId })
    .from(flexRequestRecipients)
    .where(anyText(flexRequestRecipients.requestId, requestIds))
    .orderBy(asc(flexRequestRecipients.requestId), asc(flexRequestRecipients.organisationId));
}

/** The organisations the request was published to. */
export async function recipientsOf(db: Database | Transaction, requestId: string): Promise<string[]> {
  return (await requestRecipients(db, [requestId])).map((row) => row.organisationId);
}

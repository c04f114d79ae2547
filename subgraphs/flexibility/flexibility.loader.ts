import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { loggedFetch } from '../kit/access-log';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { ContractedPowerOrderRepo, type AckRow, type AffectedRow, type OrderRow, type WindowReading } from './contracted-power-order.repo';
import { FlexRequestRepo } from './flex-request.repo';
import type { FlexRequest } from './flex-request.type';
import { OutboxRepo, type StoredEvent } from './outbox.repo';

export interface FlexibilityLoaders {
  /** Whose points and orders a non-DSO caller sees: its own organisation; null for the DSO. */
  ownRetailer: string | null;
  flexRequests: FlexRequestRepo;
  flexRequest: DataLoader<string, FlexRequest | null>;
  orders: ContractedPowerOrderRepo;
  /** Orders the caller may see: all for the DSO, those addressed to it for a retailer. */
  order: DataLoader<string, OrderRow | null>;
  /** The caller's own affected points of an order (all of them for the DSO); each point returned is logged. */
  affected: DataLoader<string, AffectedRow[]>;
  /** The readings of the caller's own affected points in an order's window, as compliance weighs them; each point is logged. */
  windowReadings: DataLoader<string, WindowReading[]>;
  acknowledgements: DataLoader<string, AckRow[]>;
  addressees: DataLoader<string, { orderId: string; retailerId: string }[]>;
  outbox: OutboxRepo;
  event: DataLoader<string, StoredEvent | null>;
}

/** Flexibility requests are market announcements: every participant may read them. */
export function createFlexibilityLoaders(request: RequestScope): FlexibilityLoaders {
  const { database, identity } = request;
  const flexRequests = new FlexRequestRepo(database.db);
  const orders = new ContractedPowerOrderRepo(database.db);
  const outbox = new OutboxRepo(database.db);
  const ownRetailer = identity.role === 'dso' ? null : identity.organisationId;
  const addressees = groupedLoader((ids) => orders.addressees(ids), (row) => row.orderId);
  return {
    ownRetailer,
    flexRequests,
    flexRequest: keyedLoader((ids) => flexRequests.byIds(ids), (row) => row.id),
    orders,
    order: keyedLoader(async (ids) => {
      if (identity.role !== 'dso' && identity.role !== 'retailer') return [];
      const rows = await orders.byIds(ids);
      if (!ownRetailer) return rows;
      const addressed = await Promise.all(rows.map((row) => addressees.load(row.id)));
      return rows.filter((_, i) => addressed[i]!.some((row) => row.retailerId === ownRetailer));
    }, (row) => row.id),
    // Which customers an order caps is personal data: each point the caller receives is logged.
    affected: groupedLoader(
      loggedFetch(request, 'contractedPowerOrder.affected', (row) => row.meteringPointId, (ids) => orders.affected(ids, ownRetailer)),
      (row) => row.orderId,
    ),
    // Every point whose readings a compliance report weighs is logged, listed or not: leaving a
    // point out says it kept under its cap.
    windowReadings: groupedLoader(
      loggedFetch(request, 'contractedPowerOrder.compliance', (row) => row.meteringPointId, (ids) => orders.readingsInWindow(ids, ownRetailer, identity)),
      (row) => row.orderId,
    ),
    acknowledgements: groupedLoader((ids) => orders.acknowledgements(ids), (row) => row.orderId),
    addressees,
    outbox,
    event: keyedLoader((ids) => outbox.byIds(ids.map(Number)), (row) => String(row.id)),
  };
}

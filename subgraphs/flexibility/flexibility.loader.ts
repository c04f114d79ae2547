import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { recordAccess } from '../kit/access-log';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { ContractedPowerOrderRepo, type AckRow, type AffectedRow, type OrderRow } from './contracted-power-order.repo';
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
  /** The caller's own affected points of an order (all of them for the DSO). */
  affected: DataLoader<string, AffectedRow[]>;
  acknowledgements: DataLoader<string, AckRow[]>;
  addressees: DataLoader<string, { orderId: string; retailerId: string }[]>;
  outbox: OutboxRepo;
  event: DataLoader<string, StoredEvent | null>;
}

/** Flexibility requests are market announcements: every participant may read them. */
export function createFlexibilityLoaders({ database, identity, requestId }: RequestScope): FlexibilityLoaders {
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
    affected: groupedLoader(async (ids) => {
      const rows = await orders.affected(ids, ownRetailer);
      await recordAccess(database.db, identity, requestId, 'contractedPowerOrder.affected', rows.map((row) => row.meteringPointId), null);
      return rows;
    }, (row) => row.orderId),
    acknowledgements: groupedLoader((ids) => orders.acknowledgements(ids), (row) => row.orderId),
    addressees,
    outbox,
    event: keyedLoader((ids) => outbox.byIds(ids.map(Number)), (row) => String(row.id)),
  };
}

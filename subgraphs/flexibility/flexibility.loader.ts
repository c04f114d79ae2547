import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { loggedFetch } from '../kit/access-log';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { ContractedPowerOrderRepo, type AckRow, type AffectedRow, type OrderRow, type WindowReading } from './contracted-power-order.repo';
import { activationsOf, feedbackOrders, type ActivationRow } from './flex-activation.repo';
import type { FeedbackOrder } from './flex-activation.rules';
import { FlexOfferRepo } from './flex-offer.repo';
import { orderCommandIds } from './flex-order-hems.repo';
import type { FlexOffer } from './flex-offer.type';
import { FlexOrderRepo } from './flex-order.repo';
import type { FlexOrder } from './flex-order.type';
import type { CountedOffer } from './flex-sufficiency.rules';
import { settlementPoints, settlementsOf, type SettlementIspRow, type SettlementRow } from './flex-settlement.repo';
import { FlexRequestRepo, requestRecipients, type FlexRequestIspRow, type FlexRequestRow } from './flex-request.repo';
import { OutboxRepo, type StoredEvent } from './outbox.repo';

export interface FlexibilityLoaders {
  /** Whose points and orders a non-DSO caller sees: its own organisation; null for the DSO. */
  ownRetailer: string | null;
  flexRequests: FlexRequestRepo;
  /** Requests the caller may see (flex-market-access.sql.ts): all for the DSO, those published to its organisation for others. */
  flexRequest: DataLoader<string, FlexRequestRow | null>;
  /** The ISPs of a request, in time order: load them only for a request flexRequest gave. */
  flexRequestIsps: DataLoader<string, FlexRequestIspRow[]>;
  flexRequestRecipients: DataLoader<string, { organisationId: string }[]>;
  flexOffers: FlexOfferRepo;
  /** Offers the caller may see: all for the DSO, its own for the offerer, none for others. */
  flexOffer: DataLoader<string, FlexOffer | null>;
  /** A request's offers the caller may see, oldest first. */
  requestOffers: DataLoader<string, FlexOffer[]>;
  /** Every offer to a request's current revision, as sufficiency counts them: for the DSO only (it sums competitors' offers). */
  countedOffers: DataLoader<string, (CountedOffer & { requestId: string })[]>;
  flexOrders: FlexOrderRepo;
  /** Flex orders the caller may see: all for the DSO, its own for the offerer, none for others. */
  flexOrder: DataLoader<string, FlexOrder | null>;
  /** An offer's order, by offer id, if the caller may see it. */
  offerOrder: DataLoader<string, FlexOrder | null>;
  /** A request's orders the caller may see, oldest first. */
  requestOrders: DataLoader<string, FlexOrder[]>;
  /** An order's activation reports: load them only for an order flexOrder gave. */
  flexActivations: DataLoader<string, ActivationRow[]>;
  /** The HEMS commands an order's offerer sent for it (ids: the HEMS subgraph checks who sees each). */
  flexOrderCommands: DataLoader<string, { orderId: string; commandId: string }[]>;
  /** An order's settlement, once SETTLED: load it only for an order flexOrder gave. */
  flexSettlement: DataLoader<string, (SettlementRow & { isps: SettlementIspRow[] }) | null>;
  /** The metering points a settlement was computed on; each point returned is logged. */
  flexSettlementPoints: DataLoader<string, { orderId: string; meteringPointId: string }[]>;
  /** Every order of a request with its ISPs and reports, for the DSO's activation feedback only. */
  feedbackOrders: DataLoader<string, (FeedbackOrder & { requestId: string })[]>;
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

export function createFlexibilityLoaders(request: RequestScope): FlexibilityLoaders {
  const { database, identity } = request;
  const flexRequests = new FlexRequestRepo(database.db, identity);
  const flexOffers = new FlexOfferRepo(database.db, identity);
  const flexOrders = new FlexOrderRepo(database.db, identity);
  const orders = new ContractedPowerOrderRepo(database.db);
  const outbox = new OutboxRepo(database.db);
  const ownRetailer = identity.role === 'dso' ? null : identity.organisationId;
  const addressees = groupedLoader((ids) => orders.addressees(ids), (row) => row.orderId);
  return {
    ownRetailer,
    flexRequests,
    flexRequest: keyedLoader((ids) => flexRequests.byIds(ids), (row) => row.id),
    flexRequestIsps: groupedLoader((ids) => flexRequests.isps(ids), (row) => row.requestId),
    flexRequestRecipients: groupedLoader((ids) => requestRecipients(database.db, ids), (row) => row.requestId),
    flexOffers,
    flexOffer: keyedLoader((ids) => flexOffers.byIds(ids), (row) => row.id),
    requestOffers: groupedLoader((ids) => flexOffers.ofRequests(ids), (row) => row.flexRequestId),
    countedOffers: groupedLoader((ids) => flexOffers.counted(ids), (row) => row.requestId),
    flexOrders,
    flexOrder: keyedLoader((ids) => flexOrders.byIds(ids), (row) => row.id),
    offerOrder: keyedLoader((ids) => flexOrders.byOfferIds(ids), (row) => row.offerId),
    requestOrders: groupedLoader((ids) => flexOrders.ofRequests(ids), (row) => row.requestId),
    flexActivations: groupedLoader((ids) => activationsOf(database.db, ids), (row) => row.orderId),
    flexOrderCommands: groupedLoader((ids) => orderCommandIds(database.db, ids), (row) => row.orderId),
    flexSettlement: keyedLoader((ids) => settlementsOf(database.db, ids), (row) => row.orderId),
    // Whose homes an order's settlement was measured on is personal data: each point returned is logged.
    flexSettlementPoints: groupedLoader(
      loggedFetch(request, 'flexOrder.settlement', (row) => row.meteringPointId, (ids) => settlementPoints(database.db, ids)),
      (row) => row.orderId,
    ),
    feedbackOrders: groupedLoader((ids) => feedbackOrders(database.db, ids), (row) => row.requestId),
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

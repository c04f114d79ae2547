import type { CostModel } from '../kit/cost';
import { MAX_OFFERS_PER_REQUEST } from './flex-offer.rules';
import { MAX_ISPS } from './flex-request.rules';

/**
 * What the flexibility subgraph's fields cost per resolution (kit/cost.ts), in metering.cost.ts's
 * units: a value read costs 1, an object returned 10. Per-ISP lists hold up to a week of ISPs
 * (MAX_ISPS), so a page of requests or orders with their ISPs is priced at its worst: with the
 * default budget (1,000,000) about 100 requests' ISPs in one operation, not a thousand.
 * A request's offers and orders (one per offer) are priced, and their own fields multiplied, per
 * offer: an offerer sees its own, at most MAX_OFFERS_PER_REQUEST; the DSO everyone's, estimated at
 * PARTIES_PER_REQUEST times that (and its recipients at PARTIES_PER_REQUEST ids: they have no
 * bound of their own). An order's HEMS (its commands, its settlement's metering points)
 * have no bound of their own: ORDER_HEMS estimates them.
 * An offer checks the offerer's HEMS behind the congestion point as availableFlexibility does
 * (hems.cost.ts: an area read); settling a day reads every order's points over the baseline
 * look-back, a second's work at the bench's 200 orders.
 */
const OBJECT_VALUE_COST = 10;
const ISP_LIST_COST = MAX_ISPS * OBJECT_VALUE_COST;
/** Organisations offering to one request: an estimate (a request is published to the few parties behind one feeder or substation). */
const PARTIES_PER_REQUEST = 5;
const OFFERS_PER_REQUEST = PARTIES_PER_REQUEST * MAX_OFFERS_PER_REQUEST;
/** HEMS one order commands: an estimate (a retailer's households behind one feeder that it dispatches for one order). */
const ORDER_HEMS = 100;
const AREA_READ_COST = 90_000;
const SETTLEMENT_DAY_COST = 400_000;

const isps = { cost: () => ISP_LIST_COST, advice: 'fewer requests, offers or orders per page when asking for their ISPs' };
const perOffer = (what: string) => ({ cost: () => OFFERS_PER_REQUEST * OBJECT_VALUE_COST, fanOut: () => OFFERS_PER_REQUEST, advice: `fewer requests per page when asking for their ${what}` });

export const flexibilityCosts: CostModel = {
  'FlexRequest.isps': isps,
  'FlexRequest.sufficiency': isps,
  'FlexRequest.activation': isps,
  'FlexOffer.isps': isps,
  'FlexOrder.activations': isps,
  'FlexOrder.settlement': isps,
  'FlexRequest.offers': perOffer('offers'),
  'FlexRequest.orders': perOffer('orders'),
  'FlexRequest.recipientIds': { cost: () => PARTIES_PER_REQUEST, advice: 'fewer requests per page when asking for their recipients' },
  'FlexOrder.hemsCommands': { cost: () => ORDER_HEMS * OBJECT_VALUE_COST, fanOut: () => ORDER_HEMS, advice: 'fewer orders per page when asking for their HEMS commands' },
  'FlexSettlement.meteringPointIds': { cost: () => ORDER_HEMS, advice: "fewer orders per page when asking for their settlements' metering points" },
  'Mutation.submitFlexOffer': { cost: () => AREA_READ_COST, advice: 'fewer offers in one operation' },
  'Mutation.autoSelectFlexOffers': { cost: () => AREA_READ_COST, advice: 'one automatic selection per operation' },
  'Mutation.settleFlexOrders': { cost: () => SETTLEMENT_DAY_COST, advice: 'one day per operation' },
};

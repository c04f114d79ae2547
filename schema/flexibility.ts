/**
 * The vocabulary of the flexibility market, shared by its tables (schema/tables/flexibility.ts),
 * its hub events (schema/events.ts) and the flexibility subgraph's rules and types. Names follow
 * UFTP where they fit; power is in kW, positive = less consumption, averaged over a 15-minute ISP.
 */

import { CONGESTION_POINT_KINDS } from './tables/grid-power-flow';

/** Where the congestion is: a feeder, or a secondary substation (its transformer). Grid's names, as its flexibility needs give them. */
export { CONGESTION_POINT_KINDS };
export type CongestionPointKind = (typeof CONGESTION_POINT_KINDS)[number];

/** OPEN until the DSO closes it or its last ISP ends (then CLOSED, with why); either sends FLEX_RESTORE. */
export const FLEX_REQUEST_STATUSES = ['OPEN', 'CLOSED'] as const;
export type FlexRequestStatus = (typeof FLEX_REQUEST_STATUSES)[number];

/** BY_DSO: closeFlexRequest; PERIOD_ENDED: the close job, once the last ISP has ended. */
export const FLEX_REQUEST_CLOSE_REASONS = ['BY_DSO', 'PERIOD_ENDED'] as const;
export type FlexRequestCloseReason = (typeof FLEX_REQUEST_CLOSE_REASONS)[number];

/**
 * OPEN: may be ordered until its expiry (an OPEN offer past it reads EXPIRED); REVOKED by its
 * offerer; SUPERSEDED by a revision of its request; ORDERED by the DSO; EXPIRED never stored.
 */
export const FLEX_OFFER_STATUSES = ['OPEN', 'REVOKED', 'SUPERSEDED', 'ORDERED', 'EXPIRED'] as const;
export type FlexOfferStatus = (typeof FLEX_OFFER_STATUSES)[number];

/** ORDERED by the DSO; ACTIVATED once its offerer reports what it shifted; SETTLED from the meters; CANCELLED when its request closes before its first ISP. */
export const FLEX_ORDER_STATUSES = ['ORDERED', 'ACTIVATED', 'SETTLED', 'CANCELLED'] as const;
export type FlexOrderStatus = (typeof FLEX_ORDER_STATUSES)[number];

/** What a FLEX_REQUEST event says happened to the request. */
export const FLEX_REQUEST_EVENT_KINDS = ['CREATED', 'REVISED'] as const;
export type FlexRequestEventKind = (typeof FLEX_REQUEST_EVENT_KINDS)[number];

/** What a FLEX_OFFER event says happened to the offer (to the DSO and the offerer). */
export const FLEX_OFFER_EVENT_KINDS = ['SUBMITTED', 'REVOKED'] as const;
export type FlexOfferEventKind = (typeof FLEX_OFFER_EVENT_KINDS)[number];

/** What a FLEX_ORDER event says happened to the order (to the DSO and the offerer). */
export const FLEX_ORDER_EVENT_KINDS = ['ORDERED', 'ACTIVATED', 'SETTLED', 'CANCELLED'] as const;
export type FlexOrderEventKind = (typeof FLEX_ORDER_EVENT_KINDS)[number];

/** One ISP: the market's time unit. */
export const ISP_MS = 15 * 60 * 1000;

/** A flex request's period, and so an order's, is at most seven days of ISPs: a congestion foreseen in the days ahead, not a standing order. */
export const MAX_FLEX_PERIOD_MS = 7 * 24 * 3600 * 1000;

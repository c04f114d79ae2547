/**
 * Ordering offers: what one order may take (orderFlex), and the automatic choice of the cheapest
 * sufficient set (autoSelectFlexOffers). Pure; the command reads and locks, then decides here.
 *
 * An order takes an offer whole or scaled by an activation factor in (0, 1], the same share of
 * every ISP of the offer. maxKw bounds each offer's ISPs (submitFlexOffer refuses more); the
 * request's orders together may go past an ISP's maxKw, because one factor scales an offer in all
 * of its ISPs: covering every ISP's minimum with whole or uniformly scaled offers can require
 * more than the maximum in some ISP (an offer at maxKw in one ISP and short in another leaves the
 * next offer no room at all under a hard sum cap, though the offers suffice). What is never
 * ordered is an offer all of whose ISPs already have orders totalling at least their maxKw: it
 * would buy nothing the DSO asked for.
 *
 * autoSelect: offers by price per kWh ascending (ties: the earlier offer), each taken while some
 * ISP it offers in still falls short of minKw, with the smallest factor (at most 1) that covers
 * the remaining shortfall of every ISP it offers in; offers that cover no remaining shortfall are
 * left. It refuses, choosing nothing and naming the worst ISP, only when even every offer at
 * factor 1 falls short, i.e. exactly when sufficiency shows a shortfall: an ISP still short at
 * the end had every offer in it taken whole (an offer trimmed below 1 covers every ISP it offers
 * in, and one skipped had none of its ISPs short, while shortfalls only shrink), so what is left
 * short there is what the open offers together leave short.
 *
 * Why this is the right choice: within one ISP the problem is a fractional knapsack (cover minKw
 * at least cost, each offer divisible at a constant price per kWh), for which taking offers
 * cheapest first and trimming the last one to the exact remainder is optimal: any cheaper kWh
 * left out could replace a dearer one taken. Across ISPs it is a heuristic: one factor scales an
 * offer in all of its ISPs, so an offer trimmed to cover its ISP with the largest remaining
 * shortfall may buy more than needed in its others, and the exact optimum is a linear programme.
 * It stays close to it in practice because offers to one congestion usually span the same ISPs
 * (the request's), where the one-ISP argument holds for all of them at once, and it never takes
 * an offer that covers nothing still short; it is also deterministic and explainable to the
 * offerers (price, then time), which a solver's tie-breaks are not.
 */
import type { FlexOfferStatus, FlexRequestStatus } from '../../schema/flexibility';
import { isoTime as iso, type Problem } from '../kit/problem';
import { roundToWatt, watts } from './flex-sufficiency.rules';

export interface RequestIspLimits {
  startMs: number;
  minKw: number;
  maxKw: number;
}

export interface SelectableOffer {
  id: string;
  priceEurPerKwh: number;
  createdAtMs: number;
  isps: readonly { startMs: number; kw: number }[];
}

export interface Selection {
  offerId: string;
  activationFactor: number;
}

/**
 * Why the offer cannot be ordered now, or null: an order is a CONFLICT with one already placed,
 * and bad input for an offer that is no longer open or a request that is closed.
 */
export function orderableProblem(offer: { status: FlexOfferStatus; requestRevision: number }, request: { status: FlexRequestStatus; revision: number }): { conflict: boolean; message: string } | null {
  if (offer.status === 'ORDERED') return { conflict: true, message: 'the offer is already ordered' };
  if (offer.status === 'REVOKED') return { conflict: false, message: 'the offer is revoked' };
  if (offer.status === 'SUPERSEDED' || offer.requestRevision !== request.revision) return { conflict: false, message: 'the offer is superseded by a revision of its request' };
  if (offer.status === 'EXPIRED') return { conflict: false, message: 'the offer is expired' };
  if (request.status !== 'OPEN') return { conflict: false, message: 'the request is closed' };
  return null;
}

/** What is wrong with an activation factor, or null. */
export function activationFactorProblem(factor: number): Problem | null {
  return Number.isFinite(factor) && factor > 0 && factor <= 1 ? null : { field: 'activationFactor', message: 'activationFactor must be greater than 0 and at most 1' };
}

/**
 * The refusal of an order whose every ISP already has orders totalling at least its maxKw (it
 * would buy nothing the DSO asked for), or null. `orderedKw`: per ISP start, what the request's
 * other orders already take.
 */
export function nothingLeftToBuyProblem(limits: readonly RequestIspLimits[], orderedKw: ReadonlyMap<number, number>, offer: Pick<SelectableOffer, 'isps'>): Problem | null {
  const maxKwAt = new Map(limits.map((isp) => [isp.startMs, isp.maxKw]));
  const full = offer.isps.every((isp) => watts(orderedKw.get(isp.startMs) ?? 0) >= watts(maxKwAt.get(isp.startMs) ?? 0));
  return full ? { field: 'offerId', message: "the request's orders already reach its maxKw in every ISP of the offer: it would buy nothing the DSO asked for" } : null;
}

/** The chosen offers with their factors, or why the offers cannot cover the request. */
export type SelectionResult = { selections: Selection[] } | { problem: string };

/**
 * The cheapest sufficient set (see above). `orderedKw`: per ISP start, what the request's orders
 * already take; it counts towards minKw.
 */
export function selectOffers(limits: readonly RequestIspLimits[], orderedKw: ReadonlyMap<number, number>, offers: readonly SelectableOffer[]): SelectionResult {
  const shortfall = new Map(limits.map((isp) => [isp.startMs, Math.max(0, isp.minKw - (orderedKw.get(isp.startMs) ?? 0))]));
  const isShort = (startMs: number) => watts(shortfall.get(startMs) ?? 0) > 0;
  const ranked = [...offers].sort((a, b) => a.priceEurPerKwh - b.priceEurPerKwh || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const selections: Selection[] = [];
  for (const offer of ranked) {
    if (!limits.some((isp) => isShort(isp.startMs))) break;
    const short = offer.isps.filter((isp) => isShort(isp.startMs));
    if (short.length === 0) continue;
    const factor = Math.min(1, Math.max(...short.map((isp) => shortfall.get(isp.startMs)! / isp.kw)));
    selections.push({ offerId: offer.id, activationFactor: factor });
    for (const isp of short) shortfall.set(isp.startMs, Math.max(0, shortfall.get(isp.startMs)! - isp.kw * factor));
  }
  const worst = [...limits].filter((isp) => isShort(isp.startMs)).sort((a, b) => shortfall.get(b.startMs)! - shortfall.get(a.startMs)! || a.startMs - b.startMs)[0];
  if (worst) {
    return { problem: `the open offers cannot cover the request's minimum: at ${iso(worst.startMs)} they fall ${roundToWatt(shortfall.get(worst.startMs)!)} kW short of ${worst.minKw} kW` };
  }
  return { selections };
}

/**
 * Sufficiency: per ISP of a request, whether what its current revision's offers put on the table
 * covers the minimum, and by how much it falls short. Pure; the repo reads the offers.
 *
 * An offer counts while it binds its offerer: OPEN and not expired with its whole kW, or ORDERED
 * with the kW ordered (offered × activation factor) while its order stands. Revoked, superseded
 * and expired offers, an ordered offer whose order was CANCELLED (the offer stays ORDERED: it was
 * taken once), and offers of an earlier revision, count nothing. Everything is rounded to the watt.
 */
import type { FlexOfferStatus, FlexOrderStatus } from '../../schema/flexibility';

export interface CountedOffer {
  /** As read now: EXPIRED already derived (flex-offer.rules.ts offerStatusAt). */
  status: FlexOfferStatus;
  /** Its order; null while not ordered. */
  order: { status: FlexOrderStatus; activationFactor: number } | null;
  isps: readonly { startMs: number; kw: number }[];
}

export interface SufficiencyIsp {
  startMs: number;
  minKw: number;
  offeredKw: number;
  shortfallKw: number;
}

export const roundToWatt = (kw: number): number => Math.round(kw * 1000) / 1000;
/** kW in whole watts: how the market compares power, as availability is computed. */
export const watts = (kw: number): number => Math.round(kw * 1000);

/** What the offer binds in an ISP: its kW while open, the ordered kW while its order stands, otherwise nothing. */
export function boundKw(offer: Pick<CountedOffer, 'status' | 'order'>, kw: number): number {
  if (offer.status === 'OPEN') return kw;
  if (offer.status === 'ORDERED' && offer.order && offer.order.status !== 'CANCELLED') return kw * offer.order.activationFactor;
  return 0;
}

/** Per ISP start, the kW the offers bind (unrounded, for further sums). */
export function boundKwByIsp(offers: readonly CountedOffer[]): Map<number, number> {
  const byIsp = new Map<number, number>();
  for (const offer of offers) {
    for (const isp of offer.isps) {
      const kw = boundKw(offer, isp.kw);
      if (kw > 0) byIsp.set(isp.startMs, (byIsp.get(isp.startMs) ?? 0) + kw);
    }
  }
  return byIsp;
}

/** One line per request ISP, in time order. */
export function sufficiency(requestIsps: readonly { startMs: number; minKw: number }[], offers: readonly CountedOffer[]): SufficiencyIsp[] {
  const offered = boundKwByIsp(offers);
  return [...requestIsps]
    .sort((a, b) => a.startMs - b.startMs)
    .map((isp) => {
      const offeredKw = roundToWatt(offered.get(isp.startMs) ?? 0);
      return { startMs: isp.startMs, minKw: isp.minKw, offeredKw, shortfallKw: roundToWatt(Math.max(0, isp.minKw - offeredKw)) };
    });
}

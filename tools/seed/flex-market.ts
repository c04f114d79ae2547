import { eq } from 'drizzle-orm';
import { ISP_MS } from '../../schema/flexibility';
import { flexActivations, flexOfferIsps, flexOffers, flexOrders, flexRequestIsps, flexRequestRecipients, flexRequests, hemsCommands } from '../../schema/tables';
import { DAY_MS, dayType, lisbonLocalDay, lisbonWallToUtcMs, MINUTE_MS, WORKING } from '../../subgraphs/kit/calendar';
import type { DatabaseHandle } from '../../subgraphs/kit/db';
import { offerContentHash } from '../../subgraphs/flexibility/flex-offer.rules';
import { settleOrders } from '../../subgraphs/flexibility/flex-settlement.command';
import { BASELINE_MAX_DAYS, BASELINE_MIN_DAYS } from '../../subgraphs/flexibility/flex-settlement.rules';
import type { HeldOffLoad } from './history';
import type { HomeCharger } from './load-curves';
import { stream, type Parish, type Random } from './parish';

/**
 * The demo's settled flex order: one evening of the congested feeder (Parish.congestion) went
 * through the whole market. The DSO asked for a reduction while the feeder's cars charge, the two
 * retailers with the most HEMS able to hold a car off behind it offered them at different prices,
 * the DSO ordered the cheaper offer, that retailer shifted its customers' chargers out of the
 * window (SHIFT commands for the order, executed) and reported what it held off, and the request
 * closed when its period ended. The chargers' draw is taken out of those points' readings in the
 * window (writeHistory's heldOff), so the settlement, computed by the flexibility subgraph's own
 * settleOrders over the seeded readings, shows the delivered flexibility against the baseline of
 * the earlier working days. Where the shifted charging went after the window is not modelled.
 */

/** Its own random stream: the parish's concerns are 0 to 7 (parish.ts). */
const FLEX_MARKET_CONCERN = 8;
/** 20:00-22:00 Lisbon, 8 ISPs: every car on the congested feeder charges then (sessions start by 19:45 and last 3.5 h at least). */
const WINDOW_FROM_MINUTE = 20 * 60;
const WINDOW_TO_MINUTE = 22 * 60;
/** The DSO's minimum, as a share of the cheaper offer: that offer alone suffices, the other one is not needed. */
const MIN_SHARE_OF_CHEAPER = 0.75;

/** A HEMS that can hold its car off the feeder: shared with the retailer, its charger controllable and offered by its customer. */
export interface SeededHems {
  hemsId: string;
  meteringPointId: string;
  deviceId: string;
  ratedPowerKw: number;
  charger: HomeCharger;
}

export interface SeededOffer {
  id: string;
  retailerId: string;
  priceEurPerKwh: number;
  hems: SeededHems[];
}

/** What does not depend on the day: the same parish always gives the same ids, offers and HEMS. */
export interface FlexMarketPlan {
  requestId: string;
  orderId: string;
  feederId: string;
  secondarySubstationId: string;
  /** The cheaper first: the one ordered. */
  offers: [SeededOffer, SeededOffer];
  commandIds: string[];
}

/** A version-4-shaped UUID from the seeded stream, so the ids stay reproducible. */
function uuidFrom(random: Random): string {
  const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** The congested feeder's HEMS able to hold a car off it, by retailer. */
function holdableHems(parish: Parish): Map<string, SeededHems[]> {
  const byRetailer = new Map<string, SeededHems[]>();
  const congestion = parish.congestion;
  if (!congestion) return byRetailer;
  const pointOf = new Map(parish.meteringPoints.map((point) => [point.id, point]));
  for (const { meteringPointId, charger } of congestion.homeChargers) {
    const retailerId = pointOf.get(meteringPointId)!.retailerId;
    const hems = parish.hemsSystems.find((system) => system.meteringPointId === meteringPointId);
    const device = hems && parish.hemsDevices.find((d) => d.hemsId === hems.id && d.kind === 'EV_CHARGER' && d.controllable);
    const load = device && parish.flexibleLoads.find((l) => l.deviceId === device.id && !l.optedOut);
    const shared = parish.hemsSharing.some((consent) => consent.meteringPointId === meteringPointId && consent.organisationId === retailerId && consent.scopes.includes('hems:read'));
    if (!hems || !device || !load || !shared) continue;
    byRetailer.set(retailerId, [...(byRetailer.get(retailerId) ?? []), { hemsId: hems.id, meteringPointId, deviceId: device.id, ratedPowerKw: device.ratedPowerKw, charger }]);
  }
  return byRetailer;
}

/** The plan of the seeded order, or null when the parish has no congested feeder with HEMS of two retailers. */
export function planFlexMarket(parish: Parish, seed: number): FlexMarketPlan | null {
  const congestion = parish.congestion;
  const candidates = [...holdableHems(parish)].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1));
  if (!congestion || candidates.length < 2) return null;
  const random = stream(seed, FLEX_MARKET_CONCERN);
  const cheaperPrice = Math.round(random.range(0.12, 0.16) * 1000) / 1000;
  const otherPrice = Math.round((cheaperPrice + random.range(0.03, 0.06)) * 1000) / 1000;
  // The retailer with more cars to shift offers cheaper.
  const [cheaper, other] = candidates as [[string, SeededHems[]], [string, SeededHems[]]];
  const requestId = `fr-${uuidFrom(random)}`;
  const offers: [SeededOffer, SeededOffer] = [
    { id: `fof-${uuidFrom(random)}`, retailerId: cheaper[0], priceEurPerKwh: cheaperPrice, hems: cheaper[1] },
    { id: `fof-${uuidFrom(random)}`, retailerId: other[0], priceEurPerKwh: otherPrice, hems: other[1] },
  ];
  return {
    requestId,
    orderId: `fo-${uuidFrom(random)}`,
    feederId: congestion.feederId,
    secondarySubstationId: congestion.secondarySubstationId,
    offers,
    commandIds: cheaper[1].map(() => `hc-${uuidFrom(random)}`),
  };
}

const isWorking = (localDay: number) => dayType(localDay) === WORKING;

/**
 * The order's day: of the working days whose history is being written (UTC midnights; the
 * evening window falls in the same UTC day), the most recent with BASELINE_MAX_DAYS earlier
 * working days in the history window [windowFromDay, that day), else the one with the most (at
 * least BASELINE_MIN_DAYS); null when none has enough.
 */
export function flexOrderDay(writingDayStartsMs: readonly number[], windowFromDay: number): number | null {
  let best: { day: number; baselineDays: number } | null = null;
  for (const day of [...writingDayStartsMs].map((ms) => Math.floor(ms / DAY_MS)).sort((a, b) => b - a)) {
    if (!isWorking(day)) continue;
    let baselineDays = 0;
    for (let earlier = day - 1; earlier >= windowFromDay; earlier--) if (isWorking(earlier)) baselineDays++;
    const usable = Math.min(baselineDays, BASELINE_MAX_DAYS);
    if (usable >= BASELINE_MIN_DAYS && (!best || usable > best.baselineDays)) best = { day, baselineDays: usable };
  }
  return best?.day ?? null;
}

/** The instant of a Lisbon wall-clock minute of a local day. */
const at = (localDay: number, minute: number) => new Date(lisbonWallToUtcMs(localDay * DAY_MS + minute * MINUTE_MS));

/** Minutes of the charger's daily session inside [fromMinute, fromMinute + 15). */
const chargingMinutes = (charger: HomeCharger, fromMinute: number) =>
  Math.max(0, Math.min(fromMinute + 15, charger.startMinute + charger.durationMinutes) - Math.max(fromMinute, charger.startMinute));

/** The window's ISPs on a local day: their start and local minute. */
function windowIsps(localDay: number): { start: Date; minute: number }[] {
  const isps: { start: Date; minute: number }[] = [];
  for (let minute = WINDOW_FROM_MINUTE; minute < WINDOW_TO_MINUTE; minute += ISP_MS / MINUTE_MS) isps.push({ start: at(localDay, minute), minute });
  return isps;
}

/** What each commanded HEMS held off per ISP: its car's draw then, which the retailer reports and the meter no longer sees. */
export function heldOffLoads(plan: FlexMarketPlan, localDay: number): HeldOffLoad[] {
  return plan.offers[0].hems.flatMap((hems) =>
    windowIsps(localDay).flatMap(({ start, minute }) => {
      const kw = (hems.charger.powerKw * chargingMinutes(hems.charger, minute)) / 15;
      return kw > 0 ? [{ meteringPointId: hems.meteringPointId, startMs: start.getTime(), endMs: start.getTime() + ISP_MS, kw }] : [];
    }),
  );
}

/** What the offer's chargers take off, to the watt (as offers are kept). */
const offeredKw = (offer: SeededOffer) => Math.round(offer.hems.reduce((sum, hems) => sum + hems.ratedPowerKw, 0) * 1000) / 1000;

/** The retailers supplying a point on the feeder when the request was made: whom it was published to. */
function recipients(parish: Parish, feederId: string, createdAt: Date): string[] {
  const onFeeder = new Set(parish.connections.filter((connection) => connection.feederId === feederId).map((connection) => connection.meteringPointId));
  const supplying = parish.supplyContracts.filter(
    (contract) => onFeeder.has(contract.meteringPointId) && contract.validFrom <= createdAt && (contract.validTo === null || contract.validTo > createdAt),
  );
  return [...new Set(supplying.map((contract) => contract.retailerId))].sort();
}

/**
 * Writes the request, both offers, the order, its SHIFT commands and the activation reports of
 * the plan on `localDay`, in one transaction, the order ACTIVATED: settleFlexMarket settles it
 * once the day's readings are in.
 */
async function writeFlexMarket(handle: DatabaseHandle, parish: Parish, plan: FlexMarketPlan, localDay: number): Promise<void> {
  const isps = windowIsps(localDay);
  const periodStart = isps[0]!.start;
  const periodEnd = new Date(isps.at(-1)!.start.getTime() + ISP_MS);
  const [cheaper, other] = plan.offers;
  const createdAt = at(localDay - 1, 16 * 60);
  const reportedAt = at(localDay, WINDOW_TO_MINUTE + 5);
  const closedAt = new Date(periodEnd.getTime() + 30_000);
  const minKw = Math.floor(offeredKw(cheaper) * MIN_SHARE_OF_CHEAPER);
  const maxKw = Math.ceil(offeredKw(cheaper) + offeredKw(other));
  const offerExpiresAt = at(localDay, 18 * 60);
  await handle.db.transaction(async (tx) => {
    await tx.insert(flexRequests).values({
      id: plan.requestId,
      congestionPointKind: 'FEEDER',
      congestionPointId: plan.feederId,
      secondarySubstationId: plan.secondarySubstationId,
      needId: null,
      status: 'CLOSED',
      revision: 1,
      periodStart,
      periodEnd,
      expiresAt: at(localDay, 12 * 60),
      createdAt,
      closedAt,
      closeReason: 'PERIOD_ENDED',
      restoredAt: closedAt,
    });
    await tx.insert(flexRequestIsps).values(isps.map(({ start }) => ({ requestId: plan.requestId, start, minKw, maxKw })));
    await tx.insert(flexRequestRecipients).values(recipients(parish, plan.feederId, createdAt).map((organisationId) => ({ requestId: plan.requestId, organisationId })));
    for (const [i, offer] of plan.offers.entries()) {
      const kw = offeredKw(offer);
      const idempotencyKey = `seed-${plan.requestId}`;
      const draft = { flexRequestId: plan.requestId, isps: isps.map(({ start }) => ({ startMs: start.getTime(), kw })), priceEurPerKwh: offer.priceEurPerKwh, expiresAtMs: offerExpiresAt.getTime(), idempotencyKey };
      await tx.insert(flexOffers).values({
        id: offer.id,
        requestId: plan.requestId,
        requestRevision: 1,
        organisationId: offer.retailerId,
        // The other offer is left OPEN: past its expiry it reads EXPIRED.
        status: offer === cheaper ? 'ORDERED' : 'OPEN',
        priceEurPerKwh: offer.priceEurPerKwh,
        expiresAt: offerExpiresAt,
        idempotencyKey,
        contentHash: offerContentHash(draft),
        createdAt: new Date(createdAt.getTime() + (5 + 35 * i) * MINUTE_MS),
      });
      await tx.insert(flexOfferIsps).values(isps.map(({ start }) => ({ offerId: offer.id, start, kw })));
    }
    const orderedAt = at(localDay, 12 * 60 + 15);
    await tx.insert(flexOrders).values({ id: plan.orderId, offerId: cheaper.id, requestId: plan.requestId, organisationId: cheaper.retailerId, status: 'ACTIVATED', activationFactor: 1, orderedAt, activatedAt: reportedAt });
    const issuedAt = new Date(orderedAt.getTime() + 5 * MINUTE_MS);
    await tx.insert(hemsCommands).values(
      cheaper.hems.map((hems, i) => ({
        id: plan.commandIds[i]!,
        hemsId: hems.hemsId,
        deviceId: hems.deviceId,
        kind: 'SHIFT' as const,
        targetPowerKw: null,
        start: periodStart,
        end: periodEnd,
        reason: 'FLEX_ORDER' as const,
        orderId: plan.orderId,
        issuerId: cheaper.retailerId,
        issuedByKeyId: 'seed',
        status: 'EXECUTED' as const,
        issuedAt,
        expiresAt: periodStart,
        acknowledgedAt: new Date(issuedAt.getTime() + 4_000),
        executedAt: periodStart,
      })),
    );
    await tx.insert(flexActivations).values(heldOffLoads(plan, localDay).map((load) => ({ orderId: plan.orderId, hemsId: cheaper.hems.find((h) => h.meteringPointId === load.meteringPointId)!.hemsId, start: new Date(load.startMs), kw: load.kw, reportedAt })));
  });
}

/** The seeded order still to settle: its readings' held-off loads, for writeHistory. */
export interface PendingFlexOrder {
  orderId: string;
  heldOff: HeldOffLoad[];
}

/**
 * Before the history is written: the seeded order, written now on a day being written (see
 * flexOrderDay) unless it is there already; null when it is settled, or cannot be seeded (no
 * congested feeder with two retailers' HEMS, no working day with enough history before it).
 * `windowFromDay` is the first local day of the history window.
 */
export async function prepareFlexMarket(handle: DatabaseHandle, parish: Parish, seed: number, writingDayStartsMs: readonly number[], windowFromDay: number): Promise<PendingFlexOrder | null> {
  const plan = planFlexMarket(parish, seed);
  if (!plan) return null;
  const [existing] = await handle.db
    .select({ periodStart: flexRequests.periodStart, status: flexOrders.status })
    .from(flexOrders)
    .innerJoin(flexRequests, eq(flexRequests.id, flexOrders.requestId))
    .where(eq(flexOrders.id, plan.orderId));
  if (existing) return existing.status === 'SETTLED' ? null : { orderId: plan.orderId, heldOff: heldOffLoads(plan, lisbonLocalDay(existing.periodStart.getTime())) };
  const day = flexOrderDay(writingDayStartsMs, windowFromDay);
  if (day === null) return null;
  await writeFlexMarket(handle, parish, plan, day);
  return { orderId: plan.orderId, heldOff: heldOffLoads(plan, day) };
}

/** After the history: the order settled from the seeded readings by the flexibility subgraph's own settlement, in one transaction. */
export async function settleFlexMarket(handle: DatabaseHandle, pending: PendingFlexOrder): Promise<void> {
  await handle.db.transaction((tx) => settleOrders(tx, [pending.orderId], Date.now()));
}

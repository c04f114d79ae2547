/**
 * How peakHours and compareSchemes name what they are computed on (TariffScopeInput), and how a
 * KPI's sample (TariffSampleInput) reads as the same kind of scope. Pure.
 */
import { billWindowProblem } from './bill.rules';
import { MAX_SAMPLE_POINTS, type TariffSample } from './tariff-sample.rules';

/** An area as metering's rollups name it (the shape of TariffEnergyRepo's TariffArea). */
export type ScopeArea = { kind: 'network' } | { kind: 'primary' | 'secondary' | 'feeder'; id: string };

/**
 * - `area`: every metering point connected in it (grid), from metering's exact area rollups;
 * - `points`: a set of metering points;
 * - `portfolio`: the asking retailer's portfolio: every point it supplied in the window, while it
 *   did, from metering's exact retailer totals.
 */
export type TariffScope = { kind: 'area'; area: ScopeArea } | { kind: 'points'; ids: string[] } | { kind: 'portfolio' };

export interface TariffScopeFields {
  network?: boolean | null;
  primarySubstationId?: string | null;
  secondarySubstationId?: string | null;
  feederId?: string | null;
  meteringPointIds?: string[] | null;
  retailerPortfolio?: boolean | null;
}

/** A point set is bounded like a sample. */
export const MAX_SCOPE_POINTS = MAX_SAMPLE_POINTS;

const NAMES = 'network, primarySubstationId, secondarySubstationId, feederId, meteringPointIds, retailerPortfolio';

/** The scope, or what is wrong with it: exactly one way of naming it (a flag only when true), ids distinct and 1 to MAX_SCOPE_POINTS. */
export function parseTariffScope(fields: TariffScopeFields): TariffScope | string {
  const given = [
    fields.network != null,
    fields.primarySubstationId != null,
    fields.secondarySubstationId != null,
    fields.feederId != null,
    fields.meteringPointIds != null,
    fields.retailerPortfolio != null,
  ].filter(Boolean).length;
  if (given !== 1) return `give the scope as exactly one of ${NAMES}`;
  if (fields.network != null) return fields.network ? { kind: 'area', area: { kind: 'network' } } : 'network must be true when given';
  if (fields.retailerPortfolio != null) return fields.retailerPortfolio ? { kind: 'portfolio' } : 'retailerPortfolio must be true when given';
  if (fields.meteringPointIds != null) {
    const ids = [...new Set(fields.meteringPointIds)];
    if (ids.length === 0 || ids.length > MAX_SCOPE_POINTS) return `meteringPointIds must hold 1 to ${MAX_SCOPE_POINTS.toLocaleString('en')} ids`;
    return { kind: 'points', ids };
  }
  const [kind, id, name] =
    fields.primarySubstationId != null
      ? (['primary', fields.primarySubstationId, 'primarySubstationId'] as const)
      : fields.secondarySubstationId != null
        ? (['secondary', fields.secondarySubstationId, 'secondarySubstationId'] as const)
        : (['feeder', fields.feederId ?? '', 'feederId'] as const);
  return id ? { kind: 'area', area: { kind, id } } : `${name} is empty`;
}

/** A KPI sample as a scope: a secondary substation is that area, a set of points that set. */
export const sampleScope = (sample: TariffSample): TariffScope =>
  sample.kind === 'secondary' ? { kind: 'area', area: { kind: 'secondary', id: sample.id } } : { kind: 'points', ids: sample.ids };

export interface TariffWindow {
  fromMs: number;
  toMs: number;
}

/**
 * The window [from, to), or what is wrong with it: whole Lisbon local days (contracted power is
 * charged per local day), at most MAX_BILL_DAYS of them, as for a bill. `name` prefixes the
 * problem when a request has more than one window (a KPI's baseline window).
 */
export function parseTariffWindow(from: Date, to: Date, name?: string): TariffWindow | string {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const problem = !Number.isFinite(fromMs) || !Number.isFinite(toMs) ? 'from and to must be valid times' : billWindowProblem(fromMs, toMs);
  if (problem === null) return { fromMs, toMs };
  return name ? `${name}: ${problem}` : problem;
}

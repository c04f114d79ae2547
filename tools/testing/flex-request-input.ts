import { ISP_MS } from '../../schema/flexibility';

const HOUR_MS = 3_600_000;

/**
 * A valid CreateFlexRequestInput for tests that need some flexibility request (and so its
 * FLEX_REQUEST event): `kw` in each of the four ISPs of the hour starting on the first ISP at
 * least an hour from now, offers taken until that ISP.
 */
export function flexRequestInput(congestionPointId: string, kw = 40): { congestionPointId: string; isps: { start: string; minKw: number; maxKw: number }[]; expiresAt: string } {
  const firstMs = Math.ceil((Date.now() + HOUR_MS) / ISP_MS) * ISP_MS;
  return {
    congestionPointId,
    isps: [0, 1, 2, 3].map((n) => ({ start: new Date(firstMs + n * ISP_MS).toISOString(), minKw: kw, maxKw: kw })),
    expiresAt: new Date(firstMs).toISOString(),
  };
}

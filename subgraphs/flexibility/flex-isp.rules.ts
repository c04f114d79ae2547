/** Where an offer's or an activation report's ISP start may lie: the market's one 15-minute UTC grid. */
import { ISP_MS } from '../../schema/flexibility';
import { isoTime, type Problem } from '../kit/problem';

/** Whether the instant starts an ISP. */
export const onIspGrid = (startMs: number): boolean => Number.isInteger(startMs) && startMs % ISP_MS === 0;

/**
 * Why the ISP start is not one of `ispStartsMs` (field `field`; `of` names them, "the request"),
 * or null: off the 15-minute grid is said first, as createFlexRequest says it, since no request
 * or order has such an ISP; only an ISP on the grid is "outside".
 */
export function ispOutsideProblem(startMs: number, ispStartsMs: { has(startMs: number): boolean }, of: string, field: string): Problem | null {
  if (!onIspGrid(startMs)) return { field, message: `ISP ${isoTime(startMs)} is not on the 15-minute grid` };
  return ispStartsMs.has(startMs) ? null : { field, message: `ISP ${isoTime(startMs)} is outside ${of}` };
}

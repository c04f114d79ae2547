/** Pure rules of activation reports (what an offerer says its HEMS shifted) and of the feedback the DSO reads from them. */
import { ISP_MS, type FlexOrderStatus } from '../../schema/flexibility';
import { isoTime, type Problem } from '../kit/problem';
import { ispOutsideProblem } from './flex-isp.rules';

/** More than any one household's HEMS can shift: a report above it is a unit mistake (W for kW). */
export const MAX_ACTIVATION_KW = 1_000;

export interface ActivationEntry {
  startMs: number;
  hemsId: string;
  kw: number;
}

/** Why an order in this status takes no report (a CONFLICT), or null: only ORDERED and ACTIVATED orders do. */
export function reportConflict(orderId: string, status: FlexOrderStatus): string | null {
  return status === 'ORDERED' || status === 'ACTIVATED' ? null : `order ${orderId} is ${status}: it takes no more activation reports`;
}

/**
 * The problems of a report on order `orderId` (field `isps`): at least one entry; each of the
 * order's HEMS (`orderHems`: those its offerer commanded for it) and ISPs (`orderIspStartsMs`; a
 * start off the 15-minute grid is named so), and an ISP that has ended by `nowMs` (what was
 * shifted is known only then: a report ahead of it would make an order ACTIVATED before it began); kW finite, 0 to MAX_ACTIVATION_KW; no HEMS and
 * ISP twice. Empty when it may be stored.
 */
export function activationProblems(orderId: string, entries: readonly ActivationEntry[], orderHems: ReadonlySet<string>, orderIspStartsMs: ReadonlySet<number>, nowMs: number): Problem[] {
  if (entries.length === 0) return [{ field: 'isps', message: 'report at least one ISP' }];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const start = isoTime(entry.startMs);
    if (!orderHems.has(entry.hemsId)) problems.push({ field: 'isps', message: `HEMS ${entry.hemsId} is not in order ${orderId}: hold a load of it off for the order first (a FLEX_ORDER SHIFT or CURTAIL)` });
    const outside = ispOutsideProblem(entry.startMs, orderIspStartsMs, 'the order', 'isps');
    if (outside) problems.push(outside);
    else if (entry.startMs + ISP_MS > nowMs) problems.push({ field: 'isps', message: `ISP ${start} has not ended yet: report what was shifted once it has` });
    if (!Number.isFinite(entry.kw) || entry.kw < 0 || entry.kw > MAX_ACTIVATION_KW) {
      problems.push({ field: 'isps', message: `kw ${entry.kw} of HEMS ${entry.hemsId} at ${start} must be between 0 and ${MAX_ACTIVATION_KW}` });
    }
    const pair = `${entry.hemsId}|${entry.startMs}`;
    if (seen.has(pair)) problems.push({ field: 'isps', message: `HEMS ${entry.hemsId} at ${start} is reported twice` });
    seen.add(pair);
  }
  return problems;
}

export interface FeedbackOrder {
  status: FlexOrderStatus;
  activationFactor: number;
  /** The offer's ISPs. */
  isps: readonly { startMs: number; kw: number }[];
  activations: readonly ActivationEntry[];
}

export interface FeedbackIsp {
  startMs: number;
  orderedKw: number;
  reportedKw: number;
  hemsCount: number;
}

/**
 * The DSO's feedback on a request, per request ISP: what its orders (not cancelled) ordered
 * (offered kW × factor), what their offerers report shifted, and on how many HEMS.
 */
export function activationFeedback(requestIspStartsMs: readonly number[], orders: readonly FeedbackOrder[]): FeedbackIsp[] {
  const live = orders.filter((order) => order.status !== 'CANCELLED');
  return [...requestIspStartsMs]
    .sort((a, b) => a - b)
    .map((startMs) => {
      const orderedKw = live.reduce((sum, order) => sum + order.isps.filter((isp) => isp.startMs === startMs).reduce((kw, isp) => kw + isp.kw * order.activationFactor, 0), 0);
      const reported = live.flatMap((order) => order.activations.filter((activation) => activation.startMs === startMs));
      return {
        startMs,
        orderedKw,
        reportedKw: reported.reduce((sum, activation) => sum + activation.kw, 0),
        hemsCount: new Set(reported.map((activation) => activation.hemsId)).size,
      };
    });
}

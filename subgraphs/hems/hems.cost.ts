import { QUARTER_MS } from '../kit/calendar';
import type { CostModel } from '../kit/cost';
import { MAX_FLEX_INTERVALS } from './flex-availability.rules';

/**
 * What the HEMS subgraph's fields cost per resolution (kit/cost.ts), in metering.cost.ts's units:
 * a value read costs 1, an object returned 10.
 */
const OBJECT_VALUE_COST = 10;
/**
 * availableFlexibility reads every HEMS of its scope in one statement before it counts: a
 * secondary substation's evening takes a connection for tens of milliseconds, a retailer's
 * portfolio for hundreds. Aliases run side by side on the pool every other request shares, so
 * 129 aliases of a week's substation held everyone's requests for 3 s: an operation of the
 * default budget (1,000,000) now fits at most 10 area reads or 2 portfolio reads.
 */
const AREA_READ_COST = 90_000;
const PORTFOLIO_READ_COST = 400_000;

function quarterHours(args: Record<string, unknown>): number {
  const { from, to } = args;
  if (!(from instanceof Date) || !(to instanceof Date) || !(to.getTime() > from.getTime())) return 0;
  return Math.min(MAX_FLEX_INTERVALS, Math.ceil((to.getTime() - from.getTime()) / QUARTER_MS));
}

export const hemsCosts: CostModel = {
  'Query.availableFlexibility': {
    cost: (args) => {
      const scope = args.scope as { retailerId?: unknown } | undefined;
      return (scope?.retailerId != null ? PORTFOLIO_READ_COST : AREA_READ_COST) + quarterHours(args) * OBJECT_VALUE_COST;
    },
    advice: 'fewer availableFlexibility fields in one operation, an area rather than a portfolio, or a shorter window',
  },
};

import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { BadUserInputError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { readBill } from './bill.query';
import { billWindowProblem, MAX_BILL_DAYS } from './bill.rules';
import { Bill } from './bill.type';
import type { TariffsLoaders } from './tariffs.loader';

@Resolver(() => Bill)
export class BillResolver {
  @Authorized('tariffs:read')
  @Query(() => Bill, {
    description:
      `A metering point's network-tariff bill over [from, to): whole Lisbon local days (from and to on local midnights), at most ${MAX_BILL_DAYS}. ` +
      'With schemeId, on that scheme over the whole window (a what-if); without, on the schemes the point was on, split where they change. ' +
      'The DSO bills any point, a customer its own, a retailer the points it supplies now over its own supply periods of them, a consent holder within a tariffs:read consent. ' +
      'NOT_FOUND both when the point does not exist and when you may not see it (a former supplier’s point too). Every read is logged.',
  })
  bill(
    @Arg('meteringPointId', () => ID) meteringPointId: string,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('schemeId', () => ID, { nullable: true, description: 'Bill on this scheme version instead of the assigned ones' }) schemeId: string | null | undefined,
    @Ctx() ctx: SubgraphContext<TariffsLoaders>,
  ): Promise<Bill> {
    const window = { fromMs: from.getTime(), toMs: to.getTime() };
    const problem = billWindowProblem(window.fromMs, window.toMs);
    if (problem) throw new BadUserInputError(problem, { field: problem.startsWith('from') ? 'from' : 'to' });
    return readBill(ctx, meteringPointId, window, schemeId ?? null);
  }
}

import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { hasScope } from '../../schema/access';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../schema/errors';
import { parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import { isAccessKey, isAuditKey } from './audit.repo';
import { AuditEntryConnection, AuditLogArgs, DataAccess, DataAccessConnection, DataAccessLogArgs } from './audit.type';
import type { MeteringLoaders } from './metering.loader';

type Context = SubgraphContext<MeteringLoaders>;

/** An audit window: a month of entries is what a person reads, and what one count may cost. */
const MAX_AUDIT_WINDOW_DAYS = 31;

@Resolver(() => DataAccess)
export class AuditResolver {
  @Authorized('consent:manage', 'audit:read')
  @Query(() => DataAccessConnection, {
    description: "Who read this metering point's data, when, and which period, newest first: for the customer (its own point) and the DSO",
  })
  async dataAccessLog(@Args(() => DataAccessLogArgs) args: DataAccessLogArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isAccessKey);
    // Any point's log is for audit:read (the DSO's); consent:manage opens a customer's own only.
    if (!hasScope(ctx.identity, 'audit:read') && ctx.identity.role !== 'customer') {
      throw new ForbiddenError("Query.dataAccessLog needs the audit:read scope, which this key does not have (consent:manage opens only a customer's own point)");
    }
    // The points the caller may list (the metering point loader): a customer's key sees its own
    // only, any other is "not found", as if it did not exist.
    if (!(await ctx.loaders.meteringPoint.load(args.meteringPointId))) throw new NotFoundError('Metering point');
    const { rows, totalCount } = await ctx.loaders.audit.accessPage(args.meteringPointId, page);
    return toConnection(rows, page, totalCount, (row) => row.cursorKey);
  }

  @Authorized('audit:read')
  @Query(() => AuditEntryConnection, { description: `DSO: every change made through the hub and every read of personal data in a window of at most ${MAX_AUDIT_WINDOW_DAYS} days, newest first` })
  async auditLog(@Args(() => AuditLogArgs) args: AuditLogArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isAuditKey);
    const spanMs = args.filter.to.getTime() - args.filter.from.getTime();
    if (!(spanMs > 0 && spanMs <= MAX_AUDIT_WINDOW_DAYS * 86_400_000)) {
      throw new BadUserInputError(`filter.to must be after filter.from, by at most ${MAX_AUDIT_WINDOW_DAYS} days`, { field: 'filter' });
    }
    const { rows, totalCount } = await ctx.loaders.audit.auditPage(args.filter, page);
    return toConnection(rows, page, totalCount, (row) => row.cursorKey);
  }
}

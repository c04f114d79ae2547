import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import { PageArgs, parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import type { HemsLoaders } from './hems.loader';
import { isHemsKey } from './hems.repo';
import { Device, Hems, HemsConnection } from './hems.type';

type Context = SubgraphContext<HemsLoaders>;

@Resolver(() => Hems)
export class HemsResolver {
  @Authorized('hems:read')
  @Query(() => HemsConnection, {
    description: "The HEMS you may see, by id: a customer its own, a retailer its current customers' that share theirs with it, the DSO those behind an active order. Every read is logged.",
  })
  async hemsSystems(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isHemsKey);
    const { rows, totalCount } = await ctx.loaders.repo.page(page);
    await ctx.loaders.logHems(rows);
    return toConnection(rows, page, totalCount, (row) => row.id);
  }

  @Authorized('hems:read')
  @Query(() => Hems, { nullable: true, description: 'One HEMS; NOT_FOUND when there is none or you may not see it' })
  async hems(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Hems> {
    const hems = await ctx.loaders.hems.load(id);
    if (!hems) throw new NotFoundError('HEMS');
    return hems;
  }

  @FieldResolver(() => [Device])
  devices(@Root() hems: Hems, @Ctx() ctx: Context): Promise<Device[]> {
    return ctx.loaders.devices.load(hems.id);
  }
}

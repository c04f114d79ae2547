import { Authorized, Ctx, Directive, Query, Resolver } from 'type-graphql';
import type { SubgraphContext } from './context';
import { Caller } from './caller.type';

/** Every subgraph can answer `me`, which also proves the signed identity reached it. */
@Resolver(() => Caller)
export class CallerResolver {
  @Authorized()
  @Query(() => Caller, { description: 'Who the hub thinks you are' })
  @Directive('@shareable')
  me(@Ctx() ctx: SubgraphContext): Caller {
    return { ...ctx.identity };
  }
}

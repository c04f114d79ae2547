import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { HemsLoaders } from './hems.loader';
import { Hems } from './hems.type';
import { MeteringPoint } from './metering-point.type';

@Resolver(() => MeteringPoint)
export class MeteringPointHemsResolver {
  @Authorized('hems:read')
  @FieldResolver(() => Hems, { nullable: true, description: 'The HEMS behind this point, if the customer has one and you may see it. Every read is logged.' })
  hems(@Root() point: MeteringPoint, @Ctx() ctx: SubgraphContext<HemsLoaders>): Promise<Hems | null> {
    return ctx.loaders.hemsByMeteringPoint.load(point.id);
  }
}
